/**
 * A batch whose Q, A and G are shared (one matrix for every member, as a layer's parameter-free
 * blocks are) factors Q and builds the range-space cache of kkt/range-space.ts once per solve, where a batch
 * with the same data per member does so for every member; the numbers are the same, bit for bit.
 */
import { describe, expect, it } from "vitest";
import {
  createWasmKernelsSync,
  solveBatch,
  typescriptKernels,
  type DenseKernels,
  type QPBatch,
} from "../../src/solver/index.js";
import { createRandom, randomProblem } from "./helpers/problems.js";

const n = 40;
const m = 3;
const p = 60;
const batch = 6;

/** One problem's Q, A, G for every member, each member its own q, b and h (feasible). */
function sharedBatch(): QPBatch {
  const base = randomProblem(n, m, p, 11);
  const random = createRandom(12);
  const q = new Float64Array(batch * n);
  const b = new Float64Array(batch * m);
  const h = new Float64Array(batch * p);
  for (let k = 0; k < batch; k++) {
    const z0 = Array.from({ length: n }, random.normal);
    for (let j = 0; j < n; j++) q[k * n + j] = random.normal();
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) b[k * m + i] += base.A[i * n + j] * z0[j];
    }
    for (let i = 0; i < p; i++) {
      let sum = random.uniform();
      for (let j = 0; j < n; j++) sum += base.G[i * n + j] * z0[j];
      h[k * p + i] = sum;
    }
  }
  const shared = (data: Float64Array) => ({ data, shared: true });
  const batched = (data: Float64Array) => ({ data, shared: false });
  return {
    batch,
    n,
    m,
    p,
    Q: shared(base.Q),
    q: batched(q),
    A: shared(base.A),
    b: batched(b),
    G: shared(base.G),
    h: batched(h),
  };
}

/** The same batch with Q, A and G copied into every member. */
function perMember(problem: QPBatch): QPBatch {
  const repeat = (data: Float64Array) => {
    const out = new Float64Array(batch * data.length);
    for (let k = 0; k < batch; k++) out.set(data, k * data.length);
    return { data: out, shared: false };
  };
  return {
    ...problem,
    Q: repeat(problem.Q.data),
    A: repeat(problem.A.data),
    G: repeat(problem.G.data),
  };
}

/** Kernels that count the range-space cache's Gram products (m + p rows of n: no other syrk). */
function countingKernels(base: DenseKernels) {
  const counts = { cacheGrams: 0 };
  const kernels: DenseKernels = {
    name: base.name,
    alloc: base.alloc.bind(base),
    syrkWeighted: base.syrkWeighted.bind(base),
    syrk: (X, xOff, k, inner, out, outOff) => {
      if (k === m + p && inner === n) counts.cacheGrams++;
      base.syrk(X, xOff, k, inner, out, outOff);
    },
    syrkPlus: base.syrkPlus?.bind(base),
    scaleColumns: base.scaleColumns?.bind(base),
    gemvPair: base.gemvPair?.bind(base),
    cholesky: base.cholesky.bind(base),
    choleskyGathered: base.choleskyGathered.bind(base),
    solveLower: base.solveLower.bind(base),
    solveLowerTransposed: base.solveLowerTransposed.bind(base),
    solveLowerRows: base.solveLowerRows.bind(base),
    gemv: base.gemv.bind(base),
  };
  return { kernels, counts };
}

describe("Q, A and G shared by the batch", () => {
  for (const [name, make] of [
    ["typescript", () => typescriptKernels],
    ["wasm", () => createWasmKernelsSync()],
  ] as const) {
    it(`makes Q's factor and the range-space cache once, with the per-member numbers (${name} kernels)`, () => {
      const problem = sharedBatch();
      const shared = countingKernels(make());
      const copied = countingKernels(make());
      const once = solveBatch(problem, { kernels: shared.kernels });
      const each = solveBatch(perMember(problem), { kernels: copied.kernels });
      expect(once.status.every((s) => s === "solved")).toBe(true);
      // every member takes the range-space form; the shared batch builds its cache once
      expect(copied.counts.cacheGrams).toBe(batch);
      expect(shared.counts.cacheGrams).toBe(1);
      expect(Array.from(once.z)).toEqual(Array.from(each.z));
      expect(Array.from(once.lam)).toEqual(Array.from(each.lam));
      const dz = Float64Array.from({ length: batch * n }, (_, i) => Math.cos(i));
      const gradientsOnce = once.backward(dz);
      const gradientsEach = each.backward(dz);
      expect(Array.from(gradientsOnce.q!)).toEqual(Array.from(gradientsEach.q!));
      expect(Array.from(gradientsOnce.h!)).toEqual(Array.from(gradientsEach.h!));
      expect(Array.from(gradientsOnce.G!)).toEqual(Array.from(gradientsEach.G!));
    });
  }
});
