/**
 * The static regularizations every form adds to make its factorization exist for positive
 * semidefinite Q and rank-deficient A; iterative refinement against the system factored removes
 * their effect from the solution.
 */
import type { KktSystem } from "../workspace.js";

/**
 * Static regularizations, relative to each diagonal entry (of Q, then of the Schur complement);
 * K's retries use a size relative to Q's largest diagonal entry instead.
 */
export const BASE_REGULARIZATION_K = 1e-11;
export const BASE_REGULARIZATION_S = 1e-13;
/** A failed Cholesky is retried with a hundredfold regularization, this many times. */
export const REGULARIZATION_RETRIES = 4;
/** The smallest regularization of K relative to the global one (see columnRegularization). */
const RELATIVE_FLOOR = 1e-10;

/** K's global regularization: relative to Q's largest diagonal entry (at least 1). */
export function kRegularizationScale(Q: Float64Array, qOff: number, n: number): number {
  let maxDiagQ = 0;
  for (let i = 0; i < n; i++) maxDiagQ = Math.max(maxDiagQ, Math.abs(Q[qOff + i * n + i]));
  return BASE_REGULARIZATION_K * Math.max(1, maxDiagQ);
}

/**
 * Every column's static regularization of member k's K at a first attempt, into out[0..n);
 * returns the global size, as a factorization records it in factorization.regK.
 */
export function firstRegularization(
  ws: KktSystem,
  k: number,
  out: Float64Array,
  rho = ws.factorization.rho[k],
): number {
  const { data } = ws;
  const { n, Q } = data;
  const qOff = k * data.stride.Q;
  const globalRegularization = kRegularizationScale(Q, qOff, n);
  for (let j = 0; j < n; j++) {
    out[j] = columnRegularization(Q, qOff, n, globalRegularization, j, rho);
  }
  return globalRegularization;
}

/**
 * Column j's static regularization of K at a first attempt: relative to each diagonal entry of Q
 * (the size of an LP's is used where Q's is 0, and no less than RELATIVE_FLOOR of it anywhere, so
 * that the backward pass stays finite): one global size would swamp the entries of variables
 * whose scale is far below the largest's, and refinement cannot undo a regularization larger than
 * the entry. Not relative to K's: a unit row's weight, up to ~1e20 on the diagonal, would then
 * perturb its multiplier's step by more than the refinement tolerance. The retries use the global
 * size. A module function: a closure made per factorization costs ~5% of the solve at n = 10.
 */
export function columnRegularization(
  Q: Float64Array,
  qOff: number,
  n: number,
  globalRegularization: number,
  j: number,
  rho: number,
): number {
  const qjj = Q[qOff + j * n + j];
  const base =
    qjj > 0
      ? Math.max(BASE_REGULARIZATION_K * qjj, RELATIVE_FLOOR * globalRegularization)
      : globalRegularization;
  return Math.max(base, rho);
}

/**
 * Every column's first-attempt regularization of member k, in the workspace's scratch: the
 * static one, or rho where that is larger (`rho`: the member's current one by default).
 */
export function columnRegularizations(
  ws: KktSystem,
  k: number,
  rho = ws.factorization.rho[k],
): Float64Array {
  const { scratch } = ws;
  firstRegularization(ws, k, scratch.columnRegularization, rho);
  return scratch.columnRegularization;
}
