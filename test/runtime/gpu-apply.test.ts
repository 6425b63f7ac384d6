/**
 * `layer.apply` on tfjs's webgpu backend: the QP built, solved and differentiated on the GPU,
 * against the CPU solver (float64) within f32's tolerance, and with no read of tensor data back
 * to the CPU. Needs a WebGPU adapter (scripts/install-webgpu.sh installs a software one); without
 * one the suite is skipped with one line saying why.
 */
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, type Layer } from "../../src/runtime/index.js";
import { WEBGPU_SETUP_HINT, acquireWebGPU } from "../../src/solver/webgpu/index.js";
import { exampleSource } from "./helpers/examples.js";
import { normal, seededRandom } from "./helpers/random.js";
import { maxRelativeDifference } from "../solver/helpers/dense.js";

process.env.XDG_RUNTIME_DIR ??= "/tmp";

/** tfjs's webgpu backend on the same adapter as the solver's tests, or why not. */
async function startWebGPUBackend(): Promise<string | null> {
  const acquired = await acquireWebGPU();
  if (acquired.context === null) return acquired.reason;
  const scope = globalThis as { navigator?: { gpu?: unknown } };
  if (scope.navigator?.gpu === undefined) {
    const dawn = (await import("webgpu")) as { create(flags: string[]): unknown };
    Object.defineProperty(globalThis, "navigator", {
      value: { gpu: dawn.create([]), userAgent: "node" },
      configurable: true,
    });
  }
  await import("@tensorflow/tfjs-backend-webgpu");
  return (await tf.setBackend("webgpu")) ? null : "tfjs's webgpu backend did not start";
}

const skipReason = await startWebGPUBackend();
if (skipReason !== null) {
  console.warn(`apply on the WebGPU backend skipped: ${skipReason}; ${WEBGPU_SETUP_HINT}.`);
}

/** f32 at eps = 1e-5 on these small layers (docs/GPU.md): solutions and gradients within these. */
const GPU_OPTIONS = { eps: 1e-5 };
const SOLUTION_TOLERANCE = 2e-3;
const GRADIENT_TOLERANCE = 2e-2;
const COMPILE_TIMEOUT = 600_000;

/** A seeded stream of standard normal numbers. */
function normals(seed: number): () => number {
  const rand = seededRandom(seed);
  return () => normal(rand);
}

function array(length: number, next: () => number, scale = 1): number[] {
  return Array.from({ length }, () => scale * next());
}

function flat(value: unknown): number[] {
  return (Array.isArray(value) ? value.flat(3) : [value]) as number[];
}

/**
 * apply's output and tf.grad of Σ w·z on the GPU, beside the CPU solver's solve and vjp for the
 * same values (tensors read once, here, for the reference).
 */
async function compareWithCpu(
  layer: Layer,
  inputs: Record<string, tf.Tensor | number[]>,
  output: string,
  seed: number,
) {
  const names = Object.keys(inputs).filter((k) => inputs[k] instanceof tf.Tensor);
  const tensors = names.map((k) => inputs[k] as tf.Tensor);
  const gpuZ = layer.apply(inputs, GPU_OPTIONS)[output];
  const w = tf.tensor(array(gpuZ.size, normals(seed)), gpuZ.shape);
  const loss = (...xs: tf.Tensor[]) => {
    const given = { ...inputs, ...Object.fromEntries(names.map((k, i) => [k, xs[i]])) };
    return tf.sum(tf.mul(layer.apply(given, GPU_OPTIONS)[output], w));
  };
  const gpuGrads = tf.grads(loss)(tensors);

  const values = Object.fromEntries(
    await Promise.all(
      Object.entries(inputs).map(async ([k, v]) => [
        k,
        v instanceof tf.Tensor ? await v.array() : v,
      ]),
    ),
  );
  const cpu = layer.solve(values);
  const cpuGrads = layer.vjp(cpu, { [output]: (await w.array()) as number[][] });
  const z = {
    gpu: Array.from(await gpuZ.data()),
    cpu: cpu.variables[output].flatMap(flat),
  };
  const grads = await Promise.all(
    names.map(async (k, i) => ({
      name: k,
      gpu: Array.from(await gpuGrads[i].data()),
      cpu: flat(cpuGrads[k]),
      shape: gpuGrads[i].shape,
    })),
  );
  return { z, grads, cpu };
}

