/**
 * Certificates that a member has no solution (DESIGN.md §2), checked on the iterates as ECOS and
 * OSQP do: an interior point method run on an infeasible problem drives the duals to infinity
 * along a Farkas direction, and on an unbounded one steps along a recession direction.
 *
 * Both tests are scale free. By weak duality a feasible problem with a feasible point z̄ can only
 * pass the infeasibility test when ‖z̄‖₁ ≥ R/CERTIFICATE_TOLERANCE, R = max(1, ‖h‖∞/max|G|,
 * ‖b‖∞/max|A|) the size of z its data asks for. A bounded one passes the unboundedness test only
 * when Q is zero along d to rounding level and its solution is huge.
 */
import { multiplyG, multiplyGTransposed } from "./g-operator.js";
import { multiplyQ, type Workspace } from "./workspace.js";

const CERTIFICATE_TOLERANCE = 1e-8;
/**
 * |(Qd)_i| ≤ this·Σ_j|Q_ij|·‖d‖∞ on every row of Q: rounding level with room for the inexact
 * Newton direction that d is.
 */
const RECESSION_CURVATURE_TOLERANCE = 1e-11;

/**
 * Primal infeasibility: y = (nu, max(lam, 0)) with ‖A'nu + G'y_lam‖∞ ≤ tol·t where
 * t = −(b'nu + h'y_lam) > tol·‖y‖∞·‖(b, h)‖∞. Checked on the iterate (nu, lam) and on the step (dnu, dlam): the
 * iterate's duals grow along a Farkas direction but keep an O(1) part, the step is much closer.
 * Uses the scratch vectors tn and tp.
 */
export function isPrimalInfeasible(
  ws: Workspace,
  k: number,
  nu: Float64Array,
  lam: Float64Array,
): boolean {
  const { data } = ws;
  const { kernels, n, m, p, A, b, h } = data;
  const { tn, tp } = ws.scratch;
  if (m + p === 0) return false;
  const mOff = k * m;
  const pOff = k * p;
  const nOff = k * n;
  let t = 0;
  // t = −(b'nu + h'max(lam, 0)), with ‖y‖∞ and ‖(b, h)‖∞
  let normY = 0;
  let normData = 0;
  for (let i = 0; i < m; i++) {
    const bi = b[k * data.stride.b + i];
    t -= bi * nu[mOff + i];
    normY = Math.max(normY, Math.abs(nu[mOff + i]));
    normData = Math.max(normData, Math.abs(bi));
  }
  for (let i = 0; i < p; i++) {
    const y = Math.max(lam[pOff + i], 0);
    const hi = h[k * data.stride.h + i];
    tp[pOff + i] = y;
    t -= hi * y;
    normY = Math.max(normY, y);
    normData = Math.max(normData, Math.abs(hi));
  }
  // t must be large against the certificate's own size and the data's, not merely positive: a row
  // of zeros whose h is −1e-17 (rounding left by the caller's arithmetic) is feasible within any
  // tolerance, and its multiplier alone would otherwise certify infeasibility
  if (!(t > CERTIFICATE_TOLERANCE * normY * normData)) return false;
  // Relative to t alone, a problem whose feasible points all lie beyond 1/tol would pass: with
  // h = 1e8 (say z₂ ≥ 1e8) that is every point. So the bound is divided by the size of z the
  // data asks for.
  const bound = (CERTIFICATE_TOLERANCE * t) / data.dataRadius[k];
  if (firstColumnExceeds(ws, k, nu, tp, bound)) return false;
  // tn = A'nu + G'max(lam, 0)
  kernels.gemv(A, k * data.stride.A, m, n, true, 1, nu, mOff, 0, tn, nOff);
  multiplyGTransposed(ws, k, 1, tp, pOff, 1, tn, nOff);
  for (let i = 0; i < n; i++) {
    if (!(Math.abs(tn[nOff + i]) <= bound)) return false;
  }
  return true;
}

