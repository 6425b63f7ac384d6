/**
 * The parts of an interior point iteration (pdipm.ts) that need no linear algebra: the measures of
 * the iterate, the complementarity target, the step to the boundary and the step itself.
 */
import type { Iterate, ProblemData, Workspace } from "./workspace.js";

export interface Measures {
  primalResidual: Float64Array;
  dualResidual: Float64Array;
  gap: Float64Array;
  /** The largest of the measures and of their scale-free forms: how close to the end (iterate). */
  progress: Float64Array;
  /** The complementarity s'lam / p of the iterate measured (0 without inequalities). */
  mu: Float64Array;
  /** ‖Qz + q‖∞ of the iterate measured (in the equilibrated data). */
  objectiveScale: Float64Array;
}

/** s and lam stay strictly positive: step to this fraction of the boundary, or more near the end. */
export const STEP_TO_BOUNDARY = 0.99;
/**
 * The largest fraction: a blocking s_i or lam_i keeps at least 1e-4 of itself. Closer, a Newton
 * direction solved only to DIRECTION_TOLERANCE could leave a pair so far off the central path that
 * the next factorizations lose accuracy (seen as stalls when the directions are less exact).
 */
export const LARGEST_STEP_TO_BOUNDARY = 1 - 1e-4;

/**
 * The fraction of the step to the boundary that is taken. A fixed fraction 0.99 leaves 1% of every
 * residual behind, so the last iterations gain only a factor 100 each; a fraction 1 − progress
 * (never below 0.99) leaves ~progress², and the step may reach 1 once the boundary lies beyond
 * 1/eta.
 */
export function stepFraction(progress: number): number {
  return progress < 1 - STEP_TO_BOUNDARY
    ? Math.min(LARGEST_STEP_TO_BOUNDARY, 1 - progress)
    : STEP_TO_BOUNDARY;
}

/** a / b, and 0 when a is (also when b is). */
export function relativeTo(a: number, b: number): number {
  return a === 0 ? 0 : a / b;
}

/** max_j |rd_j| / columnScale_j: the dual residual, scale free. */
export function scaleFreeDualResidual(ws: Workspace, k: number): number {
  const { n } = ws.data;
  const { rd } = ws.iterate;
  const { columnScale } = ws.scratch;
  let norm = 0;
  for (let j = 0; j < n; j++)
    norm = Math.max(norm, relativeTo(Math.abs(rd[k * n + j]), columnScale[j]));
  return norm;
}

/**
 * rc_i / (s_i + delta·lam_i) for rc = s∘lam − target + (dsAff∘dlamAff when corrected): rc_i / s_i
 * without the proximal delta.
 */
export function complementarityOverS(
  i: number,
  s: Float64Array,
  lam: Float64Array,
  target: number,
  corrected: boolean,
  dsAff: Float64Array,
  dlamAff: Float64Array,
  delta = 0,
): number {
  const second = corrected ? dsAff[i] * dlamAff[i] : 0;
  if (delta === 0) return lam[i] + (second - target) / s[i];
  return (s[i] * lam[i] + second - target) / (s[i] + delta * lam[i]);
}

/**
 * A component of a direction smaller than this, relative to 1 + |h_i| for ds_i and to
 * 1 + ‖lam‖∞ for dlam_i, is rounding, not a move: it does not block the step (stepToBoundary).
 */
const NEGLIGIBLE_MOVE = 2.2e-16;
/**
 * For ds_i, relative to 1 + |h_i|: a Newton direction is solved only to DIRECTION_TOLERANCE
 * (1e-9 relative to its right-hand side, kkt.ts), so a slack's move this small is within the
 * direction's own error. With structure: false, Maros–Meszaros QPCBOEI1's bound row 105 (h 128
 * equilibrated) kept s 6e-32, ds −5.3e-13, which cut each step by 1e-4 from iteration 22 on; the
 * member froze with its gap at 4.4e-6 and ended numerical_error, where the bound-row path solves
 * it in 23 iterations.
 */
