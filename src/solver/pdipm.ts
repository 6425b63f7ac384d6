/**
 * Batched primal-dual interior point method (Mehrotra predictor–corrector, as in CVXGEN and
 * qpth) for, per batch member,
 *
 *     minimize 1/2 z'Qz + q'z  s.t.  Az = b,  Gz + s = h,  s ≥ 0
 *
 * with duals nu (equalities) and lam ≥ 0 (inequalities): Qz + q + A'nu + G'lam = 0, s∘lam = 0.
 * Every member has its own status and iteration count; a member that has stopped no longer
 * changes. Each iteration factors the reduced KKT system once (kkt.ts) and solves it twice.
 */
import { isPrimalInfeasible, isRecessionDirection } from "./certificates.js";
import {
  factorReducedKkt,
  DIRECTION_TOLERANCE,
  EXACT_STEP_TOLERANCE,
  FORWARD_SPLIT_WEIGHT,
  SOLUTION_SPLIT_WEIGHT,
  solveReducedKkt,
} from "./kkt.js";
import { chooseKernels } from "./choose-kernels.js";
import type { DenseKernels } from "./kernels/types.js";
import { makeBackward } from "./backward.js";
import { findEliminableColumns } from "./elimination.js";
import { iterateSmallMember, smallMemberEngine, startSmallMember } from "./small-member.js";
import {
  multiplyGPair,
  multiplyGTransposed,
  raiseScalesBySparseG,
  rowMaximaOfSparseG,
} from "./g-operator.js";
import type { QPBatch, QPBatchSolution, QPStatus, SolverOptions } from "./types.js";
import { validateBatch, validateStructure, validateWarmStart } from "./validate-batch.js";
import {
  complementarityOverS,
  dualResidualNorm,
  relativeTo,
  scaleFreeDualResidual,
  STEP_TO_BOUNDARY,
  stepFraction,
  stepToBoundary,
  takeStep,
  type Measures,
} from "./steps.js";
import {
  copyInto,
  createWorkspace,
  findUnitRows,
  measureMember,
  multiplyQ,
  transposeG,
  workspaceLength,
  type Workspace,
} from "./workspace.js";

const DEFAULT_EPS = 1e-9;
const DEFAULT_MAX_ITER = 50;
/** A warm start's s and lam are raised to at least this, so the iteration starts interior. */
const WARM_START_FLOOR = 1e-3;

/**
 * Solves every member of the batch; see QPBatchSolution for what comes back. `kernels`, when
 * given, overrides `options.kernels`.
 */
export function solveBatch(
  problem: QPBatch,
  options: SolverOptions = {},
  kernels?: DenseKernels,
): QPBatchSolution {
  validateBatch(problem);
  validateWarmStart(problem, options.warmStart);
  validateStructure(problem);
  const eps = options.eps ?? DEFAULT_EPS;
  const maxIter = options.maxIter ?? DEFAULT_MAX_ITER;
  const { batch, n, m, p } = problem;
  const structure = options.structure ?? true;
  // without structure, stated bound rows are rows of G like the others (G's data holds them)
  const solved = structure ? problem : { ...problem, structure: undefined };
  const length = workspaceLength(solved);
  // Small dense members iterate in WebAssembly (small-member.ts) unless kernels are chosen
  const small =
    kernels === undefined && options.kernels === undefined && structure
      ? smallMemberEngine(solved)
      : null;
  const ws = createWorkspace(
    solved,
    chooseKernels(kernels ?? options.kernels, n, length),
    structure && (options.eliminateAuxiliary ?? true),
    structure,
  );
  const status: QPStatus[] = new Array<QPStatus>(batch).fill("max_iterations");
  const iterations = new Int32Array(batch);
  const measures: Measures = {
    primalResidual: new Float64Array(batch),
    dualResidual: new Float64Array(batch),
    gap: new Float64Array(batch),
    progress: new Float64Array(batch),
  };
  // Member after member, each to its end: members are independent (no batch-wide quantity enters
  // the iteration), and one member's data (Q, G, the factors: ~0.5 MB at n = p = 100) stays in
  // cache from one iteration to the next instead of being evicted by the other members'.
  for (let k = 0; k < batch; k++) {
    if (ws.stride.G !== 0) {
      findUnitRows(ws, k);
      transposeG(ws, k);
    }
    measureMember(ws, k);
    findEliminableColumns(ws, k);
    const started = options.warmStart ? warmStart(ws, k, options.warmStart) : coldStart(ws, k);
    if (!started) {
      status[k] = "numerical_error";
      discardPoint(ws, k, measures);
      continue;
    }
    const smallMember = small !== null && startSmallMember(small, ws, k) ? small : null;
    for (let iter = 0; ; iter++) {
      const last = iter === maxIter;
      const fast =
        smallMember !== null && !last
          ? iterateSmallMember(smallMember, ws, k, eps, measures)
          : "general";
      const outcome = fast !== "general" ? fast : iterate(ws, k, eps, last, measures);
      if (outcome !== "continue") {
        status[k] = outcome;
        break;
      }
      iterations[k]++;
    }
  }

  const solution = {
    batch,
    n,
    m,
    p,
    z: ws.z.slice(),
    lam: ws.lam.slice(),
    nu: ws.nu.slice(),
    s: ws.s.slice(),
    status,
    iterations,
    primalResidual: measures.primalResidual,
    dualResidual: measures.dualResidual,
    gap: measures.gap,
    workspaceBytes: 8 * length,
    kernels: ws.kernels.name,
    eliminatedColumns: Int32Array.from(status, (_, k) => (ws.elimActive[k] ? ws.elimCount[k] : 0)),
  };
  return { ...solution, backward: makeBackward(ws, solution) };
}