/**
 * Whether |(A'nu + G'y)_0| exceeds the bound whatever the order of its sum (y at tp): most iterates
 * are far from a certificate, and this one column then settles what the whole product would. The
 * computed sum differs from any other order's by at most 2(m+p)·u·Σ|terms| (Higham's bound,
 * doubled for the other order).
 */
function firstColumnExceeds(
  ws: Workspace,
  k: number,
  nu: Float64Array,
  y: Float64Array,
  bound: number,
): boolean {
  const { data } = ws;
  const { n, m, p, A, G } = data;
  if (n === 0) return false;
  const aOff = k * data.stride.A;
  const gOff = k * data.stride.G;
  let sum = 0;
  let size = 0;
  for (let i = 0; i < m; i++) {
    const term = A[aOff + i * n] * nu[k * m + i];
    sum += term;
    size += Math.abs(term);
  }
  for (let i = 0; i < p; i++) {
    const term = G[gOff + i * n] * y[k * p + i];
    sum += term;
    size += Math.abs(term);
  }
  return Math.abs(sum) - 2 * (m + p + 1) * Number.EPSILON * size > bound;
}

/**
 * Unboundedness along d = (d, dOff): ‖Qd‖∞, ‖Ad‖∞ and max(Gd) all ≤ tol·t where t = −q'd > 0.
 * Uses the scratch vectors tn, tp and c2.
 */
export function isRecessionDirection(
  ws: Workspace,
  k: number,
  d: Float64Array,
  dOff: number,
): boolean {
  const { data } = ws;
  const { kernels, n, m, p, q, A } = data;
  const { tn, tp, c2 } = ws.scratch;
  let t = 0;
  // t = −q'd
  for (let i = 0; i < n; i++) t -= q[k * data.stride.q + i] * d[dOff + i];
  if (!(t > 0)) return false;
  const bound = CERTIFICATE_TOLERANCE * t;
  const nOff = k * n;
  // Qd must vanish against Q's own size, not only against q'd: a small but positive curvature
  // d'Qd bounds the objective along d, however long the step to its minimum.
  let normD = 0;
  for (let i = 0; i < n; i++) normD = Math.max(normD, Math.abs(d[dOff + i]));
  // Row by row where Q is dense: the first row with curvature along d usually settles it.
  const byRow = data.qSparse === null;
  if (!byRow) multiplyQ(data, k, d, dOff, tn, nOff);
  for (let i = 0; i < n; i++) {
    const rowNorm = data.qRowNorm[i];
    if (!(rowNorm > 0)) continue;
    if (byRow)
      kernels.gemv(data.Q, k * data.stride.Q + i * n, 1, n, false, 1, d, dOff, 0, tn, nOff + i);
    const limit = Math.min(bound, RECESSION_CURVATURE_TOLERANCE * rowNorm * normD);
    if (!(Math.abs(tn[nOff + i]) <= limit)) return false;
  }
  // Ad = 0 and Gd ≤ 0 each against its own row's size too: a row of size 1e-157 is not zero
  // along d because its product is below tol·t
  const mOff = k * m;
  const aOff = k * data.stride.A;
  kernels.gemv(A, aOff, m, n, false, 1, d, dOff, 0, c2, mOff);
  for (let i = 0; i < m; i++) {
    const limit = Math.min(bound, CERTIFICATE_TOLERANCE * rowSize(A, aOff + i * n, n) * normD);
    if (!(Math.abs(c2[mOff + i]) <= limit)) return false;
  }
  const pOff = k * p;
  const gOff = k * data.stride.G;
  multiplyG(ws, k, 1, d, dOff, 0, tp, pOff);
  for (let i = 0; i < p; i++) {
    if (tp[pOff + i] <= 0) continue;
    const limit = Math.min(bound, CERTIFICATE_TOLERANCE * rowSize(data.G, gOff + i * n, n) * normD);
    if (!(tp[pOff + i] <= limit)) return false;
  }
  return true;
}

/** max_j |M_ij| of the row of n entries at rowOff. */
export function rowSize(M: Float64Array, rowOff: number, n: number): number {
  let size = 0;
  for (let j = 0; j < n; j++) size = Math.max(size, Math.abs(M[rowOff + j]));
  return size;
}
