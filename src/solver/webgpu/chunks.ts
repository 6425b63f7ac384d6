/**
 * A batch too large for one storage binding, solved as consecutive sub-batches: the members are
 * independent, so each chunk's results are those the whole batch would have given, and joining
 * them in order gives one solution over the whole batch.
 */
import type { GradientRequest, QPBatch, QPGradients } from "../types.js";
import { GRADIENT_KEYS as OPERANDS, gradientArrays, gradientSizes } from "../gradient-formulas.js";
import type { WebGPUSolution } from "./solve-batch.js";

/** Members [start, end) of the batch: shared operands as they are, per-member ones as views. */
export function sliceBatch(problem: QPBatch, start: number, end: number): QPBatch {
  const part: QPBatch = { ...problem, batch: end - start };
  for (const name of OPERANDS) {
    const operand = problem[name];
    if (operand.shared) continue;
    const size = operand.data.length / problem.batch;
    part[name] = { data: operand.data.subarray(start * size, end * size), shared: false };
  }
  return part;
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((sum, a) => sum + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

function concatGradients(parts: QPGradients[]): QPGradients {
  const joined: QPGradients = {};
  for (const name of OPERANDS) {
    if (parts[0][name] !== undefined) joined[name] = concat(parts.map((g) => g[name]!));
  }
  return joined;
}

/** The chunks' solutions, in order, as one solution of the whole batch. */
export function joinSolutions(parts: WebGPUSolution[]): WebGPUSolution {
  const { n, m, p, kernels, device } = parts[0];
  const batch = parts.reduce((sum, part) => sum + part.batch, 0);
  const join = (key: "z" | "lam" | "nu" | "s" | "primalResidual" | "dualResidual" | "gap") =>
    concat(parts.map((part) => part[key]));
  /** dz split at the chunks' boundaries */
  const split = (dz: Float64Array) => {
    if (dz.length !== batch * n) {
      throw new Error(`backward: dz has length ${dz.length}, expected batch×n = ${batch * n}`);
    }
    let offset = 0;
    return parts.map((part) => dz.subarray(offset * n, (offset += part.batch) * n));
  };
  return {
    batch,
    n,
    m,
    p,
    z: join("z"),
    lam: join("lam"),
    nu: join("nu"),
    s: join("s"),
    status: parts.flatMap((part) => part.status),
    iterations: Int32Array.from(parts.flatMap((part) => Array.from(part.iterations))),
    primalResidual: join("primalResidual"),
    dualResidual: join("dualResidual"),
    gap: join("gap"),
    workspaceBytes: parts.reduce((sum, part) => sum + (part.workspaceBytes ?? 0), 0),
    kernels,
    device,
    backward(dz: Float64Array, request?: GradientRequest, into?: QPGradients) {
      const upstream = split(dz);
      if (into === undefined) {
        return concatGradients(parts.map((part, i) => part.backward(upstream[i], request)));
      }
      // each chunk writes its members' rows of the caller's arrays (lengths checked first)
      const grads = gradientArrays(batch, { n, m, p }, request ?? {}, into);
      const sizes = gradientSizes({ n, m, p });
      let offset = 0;
      for (const [i, part] of parts.entries()) {
        const rows: QPGradients = {};
        for (const name of OPERANDS) {
          const whole = grads[name];
          if (whole === undefined) continue;
          rows[name] = whole.subarray(offset * sizes[name], (offset + part.batch) * sizes[name]);
        }
        part.backward(upstream[i], request, rows);
        offset += part.batch;
      }
      return grads;
    },
    async backwardOnDevice(dz: Float64Array, request?: GradientRequest) {
      const upstream = split(dz);
      const gradients: QPGradients[] = [];
      // one chunk at a time: they share the device's queue anyway
      for (const [i, part] of parts.entries()) {
        gradients.push(await part.backwardOnDevice(upstream[i], request));
      }
      return concatGradients(gradients);
    },
    dispose() {
      for (const part of parts) part.dispose();
    },
  };
}