/** A member whose start overflowed returns zeros, never NaN, with infinite residuals. */
function discardPoint(ws: Workspace, k: number, measures: Measures): void {
  const { n, m, p, z, nu, s, lam } = ws;
  z.fill(0, k * n, (k + 1) * n);
  nu.fill(0, k * m, (k + 1) * m);
  s.fill(0, k * p, (k + 1) * p);
  lam.fill(0, k * p, (k + 1) * p);
  measures.primalResidual[k] = Infinity;
  measures.dualResidual[k] = Infinity;
  measures.gap[k] = Infinity;
}

/**
 * CVXOPT's start: the least-squares point of  min 1/2 z'Qz + q'z + 1/2‖Gz − h‖²_c  s.t. Az = b,
 * then s = h − Gz and lam = c∘(Gz − h), each shifted to be at least 1 where not already
 * positive. The row weights c_i = max(1, max_j Q_jj g_ij² / ‖g_i‖⁴) keep a row whose variables
 * have a large curvature from counting for nothing against it (with Q_11 = 1e8, a bound on z_1
 * would otherwise start ~1 away from feasible with s_1 tiny, and the iteration takes dozens of
 * steps to recover); with unit rows and Q = I, c = 1 as in CVXOPT.
 */
function coldStart(ws: Workspace, k: number): boolean {
  const { n, m, p, q, h, b, z, nu, s, lam, r1, r2, tp } = ws;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  s.fill(1, pOff, pOff + p);
  rowWeights(ws, k, lam);
  if (!factorReducedKkt(ws, k, FORWARD_SPLIT_WEIGHT)) return false;
  // r1 = −q + G'(c∘h), r2 = b
  for (let i = 0; i < n; i++) r1[nOff + i] = -q[k * ws.stride.q + i];
  for (let i = 0; i < p; i++) tp[pOff + i] = lam[pOff + i] * h[k * ws.stride.h + i];
  multiplyGTransposed(ws, k, 1, tp, pOff, 1, r1, nOff);
  for (let i = 0; i < m; i++) r2[mOff + i] = b[k * ws.stride.b + i];
  solveReducedKkt(ws, k, z, nOff, nu, mOff, p === 0 ? EXACT_STEP_TOLERANCE : DIRECTION_TOLERANCE);
  if (p === 0) return allFinite(z, nOff, n) && allFinite(nu, mOff, m);
  // s = h − Gz (the solve left Gz in gx)
  for (let i = pOff; i < pOff + p; i++) s[i] = -ws.gx[i];
  let minS = Infinity;
  let minLam = Infinity;
  let normS = 0;
  let normLam = 0;
  for (let i = 0; i < p; i++) {
    const si = s[pOff + i] + h[k * ws.stride.h + i];
    s[pOff + i] = si;
    const li = -lam[pOff + i] * si;
    lam[pOff + i] = li;
    minS = Math.min(minS, si);
    minLam = Math.min(minLam, li);
    normS = Math.max(normS, Math.abs(si));
    normLam = Math.max(normLam, Math.abs(li));
  }
  shiftPositive(s, pOff, p, minS, normS);
  shiftPositive(lam, pOff, p, minLam, normLam);
  return allFinite(z, nOff, n) && allFinite(nu, mOff, m) && allFinite(s, pOff, p);
}

