/**
 * Seeded random QPs for tests, built as in the OptNet paper (ANCHORS.md): Q = U'U + 1e-3 I,
 * G ~ N(0,1), h = G z0 + s0, and (when m > 0) A ~ N(0,1), b = A z0, so z0 is strictly feasible.
 * Q, the PRNG and the batch stacking are the benchmark's (bench/lib). The draw order, the normal
 * and the rounding of h differ from bench/lib/generator.ts's randomQP and are kept, so that every
 * seeded test still sees the problems it was written against.
 */
import { paperHessian, type DenseProblem } from "../../../bench/lib/generator.js";
import { mulberry32 } from "../../../bench/lib/random.js";
import { matVec } from "./dense.js";

export { stackBatch, type DenseProblem } from "../../../bench/lib/generator.js";

/**
 * mulberry32 with a Box–Muller normal that keeps only the cosine half (two uniforms per normal);
 * bench/lib/random.ts keeps both halves, which gives a different stream.
 */
export function createRandom(seed: number) {
  const uniform = mulberry32(seed);
  const normal = () => {
    const u = Math.max(uniform(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

export function randomProblem(n: number, m: number, p: number, seed: number): DenseProblem {
  const random = createRandom(seed);
  const U = Float64Array.from({ length: n * n }, random.uniform);
  const Q = paperHessian(U, n);
  const G = Float64Array.from({ length: p * n }, random.normal);
  const A = Float64Array.from({ length: m * n }, random.normal);
  const z0 = Float64Array.from({ length: n }, random.normal);
  const s0 = Float64Array.from({ length: p }, random.uniform);
  const h = Float64Array.from(matVec(G, z0, p, n), (v, i) => v + s0[i]);
  const b = Float64Array.from(matVec(A, z0, m, n));
  const q = Float64Array.from({ length: n }, random.normal);
  return { n, m, p, Q, q, A, b, G, h };
}

/** Member k of a solution's per-member array of `size` entries per member. */
export function member(data: Float64Array, k: number, size: number): Float64Array {
  return data.subarray(k * size, (k + 1) * size);
}