const NEGLIGIBLE_SLACK_MOVE = 1e-13;

/**
 * Largest α ≤ cap with s + α ds ≥ 0 and lam + α dlam ≥ 0, where a component that moves s_i or
 * lam_i by less than rounding or the direction's error (NEGLIGIBLE_SLACK_MOVE, NEGLIGIBLE_MOVE) does not block: takeStep keeps it positive. A
 * slack far below mu whose ds is the rounding of its row (Maros–Meszaros QSTAIR: s 6e-53,
 * ds −1.6e-25, lam 1.3e4) would otherwise cut every step to ~1e-28 and shrink by 1e-4 per
 * iteration until it underflows to 0, and the member ends numerical_error at a point whose
 * residuals are 1e-14.
 */
export function stepToBoundary(
  data: ProblemData,
  iterate: Iterate,
  k: number,
  cap: number,
): number {
  const { p, h, stride } = data;
  const { s, lam, ds, dlam } = iterate;
  const hOff = k * stride.h - k * p;
  let lamSize = 0;
  for (let i = k * p; i < (k + 1) * p; i++) lamSize = Math.max(lamSize, lam[i]);
  const negligibleDlam = -NEGLIGIBLE_MOVE * (1 + lamSize);
  let alpha = cap;
  // For ds_i < 0, −s_i/ds_i < α ⟺ α·ds_i < −s_i (never true for ds_i ≥ 0, as s_i > 0): a division
  // only where α shrinks
  for (let i = k * p; i < (k + 1) * p; i++) {
    if (alpha * ds[i] < -s[i] && ds[i] < -NEGLIGIBLE_SLACK_MOVE * (1 + Math.abs(h[hOff + i]))) {
      alpha = -s[i] / ds[i];
    }
    if (alpha * dlam[i] < -lam[i] && dlam[i] < negligibleDlam) alpha = -lam[i] / dlam[i];
  }
  return alpha;
}

/** (z, s, lam, nu) += α (dz, ds, dlam, dnu), refused (nothing changes) unless all stay finite. */
export function takeStep(
  data: ProblemData,
  iterate: Iterate,
  k: number,
  alpha: number,
): "continue" | "numerical_error" {
  const { n, m, p } = data;
  const { z, s, lam, nu, dz, ds, dlam, dnu } = iterate;
  if (!(alpha > 0)) return "numerical_error";
  // (v + α dv)·0 is ±0 for a finite entry and NaN otherwise, so the sum is 0 exactly when every
  // entry stays finite: one branch-free pass instead of a test per entry.
  let nonFinite = 0;
  for (let i = k * n; i < (k + 1) * n; i++) nonFinite += (z[i] + alpha * dz[i]) * 0;
  for (let i = k * m; i < (k + 1) * m; i++) nonFinite += (nu[i] + alpha * dnu[i]) * 0;
  for (let i = k * p; i < (k + 1) * p; i++) {
    nonFinite += (s[i] + alpha * ds[i]) * 0 + (lam[i] + alpha * dlam[i]) * 0;
  }
  if (nonFinite !== 0) return "numerical_error";
  for (let i = k * n; i < (k + 1) * n; i++) z[i] += alpha * dz[i];
  for (let i = k * m; i < (k + 1) * m; i++) nu[i] += alpha * dnu[i];
  // a component too small to block (stepToBoundary) leaves its s_i or lam_i at the fraction of
  // itself that a blocking one would: it moves by rounding at most, and stays positive
  for (let i = k * p; i < (k + 1) * p; i++) {
    const si = s[i] + alpha * ds[i];
    const li = lam[i] + alpha * dlam[i];
    s[i] = si > 0 ? si : s[i] * (1 - LARGEST_STEP_TO_BOUNDARY);
    lam[i] = li > 0 ? li : lam[i] * (1 - LARGEST_STEP_TO_BOUNDARY);
  }
  return "continue";
}