/** c_i = max(1, max_j Q_jj g_ij² / ‖g_i‖₂⁴) of member k's rows into c (see coldStart). */
function rowWeights(ws: Workspace, k: number, c: Float64Array): void {
  const { n, p, Q, G } = ws;
  const qOff = k * ws.stride.Q;
  const gOff = k * ws.stride.G;
  for (let i = 0; i < p; i++) {
    let norm2 = 0;
    let curvature = 0;
    for (let j = 0; j < n; j++) {
      const g2 = G[gOff + i * n + j] ** 2;
      norm2 += g2;
      curvature = Math.max(curvature, Q[qOff + j * (n + 1)] * g2);
    }
    const weight = norm2 > 0 ? curvature / (norm2 * norm2) : 1;
    c[k * p + i] = Number.isFinite(weight) ? Math.max(1, weight) : 1;
  }
}

/** v ← v + (1 − min v)·1 unless v is already comfortably positive (CVXOPT's rule). */
function shiftPositive(v: Float64Array, off: number, len: number, min: number, norm: number) {
  if (min > 1e-8 * Math.max(norm, 1)) return;
  const shift = 1 - min;
  for (let i = 0; i < len; i++) v[off + i] += shift;
}

function warmStart(ws: Workspace, k: number, start: NonNullable<SolverOptions["warmStart"]>) {
  const { n, m, p, z, nu, s, lam } = ws;
  z.set(start.z.subarray(k * n, (k + 1) * n), k * n);
  nu.set(start.nu.subarray(k * m, (k + 1) * m), k * m);
  for (let i = k * p; i < (k + 1) * p; i++) {
    s[i] = Math.max(start.s[i], WARM_START_FLOOR);
    lam[i] = Math.max(start.lam[i], WARM_START_FLOOR);
  }
  return (
    allFinite(z, k * n, n) &&
    allFinite(nu, k * m, m) &&
    allFinite(s, k * p, p) &&
    allFinite(lam, k * p, p)
  );
}

function allFinite(v: Float64Array, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}

/**
 * One interior point iteration of member k: residuals, stopping tests, then (unless it stops)
 * the predictor–corrector step. A member that stops as solved is factored once more at the
 * returned point, in the accurate form the backward pass needs.
 */
function iterate(
  ws: Workspace,
  k: number,
  eps: number,
  lastIteration: boolean,
  measures: Measures,
): QPStatus | "continue" {
  const mu = computeResiduals(ws, k, measures, eps, lastIteration);
  if (!Number.isFinite(measures.gap[k] + measures.primalResidual[k] + measures.dualResidual[k])) {
    // products of a huge iterate overflowed: stop here, at the last finite point
    measures.primalResidual[k] = measures.dualResidual[k] = measures.gap[k] = Infinity;
    return "numerical_error";
  }
  if (isPrimalInfeasible(ws, k, ws.nu, ws.lam)) return "infeasible";
  const converged =
    measures.primalResidual[k] <= eps && measures.dualResidual[k] <= eps && measures.gap[k] <= eps;
  // The factorization at the solution is kept for the backward pass.
  if (converged)
    return factorReducedKkt(ws, k, SOLUTION_SPLIT_WEIGHT) ? "solved" : "numerical_error";
  if (lastIteration) return "max_iterations";
  if (!factorReducedKkt(ws, k, FORWARD_SPLIT_WEIGHT)) return "numerical_error";

  const { n, m, p, s, lam, dz, ds, dlam, dnu, dsAff, dlamAff } = ws;
  const nOff = k * n;
  const pOff = k * p;

  // Predictor (affine scaling): s∘lam + s∘dlam + lam∘ds = 0
  newtonDirection(ws, k, 0, false);
  if (p === 0) {
    // Without inequalities the Newton step is exact: no centering, no step length.
    if (isRecessionDirection(ws, k, dz, nOff)) return "unbounded";
    return takeStep(ws, k, 1);
  }
  copyInto(ds, pOff, dsAff, pOff, p);
  copyInto(dlam, pOff, dlamAff, pOff, p);
  const alphaAff = stepToBoundary(ws, k, 1);
  // mu_aff = (s + α ds)'(lam + α dlam) / p;  sigma = (mu_aff / mu)³
  let muAff = 0;
  for (let i = pOff; i < pOff + p; i++) {
    muAff += (s[i] + alphaAff * ds[i]) * (lam[i] + alphaAff * dlam[i]);
  }
  muAff /= p;
  const ratio = muAff / mu;
  const sigma = mu > 0 ? Math.min(1, Math.max(0, ratio * ratio * ratio)) : 0;

  // Corrector: s∘lam + s∘dlam + lam∘ds = sigma·mu − dsAff∘dlamAff
  newtonDirection(ws, k, sigma * mu, true);
  if (isRecessionDirection(ws, k, dz, nOff)) return "unbounded";
  if (isPrimalInfeasible(ws, k, dnu, dlam)) return "infeasible";
  const eta = stepFraction(measures.progress[k]);
  const alpha = Math.min(1, eta * stepToBoundary(ws, k, 1 / eta));
  return takeStep(ws, k, alpha);
}