describe.skipIf(skipReason !== null)("layer.apply on tfjs's webgpu backend", () => {
  let simplex: Layer;
  let qpDense: Layer;
  let boxLeastSquares: Layer;

  beforeAll(async () => {
    simplex = compile(exampleSource("simplex.qp").replace("dim n = 3", "dim n = 5"));
    qpDense = compile(exampleSource("qp-dense.qp"));
    boxLeastSquares = compile(exampleSource("box-least-squares.qp"));
    // the shader compiles once per device (a minute or more on a software adapter)
    await tf.tidy(() => simplex.apply({ x: tf.zeros([1, 5]) }).z).data();
  }, COMPILE_TIMEOUT);

  afterAll(async () => {
    await tf.setBackend("cpu");
  });

  it("projects onto the simplex as the CPU solver does, with its gradient", async () => {
    const x = tf.tensor(array(8 * 5, normals(1), 0.5), [8, 5]);
    const { z, grads, cpu } = await compareWithCpu(simplex, { x }, "z", 2);
    expect(cpu.status.every((s) => s === "solved")).toBe(true);
    expect(maxRelativeDifference(z.gpu, z.cpu)).toBeLessThan(SOLUTION_TOLERANCE);
    expect(grads[0].shape).toEqual([8, 5]);
    expect(maxRelativeDifference(grads[0].gpu, grads[0].cpu)).toBeLessThan(GRADIENT_TOLERANCE);
    // the gradient is not trivially zero: several coordinates stay inside the simplex
    expect(Math.max(...grads[0].cpu.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it("differentiates the paper's dense QP, a shared G summed over the batch", async () => {
    const n = 10;
    const batch = 6;
    const next = normals(3);
    const Q = Array.from({ length: batch }, () => {
      const L = Array.from({ length: n }, () => array(n, next, 0.3));
      return L.map((row, i) =>
        L.map((other, j) => row.reduce((sum, v, k) => sum + v * other[k], i === j ? 1 : 0)),
      );
    });
    const inputs = {
      Q: tf.tensor(Q),
      q: tf.tensor(array(batch * n, next), [batch, n]),
      G: tf.tensor(array(n * n, next), [n, n]),
      h: tf.tensor(
        array(batch * n, next, 0.5).map((v) => v + 1),
        [batch, n],
      ),
    };
    const { z, grads, cpu } = await compareWithCpu(qpDense, inputs, "z", 4);
    expect(cpu.status.every((s) => s === "solved")).toBe(true);
    expect(maxRelativeDifference(z.gpu, z.cpu)).toBeLessThan(SOLUTION_TOLERANCE);
    for (const g of grads) {
      expect(g.shape, g.name).toEqual(inputs[g.name as keyof typeof inputs].shape);
      expect(maxRelativeDifference(g.gpu, g.cpu), g.name).toBeLessThan(GRADIENT_TOLERANCE);
    }
  });

  it("takes plain values as constants beside tensors (least squares in a box)", async () => {
    const next = normals(5);
    const inputs = {
      A: tf.tensor(array(4 * 8 * 4, next), [4, 8, 4]),
      y: array(8, next),
    };
    const { z, grads } = await compareWithCpu(boxLeastSquares, inputs, "z", 6);
    expect(maxRelativeDifference(z.gpu, z.cpu)).toBeLessThan(SOLUTION_TOLERANCE);
    expect(grads.map((g) => g.name)).toEqual(["A"]);
    expect(maxRelativeDifference(grads[0].gpu, grads[0].cpu)).toBeLessThan(GRADIENT_TOLERANCE);
  });

  it("trains inside tf.sequential on the GPU: model.fit lowers the loss 10-fold", async () => {
    const features = 6;
    const u = tf.randomUniform([64, features], -1, 1, "float32", 1);
    const hidden = tf.randomUniform([features, 5], -2, 2, "float32", 2);
    const target = simplex.apply({ x: tf.matMul(u, hidden) }).z;
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [features], units: 5, kernelInitializer: "zeros" }),
        simplex.toTfLayer({ inputs: ["x"] }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    const history = await model.fit(u, target, { epochs: 40, batchSize: 64, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[0]).toBeGreaterThan(1e-3);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 10);
  }, 120_000);

  it("reads no tensor back to the CPU in the forward or the backward pass", async () => {
    const x = tf.tensor(array(4 * 5, normals(7)), [4, 5]);
    const w = tf.tensor(array(4 * 5, normals(8)), [4, 5]);
    const backend = tf.backend() as unknown as Record<string, (...args: unknown[]) => unknown>;
    const reads: string[] = [];
    const originals = { readSync: backend.readSync, read: backend.read };
    for (const key of ["readSync", "read"] as const) {
      backend[key] = function (this: unknown, ...args: unknown[]) {
        reads.push(key);
        return originals[key].apply(this, args);
      };
    }
    try {
      const grad = tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(simplex.apply({ x: xs }).z, w)))(x);
      expect(grad.shape).toEqual([4, 5]);
      expect(reads).toEqual([]);
      // the watch sees reads where there are some: the CPU solver reads the tensors (a fresh
      // one: Node has no OffscreenCanvas, through which tfjs reads GPU data synchronously)
      simplex.apply({ x: tf.tensor(array(4 * 5, normals(10)), [4, 5]) }, { device: "cpu" });
      expect(reads.length).toBeGreaterThan(0);
    } finally {
      Object.assign(backend, originals);
    }
  });

  it("frees the solve's GPU buffers at once when no gradient is recorded", async () => {
    const bufferClass = (globalThis as { GPUBuffer?: { prototype: { destroy(): void } } })
      .GPUBuffer;
    expect(bufferClass).toBeDefined();
    const prototype = bufferClass!.prototype;
    const destroy = prototype.destroy;
    const { device } = tf.backend() as unknown as { device: GPUDevice };
    // earlier solves' buffers, freed when the queue was done with them, are not counted
    await device.queue.onSubmittedWorkDone();
    await new Promise((resolve) => setTimeout(resolve, 0));
    let destroyed = 0;
    prototype.destroy = function (this: unknown) {
      destroyed++;
      return destroy.call(this);
    };
    try {
      const x = tf.tensor(array(4 * 5, normals(11)), [4, 5]);
      const z = simplex.apply({ x }).z;
      await device.queue.onSubmittedWorkDone();
      await new Promise((resolve) => setTimeout(resolve, 0));
      // the solve's data copy, work, factors, state, running count, upstream and uniform block
      // (tfjs may free one of its own besides; kept for a gradient, none of the solve's went)
      expect(destroyed).toBeGreaterThanOrEqual(7);
      z.dispose();
    } finally {
      prototype.destroy = destroy;
    }
  });

  it("keeps the CPU solver with device: 'cpu'', and refuses CPU-only options on the GPU", async () => {
    const x = tf.tensor(array(3 * 5, normals(9)), [3, 5]);
    const onCpu = await simplex.apply({ x }, { device: "cpu" }).z.array();
    const reference = simplex.solve({ x: await x.array() }).variables.z;
    expect(maxRelativeDifference(flat(onCpu), reference.flatMap(flat))).toBeLessThan(1e-6);
    expect(() => simplex.apply({ x }, { warmStart: true })).toThrow(
      /does not take warmStart; pass device: "cpu"/,
    );
  });

  it("refuses device 'webgpu' when tfjs's backend is not webgpu", async () => {
    await tf.setBackend("cpu");
    try {
      expect(() => simplex.apply({ x: tf.zeros([1, 5]) }, { device: "webgpu" })).toThrow(
        /needs tfjs's webgpu backend active .*tfjs's backend is "cpu"/,
      );
    } finally {
      await tf.setBackend("webgpu");
    }
  });
});
