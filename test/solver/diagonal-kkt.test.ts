import { describe, expect, it } from "vitest";
import { factorKkt, formOf, solveKkt } from "../../src/solver/kkt/choose.js";
import {
  DIRECTION_TOLERANCE,
  FORWARD_SPLIT_WEIGHT,
  GRADIENT_TOLERANCE,
} from "../../src/solver/kkt/form.js";
import {
  createWasmKernelsSync,
  solveBatch,
  typescriptKernels,
  type DenseKernels,
  type QPBatch,
} from "../../src/solver/index.js";
import { createWorkspace, measureMember } from "../../src/solver/workspace.js";
import { findUnitRows } from "../../src/solver/kkt/plan.js";
import { gaussianSolve, gradientError, maxAbs } from "./helpers/dense.js";
import { createRandom } from "./helpers/problems.js";

const shared = (data: Float64Array) => ({ data, shared: true });
const batched = (data: Float64Array) => ({ data, shared: false });

/**
 * Sudoku-shaped batch: Q = diag(d) (shared), A random (shared), z ≥ 0 as rows −e_j of G — stated
 * as bound rows or left for the solver to find in G's values — and z ≤ 2 on the first columns.
 */
function boxedProjections(batch: number, seed: number, stated: boolean): QPBatch {
  const random = createRandom(seed);
  const n = 12;
  const m = 4;
  const upper = 3;
  const p = n + upper;
  const Q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) Q[j * n + j] = 0.05 + random.uniform();
  const A = Float64Array.from({ length: m * n }, () => random.uniform());
  const z0 = Float64Array.from({ length: n }, () => 0.2 + random.uniform());
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * z0[j];
  const G = new Float64Array(p * n);
  const h = new Float64Array(p);
  for (let j = 0; j < n; j++) G[j * n + j] = -1;
  for (let j = 0; j < upper; j++) {
    G[(n + j) * n + j] = 1;
    h[n + j] = 2;
  }
  const q = Float64Array.from({ length: batch * n }, () => 2 * random.normal());
  const problem: QPBatch = {
    batch,
    n,
    m,
    p,
    Q: shared(Q),
    q: batched(q),
    A: shared(A),
    b: shared(b),
    G: shared(G),
    h: shared(h),
  };
  if (stated) {
    problem.structure = {
      boundRows: {
        row: Int32Array.from({ length: p }, (_, i) => i),
        column: Int32Array.from({ length: p }, (_, i) => (i < n ? i : i - n)),
        sign: Float64Array.from({ length: p }, (_, i) => (i < n ? -1 : 1)),
      },
    };
  }
  return problem;
}

/** Member 0's workspace at a random interior point, factored once. */
function factoredWorkspace(problem: QPBatch, kernels: DenseKernels, seed: number) {
  const ws = createWorkspace(problem, kernels);
  const random = createRandom(seed);
  findUnitRows(ws.data, 0);
  measureMember(ws.data, 0);
  for (let i = 0; i < problem.p; i++) {
    // weights lam/s from 1e-6 to 1e8, as near a solution with active and inactive bounds
    ws.iterate.s[i] = 10 ** (-4 * random.uniform());
    ws.iterate.lam[i] = 10 ** (4 * random.uniform() - 2);
  }
  const factored = factorKkt(ws, 0, FORWARD_SPLIT_WEIGHT);
  return { ws, factored };
}

/** [Q + G' diag(lam/s) G, A'; A, 0] of member 0, dense, for a reference solve. */
function denseKkt(problem: QPBatch, s: Float64Array, lam: Float64Array): number[] {
  const { n, m, p } = problem;
  const size = n + m;
  const M = new Array<number>(size * size).fill(0);
  const Q = problem.Q.data;
  const G = problem.G.data;
  const A = problem.A.data;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[i * size + j] = Q[i * n + j];
  for (let r = 0; r < p; r++) {
    const w = lam[r] / s[r];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) M[i * size + j] += w * G[r * n + i] * G[r * n + j];
    }
  }
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      M[(n + r) * size + j] = A[r * n + j];
      M[j * size + n + r] = A[r * n + j];
    }
  }
  return M;
}

describe("diagonal K (Q diagonal, every row of G a unit row)", () => {
  for (const [name, kernels] of [
    ["typescript", typescriptKernels],
    ["wasm", createWasmKernelsSync()],
  ] as const) {
    for (const stated of [true, false]) {
      it(`factors it in O(n) and solves the reduced KKT system exactly (${name} kernels, bounds ${stated ? "stated" : "found in G"})`, () => {
        const problem = boxedProjections(1, 3, stated);
        const { ws, factored } = factoredWorkspace(problem, kernels, 5);
        expect(factored).toBe(true);
        expect(formOf(ws, 0)).toBe("diagonal");
        const { n, m } = problem;
        const random = createRandom(11);
        for (let i = 0; i < n; i++) ws.scratch.r1[i] = random.normal();
        for (let i = 0; i < m; i++) ws.scratch.r2[i] = random.normal();
        const rhs = [...ws.scratch.r1.subarray(0, n), ...ws.scratch.r2.subarray(0, m)];
        const expected = gaussianSolve(denseKkt(problem, ws.iterate.s, ws.iterate.lam), rhs, n + m);
        const scale = maxAbs(expected);
        // a forward direction is one regularized solve, no refinement to hide a wrong factor
        for (const [tolerance, bound] of [
          [DIRECTION_TOLERANCE, 1e-9],
          [GRADIENT_TOLERANCE, 1e-12],
        ]) {
          // outputs in the workspace: WebAssembly kernels read and write their own memory only
          solveKkt(ws, 0, ws.iterate.dz, 0, ws.iterate.dnu, 0, tolerance);
          const x = ws.iterate.dz.subarray(0, n);
          const y = ws.iterate.dnu.subarray(0, m);
          expect(maxAbs(Array.from(x, (v, i) => v - expected[i])) / scale).toBeLessThan(bound);
          expect(maxAbs(Array.from(y, (v, i) => v - expected[n + i])) / scale).toBeLessThan(bound);
        }
      });
    }
  }

  it("is not used when Q has one nonzero entry off its diagonal, however small", () => {
    const problem = boxedProjections(1, 3, true);
    const Q = problem.Q.data.slice();
    Q[1] = Q[problem.n] = 1e-300;
    const { ws, factored } = factoredWorkspace({ ...problem, Q: shared(Q) }, typescriptKernels, 5);
    expect(factored).toBe(true);
    expect(formOf(ws, 0)).not.toBe("diagonal");
  });

  it("is not used with structure: false, whose solution and gradients agree with it", () => {
    const problem = boxedProjections(6, 8, false);
    const structured = solveBatch(problem);
    const dense = solveBatch(problem, { structure: false });
    expect(structured.status.every((s) => s === "solved")).toBe(true);
    expect(dense.status.every((s) => s === "solved")).toBe(true);
    expect(maxAbs(Array.from(structured.z, (v, i) => v - dense.z[i]))).toBeLessThan(1e-7);
    const dz = Float64Array.from({ length: problem.batch * problem.n }, (_, i) => Math.sin(i));
    expect(gradientError(structured.backward(dz), dense.backward(dz))).toBeLessThan(1e-6);
  });
});
