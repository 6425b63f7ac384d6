/**
 * The WebGPU backend against the CPU solver (the reference) on small problems: solutions within
 * f32's tolerance, the same statuses, the same gradients. Needs a WebGPU adapter; on a machine
 * without one the suite is skipped with one line saying why and how to get one. The shader
 * compiles once per process (about a minute on a software adapter): beforeAll pays for it.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../../src/runtime/index.js";
import { solveBatch } from "../../../src/solver/pdipm.js";
import { solveQP } from "../../../src/solver/solve-qp.js";
import type { QPBatch, QPBatchSolution } from "../../../src/solver/types.js";
import { solveBatchOnWebGPU, type WebGPUContext } from "../../../src/solver/webgpu/index.js";
import { adapterFor } from "./adapter.js";
import { gradientError, maxAbs } from "../helpers/dense.js";
import { randomProblem, stackBatch } from "../helpers/problems.js";
import { simplexProjection } from "../helpers/simplex.js";

const acquired = await adapterFor("WebGPU solver tests");
const { skipReason } = acquired;

/**
 * What f32 reaches on these small problems at eps = 1e-5 (docs/GPU.md): the solution within this
 * of the float64 one, relative to 1 + its size, and the gradients likewise.
 */
const EPS = { eps: 1e-5 };
const SOLUTION_TOLERANCE = 1e-3;
const GRADIENT_TOLERANCE = 1e-2;
const ACTIVE_BOUND_TOLERANCE = 5e-3;

const COMPILE_TIMEOUT = 600_000;

function dense(problems: ReturnType<typeof randomProblem>[]): QPBatch {
  return stackBatch(problems);
}

/** max_k max_i |a − b| / (1 + max |b|) over the members' z. */
function solutionError(a: QPBatchSolution, b: QPBatchSolution): number {
  let diff = 0;
  for (let i = 0; i < a.z.length; i++) diff = Math.max(diff, Math.abs(a.z[i] - b.z[i]));
  return diff / (1 + maxAbs(b.z));
}

/** One member per row of x: minimize ½‖z − x‖² subject to Gz ≤ h (and Az = b when given). */
function projection(
  xs: number[][],
  G: number[][],
  h: number[],
  A: number[][] = [],
  b: number[] = [],
): QPBatch {
  const n = xs[0].length;
  const eye = Float64Array.from({ length: n * n }, (_, e) => (e % (n + 1) === 0 ? 1 : 0));
  return {
    batch: xs.length,
    n,
    m: A.length,
    p: G.length,
    Q: { data: eye, shared: true },
    q: { data: Float64Array.from(xs.flat(), (v) => -v), shared: false },
    A: { data: Float64Array.from(A.flat()), shared: true },
    b: { data: Float64Array.from(b), shared: true },
    G: { data: Float64Array.from(G.flat()), shared: true },
    h: { data: Float64Array.from(h), shared: true },
  };
}

const identityRows = (n: number, sign: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? sign : 0)));

