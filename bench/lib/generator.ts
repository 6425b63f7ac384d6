/**
 * The OptNet paper's benchmark problems (qpth's prof-linear.py), as /work/shared/reference/ANCHORS.md
 * describes them:
 *
 *   minimize 1/2 z'Qz + q'z  s.t.  Az = b,  Gz <= h
 *   U ~ uniform(0,1)^{n×n}, Q = U'U + 1e-3 I, G ~ N(0,1)^{p×n}, z0 ~ N(0,1)^n,
 *   s0 ~ uniform(0,1)^p, h = G z0 + s0, q ~ N(0,1)^n.
 *
 * The paper's problems have no equalities (m = 0). With `m > 0`, A ~ N(0,1)^{m×n} and b = A z0,
 * so z0 stays strictly feasible and the problem keeps a unique solution.
 */

import type { QPBatch } from "../../src/solver/index.js";
import { createRandom, memberSeed } from "./random.js";

/** One problem, every matrix row-major. */
export interface DenseProblem {
  n: number;
  m: number;
  p: number;
  /** n×n, symmetric positive definite */
  Q: Float64Array;
  q: Float64Array;
  /** m×n */
  A: Float64Array;
  b: Float64Array;
  /** p×n */
  G: Float64Array;
  h: Float64Array;
}

/** A generated problem and the strictly feasible point it was built around. */
export interface DenseQP extends DenseProblem {
  z0: Float64Array;
}

export interface RandomQPOptions {
  /** equality rows (default 0, as in the paper) */
  m?: number;
}

export function randomQP(
  n: number,
  p: number,
  seed: number,
  options: RandomQPOptions = {},
): DenseQP {
  const m = options.m ?? 0;
  const random = createRandom(seed);

  const U = new Float64Array(n * n);
  for (let k = 0; k < U.length; k++) U[k] = random.uniform();
  const Q = paperHessian(U, n);

  const G = new Float64Array(p * n);
  for (let k = 0; k < G.length; k++) G[k] = random.normal();
  const z0 = new Float64Array(n);
  for (let j = 0; j < n; j++) z0[j] = random.normal();
  const h = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = random.uniform();
    for (let j = 0; j < n; j++) sum += G[i * n + j] * z0[j];
    h[i] = sum;
  }
  const q = new Float64Array(n);
  for (let j = 0; j < n; j++) q[j] = random.normal();

  const A = new Float64Array(m * n);
  for (let k = 0; k < A.length; k++) A[k] = random.normal();
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += A[i * n + j] * z0[j];
    b[i] = sum;
  }

  return { n, m, p, Q, q, A, b, G, h, z0 };
}

/**
 * Q = U'U + 1e-3 I for U n×n row-major. Each entry sums U_ki U_kj over k in order from zero, the
 * lower triangle mirrored, so Q is exactly symmetric and the same bits whatever the caller.
 */
export function paperHessian(U: Float64Array, n: number): Float64Array {
  const Q = new Float64Array(n * n);
  // One row of U at a time (contiguous reads), lower triangle only.
  for (let k = 0; k < n; k++) {
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const uki = U[row + i];
      const qi = i * n;
      for (let j = 0; j <= i; j++) Q[qi + j] += uki * U[row + j];
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) Q[j * n + i] = Q[i * n + j];
    Q[i * n + i] += 1e-3;
  }
  return Q;
}

/** Member k is `randomQP(n, p, memberSeed(seed, k), options)`. */
export function randomProblems(
  batch: number,
  n: number,
  p: number,
  seed: number,
  options: RandomQPOptions = {},
): DenseQP[] {
  return Array.from({ length: batch }, (_, k) => randomQP(n, p, memberSeed(seed, k), options));
}

/** Stacks problems of equal sizes into a QPBatch with every operand batched. */
export function stackBatch(problems: readonly DenseProblem[]): QPBatch {
  if (problems.length === 0) throw new Error("stackBatch needs at least one problem");
  const { n, m, p } = problems[0];
  const stack = (pick: (qp: DenseProblem) => Float64Array, size: number) => {
    const data = new Float64Array(problems.length * size);
    problems.forEach((qp, k) => {
      const part = pick(qp);
      if (part.length !== size) throw new Error("stackBatch: problems of different sizes");
      data.set(part, k * size);
    });
    return { data, shared: false };
  };
  return {
    batch: problems.length,
    n,
    m,
    p,
    Q: stack((qp) => qp.Q, n * n),
    q: stack((qp) => qp.q, n),
    A: stack((qp) => qp.A, m * n),
    b: stack((qp) => qp.b, m),
    G: stack((qp) => qp.G, p * n),
    h: stack((qp) => qp.h, p),
  };
}

export function randomBatch(
  batch: number,
  n: number,
  p: number,
  seed: number,
  options: RandomQPOptions = {},
): QPBatch {
  return stackBatch(randomProblems(batch, n, p, seed, options));
}

/** An upstream gradient dL/dz ~ N(0,1), batch×n, for backward timings. */
export function randomUpstream(batch: number, n: number, seed: number): Float64Array {
  const random = createRandom(seed ^ 0x5bd1e995);
  const dz = new Float64Array(batch * n);
  for (let k = 0; k < dz.length; k++) dz[k] = random.normal();
  return dz;
}

/** Row-major flat data as nested rows, for packages that want arrays of arrays. */
export function toRows(data: Float64Array, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) =>
    Array.from(data.subarray(i * cols, (i + 1) * cols)),
  );
}

/**
 * Total variation's epigraph rows written into G (p×n, row-major, columns x then t): for each
 * j < len − 1, row 2j is x_{j+1} − x_j − t_j ≤ 0 and row 2j + 1 is x_j − x_{j+1} − t_j ≤ 0.
 */
export function writeDifferenceRows(G: Float64Array, n: number, len: number): void {
  for (let j = 0; j < len - 1; j++) {
    for (const [row, sign] of [
      [2 * j, 1],
      [2 * j + 1, -1],
    ]) {
      G[row * n + j + 1] = sign;
      G[row * n + j] = -sign;
      G[row * n + len + j] = -1;
    }
  }
}
