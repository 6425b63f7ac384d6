/**
 * `solveQP` (LANGUAGE.md §6): the raw solver for users who build Q..h themselves, with
 * broadcasting of arguments that have no batch axis and gradients returned in the form each
 * argument was given.
 */
import type { DenseKernels } from "./kernels/types.js";
import { solveBatch } from "./pdipm.js";
import {
  readArgument,
  readFlat,
  toOperand,
  type OperandName,
  type PendingArgument,
  type QPArguments,
  type ReadArgument,
  type Vector,
} from "./qp-arguments.js";
import type { QPBatch, QPBatchSolution, QPStatus, SolverOptions } from "./types.js";
import { solveBatchOnDevice } from "./webgpu/index.js";

export type { QPArguments, MatrixArgument, VectorArgument } from "./qp-arguments.js";

/** A gradient in the form its argument was given (nested or Float64Array, batched or summed). */
export type ArgumentGradient = number[] | number[][] | number[][][] | Float64Array;

export interface QPGradientsByArgument {
  Q?: ArgumentGradient;
  q?: ArgumentGradient;
  A?: ArgumentGradient;
  b?: ArgumentGradient;
  G?: ArgumentGradient;
  h?: ArgumentGradient;
}

export interface SolveQPResult {
  z: number[][];
  lam: number[][];
  nu: number[][];
  s: number[][];
  status: QPStatus[];
  iterations: number[];
  /** 1/2 z'Qz + q'z of each member. */
  objective: number[];
  raw: QPBatchSolution;
  /** Where it was solved: "cpu", or "webgpu: " and the adapter's name. */
  device: string;
  /** Gradients of ℓ for dℓ/dz = dz (number[] only for a batch of one), for the given arguments. */
  vjp(dz: Vector | readonly Vector[] | Float64Array): QPGradientsByArgument;
}

function fail(message: string): never {
  throw new Error(`solveQP: ${message}`);
}

function lengthOf(arg: PendingArgument): number {
  return "flat" in arg ? arg.flat.length : arg.rows;
}

/** Members of a read argument when batched, else undefined. */
function batchOf(arg: PendingArgument): number | undefined {
  return "flat" in arg || !arg.form.batched ? undefined : arg.form.members;
}

/**
 * Rows of one member of a (matrix rows×cols, vector rows) pair given as Float64Arrays. Every
 * reading that fits both lengths is a candidate (each array holds one member or a batch of
 * them). Preferred, in order: the readings in which both arrays hold the known batch size;
 * then those in which both hold the same number of members. Whatever stays ambiguous is an
 * error rather than a guess.
 */
function rowsOfFlatPair(
  names: string,
  matrixLength: number,
  vectorLength: number,
  cols: (rows: number) => number,
  batch: number | undefined,
): number {
  if (matrixLength === 0 && vectorLength === 0) return 0;
  const candidates: { rows: number; ofMatrix: number; ofVector: number }[] = [];
  for (let rows = 1; rows <= vectorLength; rows++) {
    const size = rows * cols(rows);
    if (vectorLength % rows !== 0 || size === 0 || matrixLength % size !== 0) continue;
    const ofMatrix = matrixLength / size;
    const ofVector = vectorLength / rows;
    if (ofMatrix > 1 && ofVector > 1 && ofMatrix !== ofVector) continue;
    if (batch !== undefined && [ofMatrix, ofVector].some((c) => c > 1 && c !== batch)) continue;
    candidates.push({ rows, ofMatrix, ofVector });
  }
  const preferences = [
    (c: (typeof candidates)[number]) => c.ofMatrix === batch && c.ofVector === batch,
    (c: (typeof candidates)[number]) => c.ofMatrix === c.ofVector,
    () => true,
  ];
  for (const preferred of preferences) {
    const chosen = candidates.filter(preferred);
    if (chosen.length === 1) return chosen[0].rows;
    if (chosen.length > 1) {
      return fail(
        `cannot infer the sizes of ${names} from Float64Array lengths ${matrixLength} and ` +
          `${vectorLength} (could be ${chosen.map((c) => c.rows).join(" or ")} rows); give nested arrays or sizes`,
      );
    }
  }
  return fail(
    `cannot infer the sizes of ${names} from Float64Array lengths ${matrixLength} and ${vectorLength}`,
  );
}

/**
 * With `{ device: "webgpu" }` the batch is solved in f32 on a GPU (docs/GPU.md) and the result
 * comes as a Promise; without an adapter, on the CPU after one notice.
 */