/**
 * rd = Qz + q + A'nu + G'lam, re = Az − b, ri = Gz + s − h and the relative measures of
 * member k; returns mu = s'lam / p. The dual residual and the gap are exact where they decide
 * something: when the primal residual and the total gap are within eps, and when `exact` (the
 * measures a member stops with). Elsewhere they may be larger than exact (never smaller), which
 * saves the passes over G the exact ones take on most iterations.
 */
function computeResiduals(
  ws: Workspace,
  k: number,
  measures: Measures,
  eps: number,
  exact: boolean,
): number {
  const { kernels, n, m, p, q, A, b, h, z, s, lam, nu, rd, re, ri, tn, stride } = ws;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;

  // rd = Qz, objective = z'(Qz/2 + q)
  multiplyQ(ws, k, z, nOff, rd, nOff);
  const { columnScale } = ws;
  let objective = 0;
  for (let i = 0; i < n; i++) {
    const qi = q[k * stride.q + i];
    objective += z[nOff + i] * (0.5 * rd[nOff + i] + qi);
    columnScale[i] = Math.max(Math.abs(rd[nOff + i]), Math.abs(qi));
    rd[nOff + i] += qi;
  }
  // rd += A'nu, then += G'lam, each term's size entering the scale
  if (m > 0) {
    kernels.gemv(A, k * stride.A, m, n, true, 1, nu, mOff, 0, tn, nOff);
    addToDualResidual(ws, k);
  }
  if (p > 0) {
    // tn = G'lam and ri = Gz in one pass over G (tp receives a copy of lam)
    multiplyGPair(ws, k, z, nOff, ri, null, lam, ws.tp, pOff, 0, tn, nOff);
    addToDualResidual(ws, k);
  }

  // re = Az − b
  if (m > 0) kernels.gemv(A, k * stride.A, m, n, false, 1, z, nOff, 0, re, mOff);
  let eqNorm = 0;
  let eqScale = 0;
  for (let i = 0; i < m; i++) {
    const bi = b[k * stride.b + i];
    eqScale = Math.max(eqScale, Math.abs(re[mOff + i]), Math.abs(bi));
    re[mOff + i] -= bi;
    eqNorm = Math.max(eqNorm, Math.abs(re[mOff + i]));
  }

  // ri = Gz + s − h;  mu = s'lam / p  (ri holds Gz already)
  let inNorm = 0;
  let inScale = 0;
  let complementarity = 0;
  for (let i = 0; i < p; i++) {
    const hi = h[k * stride.h + i];
    const si = s[pOff + i];
    inScale = Math.max(inScale, Math.abs(ri[pOff + i]), Math.abs(si), Math.abs(hi));
    ri[pOff + i] += si - hi;
    inNorm = Math.max(inNorm, Math.abs(ri[pOff + i]));
    complementarity += si * lam[pOff + i];
  }
  const primal = Math.max(eqNorm / (1 + eqScale), inNorm / (1 + inScale));
  const totalGap = complementarity / (1 + Math.abs(objective));

  let dual = dualResidualNorm(ws, k);
  let unsettled = 0;
  if (exact || (primal <= eps && totalGap <= eps)) {
    unsettled = unsettledPairs(ws, k, inScale);
    if (p > 0 && (exact || dual > eps || unsettled > eps)) {
      addLargestTermsOfG(ws, k);
      dual = dualResidualNorm(ws, k);
      unsettled = unsettledPairs(ws, k, inScale);
    }
  }

  measures.primalResidual[k] = primal;
  measures.dualResidual[k] = dual;
  measures.gap[k] = Math.max(totalGap, unsettled);
  // Without the 1 + of the denominators, where the step rule would look at them (iterate): data of
  // size 1e-8 must not look nearly solved while z is still 10% away (the stopping test is
  // absolute at that size).
  const measured = Math.max(primal, dual, measures.gap[k]);
  measures.progress[k] =
    measured < 1 - STEP_TO_BOUNDARY
      ? Math.max(
          measured,
          relativeTo(eqNorm, eqScale),
          relativeTo(inNorm, inScale),
          relativeTo(complementarity, Math.abs(objective)),
          scaleFreeDualResidual(ws, k),
        )
      : measured;
  return p > 0 ? complementarity / p : 0;
}

