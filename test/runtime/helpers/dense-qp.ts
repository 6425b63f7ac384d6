import type { AffineMap, CanonicalQP } from "../../../src/canon/index.js";

/** One member's QP data, dense and row-major. */
export interface DenseQP {
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

/** Evaluates an AffineMap at θ, entry by entry as its definition says (independent of src/runtime). */
export function evaluate(map: AffineMap, theta: ArrayLike<number>): Float64Array {
  const out = new Float64Array(map.rows * map.cols);
  map.constant.index.forEach((index, k) => (out[index] += map.constant.value[k]));
  map.terms.index.forEach(
    (index, k) => (out[index] += map.terms.coef[k] * theta[map.terms.param[k]]),
  );
  return out;
}

export function instantiate(canon: CanonicalQP, theta: ArrayLike<number>): DenseQP {
  return {
    n: canon.n,
    m: canon.m,
    p: canon.p,
    Q: evaluate(canon.Q, theta),
    q: evaluate(canon.q, theta),
    A: evaluate(canon.A, theta),
    b: evaluate(canon.b, theta),
    G: evaluate(canon.G, theta),
    h: evaluate(canon.h, theta),
  };
}

/** θ of one member from values by parameter name (row-major flattening). */
export function thetaOf(canon: CanonicalQP, values: Record<string, unknown>): Float64Array {
  const theta = new Float64Array(canon.parameterSize);
  for (const p of canon.parameters) {
    theta.set([values[p.name]].flat(3) as number[], p.offset);
  }
  return theta;
}

/**
 * How far (z, λ, ν) is from satisfying the KKT conditions of the QP, as the largest of the
 * stationarity, primal and dual feasibility and complementarity violations, each relative to
 * the size of the data.
 */
export function kktViolation(
  qp: DenseQP,
  z: ArrayLike<number>,
  lam: ArrayLike<number>,
  nu: ArrayLike<number>,
): number {
  const { n, m, p } = qp;
  const scale =
    1 + Math.max(...[qp.Q, qp.q, qp.A, qp.b, qp.G, qp.h].flatMap((a) => Array.from(a, Math.abs)));
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let r = qp.q[i];
    for (let j = 0; j < n; j++) r += qp.Q[i * n + j] * z[j];
    for (let k = 0; k < m; k++) r += qp.A[k * n + i] * nu[k];
    for (let k = 0; k < p; k++) r += qp.G[k * n + i] * lam[k];
    worst = Math.max(worst, Math.abs(r));
  }
  for (let k = 0; k < m; k++) {
    let r = -qp.b[k];
    for (let j = 0; j < n; j++) r += qp.A[k * n + j] * z[j];
    worst = Math.max(worst, Math.abs(r));
  }
  for (let k = 0; k < p; k++) {
    let gz = 0;
    for (let j = 0; j < n; j++) gz += qp.G[k * n + j] * z[j];
    const slack = qp.h[k] - gz;
    worst = Math.max(worst, -slack, -lam[k], Math.abs(slack * lam[k]));
  }
  return worst / scale;
}

export function canonicalObjective(qp: DenseQP, z: ArrayLike<number>): number {
  let value = 0;
  for (let i = 0; i < qp.n; i++) {
    let row = 0;
    for (let j = 0; j < qp.n; j++) row += qp.Q[i * qp.n + j] * z[j];
    value += z[i] * (0.5 * row + qp.q[i]);
  }
  return value;
}