export function solveQP(
  args: QPArguments,
  options: SolverOptions & { device: "webgpu" },
  kernels?: DenseKernels,
): Promise<SolveQPResult>;
export function solveQP(
  args: QPArguments,
  options?: SolverOptions & { device?: "cpu" },
  kernels?: DenseKernels,
): SolveQPResult;
export function solveQP(
  args: QPArguments,
  options: SolverOptions & { device?: "cpu" | "webgpu" } = {},
  kernels?: DenseKernels,
): SolveQPResult | Promise<SolveQPResult> {
  const { problem, read } = readProblem(args);
  if (options.device === "webgpu") {
    return solveBatchOnDevice(problem, options).then((raw) => resultOf(problem, read, raw));
  }
  return resultOf(problem, read, solveBatch(problem, options, kernels));
}

function readProblem(args: QPArguments): {
  problem: QPBatch;
  read: Partial<Record<OperandName, ReadArgument>>;
} {
  if (args.Q === undefined || args.q === undefined) fail("Q and q are required");
  if ((args.A === undefined) !== (args.b === undefined)) fail("A and b must be given together");
  if ((args.G === undefined) !== (args.h === undefined)) fail("G and h must be given together");

  const pending: Partial<Record<OperandName, PendingArgument>> = {
    Q: readArgument("Q", args.Q, "matrix"),
    q: readArgument("q", args.q, "vector"),
  };
  if (args.A !== undefined) pending.A = readArgument("A", args.A, "matrix");
  if (args.b !== undefined) pending.b = readArgument("b", args.b, "vector");
  if (args.G !== undefined) pending.G = readArgument("G", args.G, "matrix");
  if (args.h !== undefined) pending.h = readArgument("h", args.h, "vector");
  let knownBatch = Object.values(pending)
    .map((arg) => batchOf(arg))
    .find((members) => members !== undefined);

  // n from a nested Q or q, else from the two Float64Arrays
  const Qp = pending.Q!;
  const qp = pending.q!;
  const n =
    args.sizes?.n ??
    (!("flat" in Qp)
      ? Qp.rows
      : !("flat" in qp)
        ? qp.rows
        : rowsOfFlatPair("Q and q", lengthOf(Qp), lengthOf(qp), (rows) => rows, knownBatch));
  if (knownBatch === undefined && n > 0 && "flat" in Qp && "flat" in qp) {
    // the batch size that Q and q imply, when one of them has a batch axis
    const members = Math.max(Qp.flat.length / (n * n), qp.flat.length / n);
    if (Number.isInteger(members) && members > 1) knownBatch = members;
  }
  const rowsOf = (matrix: OperandName, vector: OperandName): number => {
    const M = pending[matrix];
    const v = pending[vector];
    if (M === undefined || v === undefined) return 0;
    const given = matrix === "A" ? args.sizes?.m : args.sizes?.p;
    if (given !== undefined) return given;
    if (!("flat" in M)) return M.rows;
    if (!("flat" in v)) return v.rows;
    return rowsOfFlatPair(`${matrix} and ${vector}`, lengthOf(M), lengthOf(v), () => n, knownBatch);
  };
  const m = rowsOf("A", "b");
  const p = rowsOf("G", "h");

  const expected: Record<OperandName, [number, number]> = {
    Q: [n, n],
    q: [n, 1],
    A: [m, n],
    b: [m, 1],
    G: [p, n],
    h: [p, 1],
  };
  const read: Partial<Record<OperandName, ReadArgument>> = {};
  for (const [name, arg] of Object.entries(pending) as [OperandName, PendingArgument][]) {
    const [rows, cols] = expected[name];
    const value = "flat" in arg ? readFlat(name, arg.flat, rows, cols) : arg;
    if (value.rows !== rows || (rows > 0 && value.cols !== cols)) {
      fail(`${name} is ${value.rows}×${value.cols}, expected ${rows}×${cols}`);
    }
    read[name] = value;
  }

  let batch = 1;
  let batchSource: ReadArgument | undefined;
  for (const arg of Object.values(read)) {
    if (!arg.form.batched) continue;
    if (batchSource === undefined) {
      batch = arg.form.members;
      batchSource = arg;
    } else if (arg.form.members !== batch) {
      fail(
        `batch sizes disagree: ${batchSource.name} has ${batch} members, ${arg.name} has ${arg.form.members}`,
      );
    }
  }

  const empty = { data: new Float64Array(0), shared: true };
  const problem: QPBatch = {
    batch,
    n,
    m,
    p,
    Q: toOperand(read.Q!),
    q: toOperand(read.q!),
    A: read.A ? toOperand(read.A) : empty,
    b: read.b ? toOperand(read.b) : empty,
    G: read.G ? toOperand(read.G) : empty,
    h: read.h ? toOperand(read.h) : empty,
  };
  return { problem, read };
}