/**
 * Raises each column's scale to the largest single term lam_i|G_ij| of G'lam, so that rounding in
 * a sum whose terms cancel (as the multipliers of two opposite inequalities do) is not mistaken
 * for a residual.
 */
function addLargestTermsOfG(ws: Workspace, k: number): void {
  const { n, p, G, lam, columnScale } = ws;
  if (raiseScalesBySparseG(ws, k, lam, columnScale)) return;
  const gOff = k * ws.stride.G;
  for (let i = 0; i < p; i++) {
    const li = lam[k * p + i];
    for (let j = 0; j < n; j++) {
      columnScale[j] = Math.max(columnScale[j], li * Math.abs(G[gOff + i * n + j]));
    }
  }
}

/**
 * The least settled complementary pair. Each pair must be settled on its own: active (s_i small
 * against the primal scale: z solves the problem with h_i moved by s_i) or inactive (lam_i g_i
 * small against each column's dual scale: z solves the problem with q moved by lam_i g_i). The
 * total gap relative to the objective alone lets one pair of a large objective keep an O(1)
 * error in z, and a weakly active pair (s_i ~ lam_i ~ √mu) stop at an error of √eps.
 */
function unsettledPairs(ws: Workspace, k: number, primalScale: number): number {
  const { n, p, G, s, lam, columnScale, rowScratch } = ws;
  const gOff = k * ws.stride.G;
  // With G sparse, each row's largest |G_ij|/(1 + columnScale_j) first, in one pass over its entries
  rowScratch.fill(0);
  const sparse = rowMaximaOfSparseG(ws, k, columnScale, rowScratch);
  let unsettled = 0;
  for (let i = 0; i < p; i++) {
    const active = s[k * p + i] / (1 + primalScale);
    if (!(active > unsettled)) continue;
    let inactive = sparse ? rowScratch[i] : 0;
    for (let j = 0; j < n && !sparse; j++) {
      inactive = Math.max(inactive, Math.abs(G[gOff + i * n + j]) / (1 + columnScale[j]));
    }
    unsettled = Math.max(unsettled, Math.min(active, lam[k * p + i] * inactive));
  }
  return unsettled;
}

/** rd += tn (a term M'v of the dual residual) for member k, raising each column's scale to |tn_j|. */
function addToDualResidual(ws: Workspace, k: number): void {
  const { n, rd, tn, columnScale } = ws;
  const nOff = k * n;
  for (let j = 0; j < n; j++) {
    const t = tn[nOff + j];
    columnScale[j] = Math.max(columnScale[j], Math.abs(t));
    rd[nOff + j] += t;
  }
}

/**
 * The Newton direction (dz, ds, dlam, dnu) of member k for the complementarity target
 * s∘lam + s∘dlam + lam∘ds = target·1 − (corrected ? dsAff∘dlamAff : 0).
 */
function newtonDirection(ws: Workspace, k: number, target: number, corrected: boolean): void {
  const { n, m, p, s, lam, w, dz, ds, dlam, dnu, dsAff, dlamAff } = ws;
  const { rd, re, ri, r1, r2, tp, yG } = ws;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;

  // tp = w∘ri − rc/s  with rc = s∘lam − target + (dsAff∘dlamAff)
  for (let i = pOff; i < pOff + p; i++) {
    tp[i] = w[i] * ri[i] - complementarityOverS(i, s, lam, target, corrected, dsAff, dlamAff);
  }
  // r1 = −rd − G'tp,  r2 = −re
  for (let i = nOff; i < nOff + n; i++) r1[i] = -rd[i];
  multiplyGTransposed(ws, k, -1, tp, pOff, 1, r1, nOff);
  for (let i = mOff; i < mOff + m; i++) r2[i] = -re[i];
  solveReducedKkt(ws, k, dz, nOff, dnu, mOff, p === 0 ? EXACT_STEP_TOLERANCE : DIRECTION_TOLERANCE);
  // ds = −ri − G dz;  dlam = w∘(G dz) + tp  (the solve left gx = G dz, yG = w∘(G dz), and tp)
  const { gx } = ws;
  for (let i = pOff; i < pOff + p; i++) {
    ds[i] = -gx[i] - ri[i];
    dlam[i] = yG[i] + tp[i];
  }
}
