/**
 * Seeded random QPs for tests, built as in the OptNet paper (ANCHORS.md): Q = U'U + 1e-3 I,
 * G ~ N(0,1), h = G z0 + s0, and (when m > 0) A ~ N(0,1), b = A z0, so z0 is strictly feasible.
 */
import type { QPBatch } from "../../../src/solver/index.js";
import { matVec } from "./dense.js";

export interface DenseProblem {
  n: number;
  m: number;
  p: number;
  Q: Float64Array;
  q: Float64Array;
  A: Float64Array;
  b: Float64Array;
  G: Float64Array;
  h: Float64Array;
}

/** mulberry32 with a Box–Muller normal. */
export function createRandom(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(uniform(), 1e-300);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

export function randomProblem(n: number, m: number, p: number, seed: number): DenseProblem {
  const random = createRandom(seed);
  const U = Float64Array.from({ length: n * n }, random.uniform);
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += U[k * n + i] * U[k * n + j];
      Q[i * n + j] = sum + (i === j ? 1e-3 : 0);
    }
  }
  const G = Float64Array.from({ length: p * n }, random.normal);
  const A = Float64Array.from({ length: m * n }, random.normal);
  const z0 = Float64Array.from({ length: n }, random.normal);
  const s0 = Float64Array.from({ length: p }, random.uniform);
  const h = Float64Array.from(matVec(G, z0, p, n), (v, i) => v + s0[i]);
  const b = Float64Array.from(matVec(A, z0, m, n));
  const q = Float64Array.from({ length: n }, random.normal);
  return { n, m, p, Q, q, A, b, G, h };
}

/** Stacks problems of equal sizes into a batch with every operand batched. */
export function toBatch(problems: readonly DenseProblem[]): QPBatch {
  const { n, m, p } = problems[0];
  const stack = (key: "Q" | "q" | "A" | "b" | "G" | "h") => {
    const size = problems[0][key].length;
    const data = new Float64Array(problems.length * size);
    problems.forEach((problem, k) => data.set(problem[key], k * size));
    return { data, shared: false };
  };
  return {
    batch: problems.length,
    n,
    m,
    p,
    Q: stack("Q"),
    q: stack("q"),
    A: stack("A"),
    b: stack("b"),
    G: stack("G"),
    h: stack("h"),
  };
}

/** Member k of a solution's per-member array of `size` entries per member. */
export function member(data: Float64Array, k: number, size: number): Float64Array {
  return data.subarray(k * size, (k + 1) * size);
}