function resultOf(
  problem: QPBatch,
  read: Partial<Record<OperandName, ReadArgument>>,
  raw: QPBatchSolution,
): SolveQPResult {
  const { batch, n, m, p } = problem;
  const objective = objectives(problem, raw.z);

  return {
    z: rowsOfData(raw.z, batch, n),
    lam: rowsOfData(raw.lam, batch, p),
    nu: rowsOfData(raw.nu, batch, m),
    s: rowsOfData(raw.s, batch, p),
    status: [...raw.status],
    iterations: Array.from(raw.iterations),
    objective,
    raw,
    device: raw.device ?? "cpu",
    vjp: (dz) => vjp(raw, read, readUpstream(dz, batch, n)),
  };
}

function rowsOfData(data: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) =>
    Array.from(data.subarray(i * cols, (i + 1) * cols)),
  );
}

function objectives(problem: QPBatch, z: Float64Array): number[] {
  const { batch, n, Q, q } = problem;
  const result: number[] = [];
  for (let k = 0; k < batch; k++) {
    const qOff = Q.shared ? 0 : k * n * n;
    const vOff = q.shared ? 0 : k * n;
    // 1/2 z'Qz + q'z
    let value = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += Q.data[qOff + i * n + j] * z[k * n + j];
      value += z[k * n + i] * (0.5 * row + q.data[vOff + i]);
    }
    result.push(value);
  }
  return result;
}

function readUpstream(dz: unknown, batch: number, n: number): Float64Array {
  if (dz instanceof Float64Array) {
    if (dz.length !== batch * n) fail(`vjp: dz has ${dz.length} entries, expected ${batch}×${n}`);
    return dz;
  }
  if (!Array.isArray(dz)) fail("vjp: dz must be number[], number[][] or a Float64Array");
  const rows = (Array.isArray(dz[0]) ? dz : [dz]) as unknown[];
  if (!Array.isArray(dz[0]) && batch !== 1) {
    fail(`vjp: dz without a batch axis is only allowed for a batch of one (batch is ${batch})`);
  }
  if (rows.length !== batch) fail(`vjp: dz has ${rows.length} rows, expected ${batch}`);
  const out = new Float64Array(batch * n);
  rows.forEach((row, k) => {
    if (!Array.isArray(row) || row.length !== n) fail(`vjp: dz row ${k} must have ${n} entries`);
    row.forEach((x, i) => {
      if (typeof x !== "number" || !Number.isFinite(x))
        fail(`vjp: dz row ${k} has a non-finite entry at ${i}`);
      out[k * n + i] = x;
    });
  });
  return out;
}

function vjp(
  raw: QPBatchSolution,
  read: Partial<Record<OperandName, ReadArgument>>,
  dz: Float64Array,
): QPGradientsByArgument {
  const given = (name: OperandName) => read[name] !== undefined;
  const grads = raw.backward(dz, {
    Q: true,
    q: true,
    A: given("A"),
    b: given("b"),
    G: given("G"),
    h: given("h"),
  });
  const result: QPGradientsByArgument = {};
  for (const [name, arg] of Object.entries(read) as [OperandName, ReadArgument][]) {
    const perMember = grads[name];
    if (perMember) result[name] = inArgumentForm(perMember, arg, raw.batch);
  }
  return result;
}

/** Per-member gradients reshaped (and summed over the batch for a shared argument). */
function inArgumentForm(
  perMember: Float64Array,
  arg: ReadArgument,
  batch: number,
): ArgumentGradient {
  const size = arg.rows * arg.cols;
  let data = perMember;
  if (!arg.form.batched) {
    data = new Float64Array(size);
    for (let k = 0; k < batch; k++) {
      for (let i = 0; i < size; i++) data[i] += perMember[k * size + i];
    }
  }
  if (arg.form.kind === "flat") return data;
  const members = arg.form.batched ? batch : 1;
  const shaped = Array.from({ length: members }, (_, k) => {
    const member = data.subarray(k * size, (k + 1) * size);
    const isVector = arg.name === "q" || arg.name === "b" || arg.name === "h";
    return isVector ? Array.from(member) : rowsOfData(member, arg.rows, arg.cols);
  });
  return (arg.form.batched ? shaped : shaped[0]) as ArgumentGradient;
}
