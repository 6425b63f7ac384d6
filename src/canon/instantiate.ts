import { evaluatePolynomial } from "./polynomial.js";
import type { AffineMap, CanonicalQP } from "./types.js";

/** One member's dense QP data (row-major), for θ. */
export interface DenseQP {
  Q: Float64Array;
  q: Float64Array;
  A: Float64Array;
  b: Float64Array;
  G: Float64Array;
  h: Float64Array;
}

export function evaluateAffineMap(map: AffineMap, theta: ArrayLike<number>): Float64Array {
  const out = new Float64Array(map.rows * map.cols);
  const { constant, terms } = map;
  for (let k = 0; k < constant.index.length; k++) out[constant.index[k]] += constant.value[k];
  for (let k = 0; k < terms.index.length; k++)
    out[terms.index[k]] += terms.coef[k] * theta[terms.param[k]];
  return out;
}

/** The dense QP data of one batch member: the reference for generated code and the runtime. */
export function instantiate(canon: CanonicalQP, theta: ArrayLike<number>): DenseQP {
  if (theta.length !== canon.parameterSize)
    throw new Error(`instantiate: θ has ${theta.length} entries, expected ${canon.parameterSize}`);
  return {
    Q: evaluateAffineMap(canon.Q, theta),
    q: evaluateAffineMap(canon.q, theta),
    A: evaluateAffineMap(canon.A, theta),
    b: evaluateAffineMap(canon.b, theta),
    G: evaluateAffineMap(canon.G, theta),
    h: evaluateAffineMap(canon.h, theta),
  };
}

/**
 * The user's objective at z (all n columns, auxiliaries included) from the canonical data:
 * sign·(½z'Qz + q'z + offset(θ)). Equal to the source objective when the auxiliaries hold
 * their optimal values (e.g. at a solution).
 */
export function evaluateObjective(
  canon: CanonicalQP,
  theta: ArrayLike<number>,
  z: ArrayLike<number>,
): number {
  const n = canon.n;
  if (z.length !== n)
    throw new Error(`evaluateObjective: z has ${z.length} entries, expected ${n}`);
  const Q = evaluateAffineMap(canon.Q, theta);
  const q = evaluateAffineMap(canon.q, theta);
  let v = evaluatePolynomial(canon.objective.offset, theta);
  for (let i = 0; i < n; i++) {
    let Qz = 0;
    for (let j = 0; j < n; j++) Qz += Q[i * n + j] * z[j];
    v += 0.5 * z[i] * Qz + q[i] * z[i];
  }
  return canon.objective.sense === "maximize" ? -v : v;
}