describe.skipIf(skipReason !== null)("the WebGPU solver", () => {
  let context: WebGPUContext;

  beforeAll(async () => {
    context = acquired.context!;
    // compiles the shader's pipelines (once per process)
    await solveBatchOnWebGPU(projection([[1]], [[-1]], [0]), EPS, context);
  }, COMPILE_TIMEOUT);

  it("names the adapter", () => {
    expect(context.name).toMatch(/^webgpu: ./);
  });

  it("solves the paper's random QPs (n = 10) as the CPU solver does, without and with equalities", async () => {
    for (const m of [0, 3]) {
      const problem = dense([1, 2, 3, 4].map((seed) => randomProblem(10, m, 10, seed)));
      const gpu = await solveBatchOnWebGPU(problem, EPS, context);
      const cpu = solveBatch(problem);
      expect(cpu.status).toEqual(["solved", "solved", "solved", "solved"]);
      expect(gpu.status).toEqual(cpu.status);
      expect(solutionError(gpu, cpu)).toBeLessThan(SOLUTION_TOLERANCE);
      expect(gpu.device).toBe(context.name);
    }
  });

  it("projects onto the simplex", async () => {
    const xs = [
      [0.3, -0.2, 0.8, 0.1, 0.5, 0],
      [2, 2, 2, -1, 0, 1],
      [-3, 0.1, 0.2, 0.05, -1, 0.4],
    ];
    const problem = projection(
      xs,
      identityRows(6, -1),
      new Array(6).fill(0),
      [[1, 1, 1, 1, 1, 1]],
      [1],
    );
    const gpu = await solveBatchOnWebGPU(problem, EPS, context);
    expect(gpu.status).toEqual(["solved", "solved", "solved"]);
    xs.forEach((x, k) => {
      const exact = simplexProjection(x);
      for (let i = 0; i < 6; i++) {
        expect(Math.abs(gpu.z[k * 6 + i] - exact[i])).toBeLessThan(SOLUTION_TOLERANCE);
      }
    });
  });

  it("is a ReLU: the projection onto z ≥ 0", async () => {
    const xs = [
      [1.5, -2, 0.25, -0.01, 3],
      [-1, -1, -1, -1, -1],
    ];
    const gpu = await solveBatchOnWebGPU(
      projection(xs, identityRows(5, -1), new Array(5).fill(0)),
      EPS,
      context,
    );
    expect(gpu.status).toEqual(["solved", "solved"]);
    // the gap is met relative to its largest term, so an active bound whose multiplier is small
    // (x = −0.01: lam = 0.01) is met to eps·(that term)/lam only
    xs.flat().forEach((x, i) =>
      expect(Math.abs(gpu.z[i] - Math.max(x, 0))).toBeLessThan(ACTIVE_BOUND_TOLERANCE),
    );
  });

  it("solves a box QP with the CPU's solution and duals", async () => {
    const n = 4;
    const base = randomProblem(n, 0, 0, 7);
    const G = [...identityRows(n, 1), ...identityRows(n, -1)];
    const problem: QPBatch = {
      batch: 1,
      n,
      m: 0,
      p: 2 * n,
      Q: { data: base.Q, shared: true },
      q: { data: base.q.map((v) => 10 * v), shared: true },
      A: { data: new Float64Array(0), shared: true },
      b: { data: new Float64Array(0), shared: true },
      G: { data: Float64Array.from(G.flat()), shared: true },
      h: { data: new Float64Array(2 * n).fill(1), shared: true },
    };
    const gpu = await solveBatchOnWebGPU(problem, EPS, context);
    const cpu = solveBatch(problem);
    expect(gpu.status).toEqual(["solved"]);
    expect(solutionError(gpu, cpu)).toBeLessThan(SOLUTION_TOLERANCE);
    // some bound is active: the duals carry the answer
    expect(maxAbs(cpu.lam)).toBeGreaterThan(0.1);
    for (let i = 0; i < 2 * n; i++) {
      expect(Math.abs(gpu.lam[i] - cpu.lam[i])).toBeLessThan(
        SOLUTION_TOLERANCE * (1 + maxAbs(cpu.lam)),
      );
    }
  });

  it("gives infeasible members the status infeasible and leaves the others solved", async () => {
    // member 0: 1 ≤ z₁ ≤ 0 (infeasible); member 1: 0 ≤ z₁ ≤ 1 (feasible)
    const problem: QPBatch = {
      ...projection(
        [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
        [
          [1, 0],
          [-1, 0],
        ],
        [0, 0],
      ),
      h: { data: new Float64Array([0, -1, 1, 0]), shared: false },
    };
    const gpu = await solveBatchOnWebGPU(problem, EPS, context);
    expect(solveBatch(problem).status).toEqual(["infeasible", "solved"]);
    expect(gpu.status).toEqual(["infeasible", "solved"]);
    // the infeasible member's rows of a caller's array are zeroed, not left as they were
    const into = { q: new Float64Array(4).fill(Number.NaN) };
    const grads = gpu.backward(new Float64Array([1, 1, 1, 1]), { q: true }, into);
    expect(Array.from(grads.q!.subarray(0, 2))).toEqual([0, 0]);
    expect(grads.q!.subarray(2).every(Number.isFinite)).toBe(true);
  });

  it("gives unbounded members the status unbounded", async () => {
    // member 0: minimize −z₁ + ½z₂² s.t. z₁ ≥ 0 (unbounded); member 1: z₁ + ½z₂², the same set
    const problem: QPBatch = {
      batch: 2,
      n: 2,
      m: 0,
      p: 1,
      Q: { data: new Float64Array([0, 0, 0, 1]), shared: true },
      q: { data: new Float64Array([-1, 1, 1, 1]), shared: false },
      A: { data: new Float64Array(0), shared: true },
      b: { data: new Float64Array(0), shared: true },
      G: { data: new Float64Array([-1, 0]), shared: true },
      h: { data: new Float64Array([0]), shared: true },
    };
    expect(solveBatch(problem).status).toEqual(["unbounded", "solved"]);
    expect((await solveBatchOnWebGPU(problem, EPS, context)).status).toEqual([
      "unbounded",
      "solved",
    ]);
  });

  it("matches the CPU's gradients, on the GPU and from the read-back factors", async () => {
    for (const m of [0, 3]) {
      const problem = dense([5, 6].map((seed) => randomProblem(8, m, 8, seed)));
      const gpu = await solveBatchOnWebGPU(problem, EPS, context);
      const cpu = solveBatch(problem);
      const dz = Float64Array.from({ length: 2 * 8 }, (_, i) => Math.sin(i + 1));
      const reference = cpu.backward(dz);
      expect(gradientError(await gpu.backwardOnDevice(dz), reference)).toBeLessThan(
        GRADIENT_TOLERANCE,
      );
      expect(gradientError(gpu.backward(dz), reference)).toBeLessThan(GRADIENT_TOLERANCE);
    }
  });

  it("refuses a tolerance f32 cannot reach", async () => {
    await expect(
      solveBatchOnWebGPU(projection([[1]], [[-1]], [0]), { eps: 1e-9 }, context),
    ).rejects.toThrow(/below what f32 arithmetic on the GPU can reach/);
  });

  it("is solveQP's device option", async () => {
    const result = await solveQP(
      {
        Q: [
          [2, 0],
          [0, 2],
        ],
        q: [-2, -6],
        G: [[1, 1]],
        h: [2],
      },
      { device: "webgpu", ...EPS },
    );
    expect(result.device).toBe(context.name);
    expect(result.status).toEqual(["solved"]);
    // minimize (z₁ − 1)² + (z₂ − 3)² s.t. z₁ + z₂ ≤ 2: z = (0, 2)
    expect(result.z[0][0]).toBeCloseTo(0, 4);
    expect(result.z[0][1]).toBeCloseTo(2, 4);
    expect(result.vjp([1, 0]).q).toBeDefined();
  });

  it("is the layer's device option, for solve and vjp", async () => {
    const layer = compile(readFileSync("examples/simplex.qp", "utf8"));
    const values = {
      x: [
        [0.3, -0.2, 0.8],
        [2, 2, -1],
      ],
    };
    const cpuOut = layer.solve(values);
    const gpuOut = await layer.solve(values, { device: "webgpu", ...EPS });
    expect(gpuOut.status).toEqual(cpuOut.status);
    const name = layer.outputs[0].name;
    const flat = (v: unknown) => (v as number[][]).flat(3) as number[];
    const cpuZ = flat(cpuOut.variables[name]);
    const gpuZ = flat(gpuOut.variables[name]);
    cpuZ.forEach((z, i) => expect(gpuZ[i]).toBeCloseTo(z, 3));
    const upstream = {
      [name]: [
        [1, -0.5, 0.25],
        [0.5, 2, -1],
      ],
    };
    const cpuGrad = layer.vjp(cpuOut, upstream);
    const gpuGrad = await layer.vjp(gpuOut, upstream, { device: "webgpu" });
    for (const key of Object.keys(cpuGrad)) {
      const a = flat(cpuGrad[key]);
      const b = flat(gpuGrad[key]);
      a.forEach((x, i) =>
        expect(Math.abs(b[i] - x)).toBeLessThan(GRADIENT_TOLERANCE * (1 + maxAbs(a))),
      );
    }
  });
});
