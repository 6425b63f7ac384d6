/**
 * Batched primal-dual interior point method (Mehrotra predictor–corrector, as in CVXGEN and
 * qpth) for, per batch member,
 *
 *     minimize 1/2 z'Qz + q'z  s.t.  Az = b,  Gz + s = h,  s ≥ 0
 *
 * with duals nu (equalities) and lam ≥ 0 (inequalities): Qz + q + A'nu + G'lam = 0, s∘lam = 0.
 * Every member has its own status and iteration count; a member that has stopped no longer
 * changes. Each iteration factors the reduced KKT system once and solves it twice, with the
 * form kkt/choose.ts picks for the member.
 */
import { isPrimalInfeasible, isRecessionDirection, rowSize } from "./certificates.js";
import { chooseSmallMember, eliminatedColumns, factorKkt, solveKkt } from "./kkt/choose.js";
import {
  DIRECTION_TOLERANCE,
  EXACT_STEP_TOLERANCE,
  FORWARD_SPLIT_WEIGHT,
  SOLUTION_SPLIT_WEIGHT,
} from "./kkt/form.js";
import { analyseMember } from "./kkt/plan.js";
import { chooseKernels } from "./choose-kernels.js";
import { exactCallerMeasures } from "./exact-measures.js";
import type { DenseKernels } from "./kernels/types.js";
import { makeBackward } from "./backward.js";
import {
  factorSmallMember,
  measureSmallMember,
  smallMemberDirection,
  smallMemberEngine,
  type SmallMemberEngine,
} from "./kkt/small-wasm.js";
import {
  multiplyGPair,
  multiplyGTransposed,
  raiseScalesBySparseG,
  rowMaximaOfSparseG,
} from "./g-operator.js";
import {
  equilibrate,
  identityScaling,
  scaleIterate,
  scaleUpstream,
  unscaleGradients,
  unscaleIterate,
  type Scaling,
} from "./scaling.js";
import type { QPBatch, QPBatchSolution, QPStatus, SolverOptions } from "./types.js";
import { validateBatch, validateStructure, validateWarmStart } from "./validate-batch.js";
import {
  complementarityOverS,
  relativeTo,
  scaleFreeDualResidual,
  stepFraction,
  stepToBoundary,
  takeStep,
  type Measures,
} from "./steps.js";
import {
  copyInto,
  createWorkspace,
  multiplyQ,
  workspaceLength,
  type Workspace,
} from "./workspace.js";

const DEFAULT_EPS = 1e-9;
const DEFAULT_EPS_ABS = 0;
const DEFAULT_MAX_ITER = 50;
/**
 * The proximal regularization (rho, delta) of the forward iterations, in the equilibrated data
 * (scaling.ts: norms near 1). It starts at PROXIMAL_START and falls with the complementarity mu,
 * never below PRIMAL_PROXIMAL_FLOOR and PROXIMAL_FLOOR (PIQP's schedule). Without inequalities there is no mu: it stays at
 * EQUALITY_PROXIMAL_START, so that the first Newton step leaves residuals ~1e-8 of the
 * right-hand side and the second rounding level.
 */
const PROXIMAL_START = 1e-6;
const PROXIMAL_FLOOR = 1e-10;
/**
 * rho's own floor: K's columns where Q is zero (a least squares' unknowns) carry rho alone, and
 * the Schur block of the equalities over them grows like 1/rho; at 1e-10 its directions lose
 * the accuracy the last iterations need (NNLS with A, b ×1e4 then ended max_iterations with its
 * primal residual stalled at 4e-9 relative). Maros–Meszaros gives the same results with either.
 */
const PRIMAL_PROXIMAL_FLOOR = 1e-8;
const EQUALITY_PROXIMAL_START = 1e-8;
/**
 * delta without inequalities (equalities in K: K + A'A/delta). Their solves are refined against
 * [Q A'; A 0] itself (schur-block.ts `refine`, proximalRemoved), so delta sets only how well K's
 * factor preconditions that refinement. Least squares with Σx = 1 and A, b ×1e-4 (curvature
 * along x ~1e-8): at 1e-8 the rank-one A'A/delta of Σx = 1 buries that curvature in K's factor
 * and the refinement diverges for one member of 8; at 1e-7 all 8 solve at the cold start, x
 * within 3e-6 of k = 0. Larger delta slows the refinement of the multipliers: at 3e-7 and 1e-6
 * the inconsistent rank-deficient equalities of statuses.test.ts end max_iterations instead of
 * infeasible (and at 1e-6 ν of the one-step test is off by 1e-12).
 */
const EQUALITY_ONLY_DELTA = 1e-7;
/**
 * A member whose Newton directions leave more than half of the equality residual, and more than
 * this relative to 1 + ‖b‖∞ (equilibrated), has rho's floor raised a hundredfold, up to
 * PROXIMAL_START (equalityStepFails). Where columns have no curvature but rho, the Schur block
 * A K⁻¹ A' holds entries ~1/rho beside rows it barely couples, and its solve loses the equality
 * rows: on Maros–Meszaros QCAPRI (unscaled, free columns in equality rows) the primal residual
 * stalled at 2.5 for 40 iterations at rho = 1e-8, and solves in 32 once the floor is 1e-6. A
 * floor of 1e-6 for every member instead stalls the dual residual of QBEACONF, QSHARE1B and
 * QFORPLAN, so it is raised only where a direction is seen to fail.
 */
const EQUALITY_STEP_THRESHOLD = 1e-6;
/**
 * Multiplier terms beyond this times 1 + the objective's gradient, without a certificate: the
 * member's duals diverge (as on problems whose optimal multipliers are unbounded), and a point
 * with residuals made of cancelling huge terms is not a solution to hand to the backward pass
 * (multipliersDiverged).
 */
const DIVERGED_MULTIPLIER = 1e12;
/**
 * The small-member kernels leave the measures and the KKT work to the general code once their
 * relative primal residual and gap are below the tolerance, or this where the tolerance is
 * absolute only (eps = 0).
 */
const SMALL_MEMBER_HANDOFF = 1e-10;
/**
 * A measure meets its tolerance only with room for its own rounding, so that a point whose
 * measure is within rounding of the tolerance, in this solver's order of summation or in that of
 * whoever checks it, is not claimed: each residual twice the unit roundoff times its largest
 * term; the gap as computeResiduals says (a gap made of products of 1e8 is known to ~1e-7 at
 * best).
 */
const ROUNDING = 2.2e-16;

/**
 * The room kept on a measure summed exactly (exact-measures.ts), relative to it: the
 * double-double sum is right to ~u·|measure| + N·u²·Σ|terms| (~1e-20 on Maros–Meszaros), and the
 * product by c rounds once.
 */
const EXACT_MEASURE_ROOM = 1e-12;
/**
 * With an absolute tolerance only, a dual residual up to this times epsAbs, as the float64 sum
 * reads it, is measured exactly before it is refused (its terms' rounding may be all of it).
 */
const NEAR_TOLERANCE = 4;

/** A warm start's s and lam are raised to at least this, so the iteration starts interior. */
const WARM_START_FLOOR = 1e-3;

/**
 * Solves every member of the batch; see QPBatchSolution for what comes back. `kernels`, when
 * given, overrides `options.kernels`. The iteration runs on the equilibrated batch (scaling.ts);
 * every output, the stopping test and the backward pass are in the caller's units.
 */
export function solveBatch(
  problem: QPBatch,
  options: SolverOptions = {},
  kernels?: DenseKernels,
): QPBatchSolution {
  validateBatch(problem);
  validateWarmStart(problem, options.warmStart);
  validateStructure(problem);
  const { batch, n, m, p } = problem;
  const equilibrated =
    options.scaling === false
      ? { scaled: problem, scaling: identityScaling(problem) }
      : equilibrate(problem);
  const { scaled, scaling } = equilibrated;
  const warmStart =
    options.warmStart && scaled !== problem
      ? scaleIterate(scaling, problem, options.warmStart)
      : options.warmStart;
  const inner = solveEquilibrated(scaled, { ...options, warmStart }, scaling, kernels);
  // data left as it was (scaling.ts): nothing to undo
  if (scaled === problem) return inner;
  const z = inner.z.slice();
  const s = inner.s.slice();
  const lam = inner.lam.slice();
  const nu = inner.nu.slice();
  unscaleIterate(scaling, problem, z, s, lam, nu);
  return {
    ...inner,
    z,
    s,
    lam,
    nu,
    backward: (dz, request, into) => {
      if (dz.length !== batch * n) {
        throw new Error(`backward: dz has length ${dz.length}, expected batch×n = ${batch * n}`);
      }
      const grads = inner.backward(scaleUpstream(scaling, batch, n, dz), request, into);
      return unscaleGradients(scaling, { batch, n, m, p }, grads);
    },
  };
}

/** The iteration on a batch already equilibrated by `scaling`. */
function solveEquilibrated(
  problem: QPBatch,
  options: SolverOptions,
  scaling: Scaling,
  kernels?: DenseKernels,
): QPBatchSolution {
  const eps = options.eps ?? DEFAULT_EPS;
  const tolerance: Tolerance = {
    eps,
    epsAbs: options.epsAbs ?? DEFAULT_EPS_ABS,
    smallHandoff: eps > 0 ? eps : SMALL_MEMBER_HANDOFF,
  };
  const maxIter = options.maxIter ?? DEFAULT_MAX_ITER;
  const { batch, n, m, p } = problem;
  const structure = options.structure ?? true;
  // without structure, stated bound rows are rows of G like the others (G's data holds them)
  const solved = structure ? problem : { ...problem, structure: undefined };
  const length = workspaceLength(solved);
  // Small dense members iterate in WebAssembly (kkt/small-wasm.ts) unless kernels are chosen
  const small =
    kernels === undefined && options.kernels === undefined && structure
      ? smallMemberEngine(solved)
      : null;
  const ws = createWorkspace(
    solved,
    chooseKernels(kernels ?? options.kernels, n, length),
    structure && (options.eliminateAuxiliary ?? true),
    structure,
    scaling,
  );
  const status: QPStatus[] = new Array<QPStatus>(batch).fill("max_iterations");
  const iterations = new Int32Array(batch);
  const measures: Measures = {
    primalResidual: new Float64Array(batch),
    dualResidual: new Float64Array(batch),
    gap: new Float64Array(batch),
    progress: new Float64Array(batch),
    mu: new Float64Array(batch),
    objectiveScale: new Float64Array(batch),
  };
  const schedule: ProximalSchedule = { rho: 0, delta: 0, mu: 0, rhoFloor: 0 };
  // Member after member, each to its end: members are independent (no batch-wide quantity enters
  // the iteration), and one member's data (Q, G, the factors: ~0.5 MB at n = p = 100) stays in
  // cache from one iteration to the next instead of being evicted by the other members'.
  for (let k = 0; k < batch; k++) {
    analyseMember(ws, k);
    // without constraints Q alone is factored: unregularized, its one Newton step is exact
    schedule.rho = schedule.delta = p > 0 ? PROXIMAL_START : m > 0 ? EQUALITY_PROXIMAL_START : 0;
    if (p === 0 && m > 0) schedule.delta = EQUALITY_ONLY_DELTA;
    schedule.mu = 0;
    schedule.rhoFloor = PRIMAL_PROXIMAL_FLOOR;
    const started = options.warmStart
      ? warmStart(ws, k, options.warmStart)
      : coldStart(ws, k, schedule);
    if (!started) {
      status[k] = "numerical_error";
      discardPoint(ws, k, measures);
      continue;
    }
    const smallMember = chooseSmallMember(small, ws, k);
    for (let iter = 0; ; iter++) {
      const last = iter === maxIter;
      const outcome = iterateMember(ws, k, tolerance, schedule, last, measures, smallMember);
      if (outcome !== "continue") {
        status[k] = outcome;
        break;
      }
      iterations[k]++;
      lowerRegularization(schedule, measures.mu[k], p);
    }
  }

  const solution = {
    batch,
    n,
    m,
    p,
    z: ws.iterate.z.slice(),
    lam: ws.iterate.lam.slice(),
    nu: ws.iterate.nu.slice(),
    s: ws.iterate.s.slice(),
    status,
    iterations,
    primalResidual: measures.primalResidual,
    dualResidual: measures.dualResidual,
    gap: measures.gap,
    workspaceBytes: 8 * length,
    kernels: ws.data.kernels.name,
    eliminatedColumns: Int32Array.from(status, (_, k) => eliminatedColumns(ws, k)),
  };
  const { data, factorization, scratch } = ws;
  const backward = makeBackward(
    { data, factorization, solution },
    { scratch, dz: ws.iterate.dz, dnu: ws.iterate.dnu },
  );
  return { ...solution, backward };
}

/** The stopping tolerances (SolverOptions.eps and epsAbs). */
interface Tolerance {
  eps: number;
  epsAbs: number;
  /** Where the small-member kernels leave the measures to the general ones (measureSmallMember). */
  smallHandoff: number;
}

/** The proximal regularization of the member being solved, and the mu it was last lowered at. */
interface ProximalSchedule {
  rho: number;
  delta: number;
  mu: number;
  /** rho's floor for this member: PRIMAL_PROXIMAL_FLOOR, raised where equality steps fail */
  rhoFloor: number;
}

/**
 * rho and delta fall with mu (by the factor mu fell since the last iteration), never below the
 * floor; without inequalities a hundredfold per iteration.
 */
function lowerRegularization(schedule: ProximalSchedule, mu: number, p: number): void {
  // without inequalities the first step leaves ~rho of the residual and the second ~rho²: rho
  // stays where the Schur block of a Q singular on many columns is still factored accurately
  if (p === 0) return;
  if (schedule.mu > 0 && mu < schedule.mu) {
    const ratio = mu / schedule.mu;
    schedule.rho = Math.max(schedule.rhoFloor, schedule.rho * ratio);
    schedule.delta = Math.max(PROXIMAL_FLOOR, schedule.delta * ratio);
  }
  schedule.mu = mu;
}

/** A member whose start overflowed returns zeros, never NaN, with infinite residuals. */
function discardPoint(ws: Workspace, k: number, measures: Measures): void {
  const { n, m, p } = ws.data;
  const { z, nu, s, lam } = ws.iterate;
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
function coldStart(ws: Workspace, k: number, schedule: ProximalSchedule): boolean {
  const { data, scratch } = ws;
  const { n, m, p, q, h, b } = data;
  const { z, nu, s, lam } = ws.iterate;
  const { r1, r2, tp } = scratch;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  s.fill(1, pOff, pOff + p);
  rowWeights(ws, k, lam);
  if (!factorKkt(ws, k, FORWARD_SPLIT_WEIGHT, schedule.rho, schedule.delta)) return false;
  // r1 = −q + G'(c∘h), r2 = b
  for (let i = 0; i < n; i++) r1[nOff + i] = -q[k * data.stride.q + i];
  for (let i = 0; i < p; i++) tp[pOff + i] = lam[pOff + i] * h[k * data.stride.h + i];
  multiplyGTransposed(ws, k, 1, tp, pOff, 1, r1, nOff);
  for (let i = 0; i < m; i++) r2[mOff + i] = b[k * data.stride.b + i];
  solveKkt(ws, k, z, nOff, nu, mOff, p === 0 ? EXACT_STEP_TOLERANCE : DIRECTION_TOLERANCE);
  if (p === 0) return allFinite(z, nOff, n) && allFinite(nu, mOff, m);
  // s = h − Gz (the solve left Gz in gx)
  for (let i = pOff; i < pOff + p; i++) s[i] = -scratch.gx[i];
  let minS = Infinity;
  let minLam = Infinity;
  let normS = 0;
  let normLam = 0;
  for (let i = 0; i < p; i++) {
    const si = s[pOff + i] + h[k * data.stride.h + i];
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
  const { data } = ws;
  const { n, p, Q, G } = data;
  const qOff = k * data.stride.Q;
  const gOff = k * data.stride.G;
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
  const { n, m, p } = ws.data;
  const { z, nu, s, lam } = ws.iterate;
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
 * the predictor–corrector step, a Newton step of the proximally regularized KKT system (its
 * right-hand side is the true residual: the proximal centres are the current iterate, as in
 * Friedlander and Orban's regularized method, so the regularization changes the path, never the
 * solution). A member that stops as solved is factored once more at the returned point, without
 * regularization, in the accurate form the backward pass needs.
 */
function iterateMember(
  ws: Workspace,
  k: number,
  tolerance: Tolerance,
  schedule: ProximalSchedule,
  lastIteration: boolean,
  measures: Measures,
  small: SmallMemberEngine | null,
): QPStatus | "continue" {
  const { data, iterate } = ws;
  // A small dense member measures, factors and solves in WebAssembly while it is far from its
  // end (kkt/small-wasm.ts); where that engine declines, the general measures and forms take
  // the iteration from its start, the iterate unchanged.
  const engine =
    small !== null &&
    !lastIteration &&
    measureSmallMember(small, ws, k, tolerance.smallHandoff, measures)
      ? small
      : null;
  const converged = engine === null && computeResiduals(ws, k, measures, tolerance);
  const mu = measures.mu[k];
  if (!Number.isFinite(measures.gap[k] + measures.primalResidual[k] + measures.dualResidual[k])) {
    // products of a huge iterate overflowed: stop here, at the last finite point
    measures.primalResidual[k] = measures.dualResidual[k] = measures.gap[k] = Infinity;
    return "numerical_error";
  }
  if (isPrimalInfeasible(ws, k, iterate.nu, iterate.lam)) return "infeasible";
  if (multipliersDiverged(ws, k, measures.objectiveScale[k])) return "numerical_error";
  // The factorization at the solution is kept for the backward pass.
  if (converged) return factorKkt(ws, k, SOLUTION_SPLIT_WEIGHT) ? "solved" : "numerical_error";
  if (lastIteration) return "max_iterations";
  const { rho, delta } = schedule;
  if (engine !== null) {
    if (!factorSmallMember(engine, ws, k, rho)) {
      return iterateMember(ws, k, tolerance, schedule, lastIteration, measures, null);
    }
  } else if (!factorKkt(ws, k, FORWARD_SPLIT_WEIGHT, rho, delta)) return "numerical_error";

  const { n, p } = data;
  const { s, lam, dz, ds, dlam, dnu, dsAff, dlamAff } = iterate;
  const nOff = k * n;
  const pOff = k * p;

  // Predictor (affine scaling): s∘lam + s∘dlam + lam∘ds = 0
  if (engine !== null) smallMemberDirection(engine, ws, k, 0, false);
  else newtonDirection(ws, k, 0, false);
  if (p === 0) {
    // Without inequalities the Newton step is exact: no centering, no step length.
    if (isRecessionDirection(ws, k, dz, nOff)) return "unbounded";
    return takeStep(data, iterate, k, 1);
  }
  const alphaAff = stepToBoundary(data, iterate, k, 1);
  // mu_aff = (s + α ds)'(lam + α dlam) / p;  sigma = (mu_aff / mu)³; the affine direction kept
  let muAff = 0;
  for (let i = pOff; i < pOff + p; i++) {
    dsAff[i] = ds[i];
    dlamAff[i] = dlam[i];
    muAff += (s[i] + alphaAff * ds[i]) * (lam[i] + alphaAff * dlam[i]);
  }
  muAff /= p;
  const ratio = muAff / mu;
  const sigma = mu > 0 ? Math.min(1, Math.max(0, ratio * ratio * ratio)) : 0;

  // Corrector: s∘lam + s∘dlam + lam∘ds = sigma·mu − dsAff∘dlamAff
  if (engine !== null) smallMemberDirection(engine, ws, k, sigma * mu, true);
  else newtonDirection(ws, k, sigma * mu, true);
  // a direction that loses the equality rows raises rho's floor for the member's next ones
  if (data.m > 0 && equalityStepFails(ws, k)) {
    schedule.rhoFloor = Math.min(PROXIMAL_START, Math.max(schedule.rhoFloor, rho) * 100);
    schedule.rho = Math.max(schedule.rho, schedule.rhoFloor);
  }
  if (isRecessionDirection(ws, k, dz, nOff)) return "unbounded";
  if (isPrimalInfeasible(ws, k, dnu, dlam)) return "infeasible";
  const eta = stepFraction(measures.progress[k]);
  const alpha = Math.min(1, eta * stepToBoundary(data, iterate, k, 1 / eta));
  return takeStep(data, iterate, k, alpha);
}

/**
 * Whether the Newton direction of member k leaves most of its equality residual: the rows
 * A dz − delta·dnu = −re met to worse than half of ‖re‖∞, and worse than EQUALITY_STEP_THRESHOLD
 * relative to 1 + ‖b‖∞ (near a solution re is at rounding level, and so is the error). Uses c2.
 */
function equalityStepFails(ws: Workspace, k: number): boolean {
  const { data, factorization } = ws;
  const { n, m, A, kernels } = data;
  const { dz, dnu, re } = ws.iterate;
  const { c2 } = ws.scratch;
  const mOff = k * m;
  kernels.gemv(A, k * data.stride.A, m, n, false, 1, dz, k * n, 0, c2, mOff);
  const delta = factorization.delta[k];
  let residual = 0;
  let error = 0;
  let size = 0;
  for (let i = 0; i < m; i++) {
    residual = Math.max(residual, Math.abs(re[mOff + i]));
    error = Math.max(error, Math.abs(c2[mOff + i] - delta * dnu[mOff + i] + re[mOff + i]));
    size = Math.max(size, Math.abs(data.b[k * data.stride.b + i]));
  }
  return error > 0.5 * residual && error > EQUALITY_STEP_THRESHOLD * (1 + size);
}

/**
 * Whether member k's multipliers have diverged: some lam_i‖g_i‖∞ or |nu_i|‖a_i‖∞ beyond
 * DIVERGED_MULTIPLIER times 1 + the objective's gradient ‖Qz + q‖∞ (measures.objectiveScale),
 * so that the terms of A'nu + G'lam can only cancel each other. A multiplier as large as the
 * gradient it balances (1e12 for a bound at z = 1e12 of ½‖z‖²) is not divergence.
 */
function multipliersDiverged(ws: Workspace, k: number, objectiveScale: number): boolean {
  const { data } = ws;
  const { n, m, p, A, G } = data;
  const { lam, nu } = ws.iterate;
  const limit = DIVERGED_MULTIPLIER * (1 + objectiveScale);
  for (let i = 0; i < p; i++) {
    const li = lam[k * p + i];
    // the row's size only where the multiplier alone could pass the limit (rarely)
    if (!(li <= limit) && !(li * rowSize(G, k * data.stride.G + i * n, n) <= limit)) return true;
  }
  for (let i = 0; i < m; i++) {
    const ni = Math.abs(nu[k * m + i]);
    if (!(ni <= limit) && !(ni * rowSize(A, k * data.stride.A + i * n, n) <= limit)) return true;
  }
  return false;
}

/**
 * rd = Qz + q + A'nu + G'lam, re = Az − b, ri = Gz + s − h of member k (in the equilibrated data,
 * for the Newton step), its measures in the caller's units (QPBatchSolution.primalResidual and
 * the others; mu = s'lam / p), and whether it meets the stopping test (SolverOptions.eps and
 * epsAbs). The absolute part is in the caller's units: each row's residual, each column's, and
 * the gap against epsAbs. The relative part is measured in the equilibrated data, where rows and
 * columns are of comparable size: residuals against eps·(1 + the largest term of their kind), and
 * each complementary pair on its own. Every measure keeps room for its own rounding (ROUNDING).
 */
function computeResiduals(
  ws: Workspace,
  k: number,
  measures: Measures,
  tolerance: Tolerance,
): boolean {
  const { data, scratch } = ws;
  const { kernels, n, m, p, q, A, b, h, stride } = data;
  const { z, s, lam, nu, rd, re, ri } = ws.iterate;
  const { tn } = scratch;
  const { eps, epsAbs } = tolerance;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  const { D, EA, EG, c: costFactors } = data.scaling;
  const dOff = k * data.scalingStride.D;
  const eaOff = k * data.scalingStride.EA;
  const egOff = k * data.scalingStride.EG;
  const c = costFactors[k];

  // rd = Qz; z'Qz and q'z
  multiplyQ(data, k, z, nOff, rd, nOff);
  const { columnScale } = scratch;
  let zQz = 0;
  let qz = 0;
  // Σ of the absolute products the gap sums
  let gapTerms = 0;
  const sumRounding = 0.5 * ROUNDING * Math.sqrt(n + m + p);
  let objectiveScale = 0;
  for (let i = 0; i < n; i++) {
    const qi = q[k * stride.q + i];
    zQz += z[nOff + i] * rd[nOff + i];
    qz += z[nOff + i] * qi;
    gapTerms += Math.abs(z[nOff + i] * rd[nOff + i]) + Math.abs(z[nOff + i] * qi);
    columnScale[i] = Math.max(Math.abs(rd[nOff + i]), Math.abs(qi));
    rd[nOff + i] += qi;
    objectiveScale = Math.max(objectiveScale, Math.abs(rd[nOff + i]));
  }
  measures.objectiveScale[k] = objectiveScale;
  // rd += A'nu, then += G'lam, each term's size entering the scale
  if (m > 0) {
    kernels.gemv(A, k * stride.A, m, n, true, 1, nu, mOff, 0, tn, nOff);
    addToDualResidual(ws, k);
  }
  if (p > 0) {
    // tn = G'lam and ri = Gz in one pass over G (tp receives a copy of lam)
    multiplyGPair(ws, k, z, nOff, ri, null, lam, scratch.tp, pOff, 0, tn, nOff);
    addToDualResidual(ws, k);
  }

  // re = Az − b, ri = Gz + s − h (ri holds Gz), b'nu, h'lam, s'lam, and the primal test per row:
  // |re_i| and the iterate's own |ri_i| (its slack included, so that s is the slack the backward
  // pass reads) against epsAbs in the caller's units (row i of the equilibrated data is E_i times
  // the caller's) and eps relative to 1 + the row's own terms; the reported violation in the
  // caller's units
  if (m > 0) kernels.gemv(A, k * stride.A, m, n, false, 1, z, nOff, 0, re, mOff);
  let violation = 0;
  let bNu = 0;
  let primalMet = true;
  let primalRelative = 0;
  for (let i = 0; i < m; i++) {
    const bi = b[k * stride.b + i];
    const az = re[mOff + i];
    const r = Math.abs(az - bi);
    re[mOff + i] = az - bi;
    const e = EA[eaOff + i];
    violation = Math.max(violation, r / e);
    bNu += bi * nu[mOff + i];
    gapTerms += Math.abs(bi * nu[mOff + i]);
    const scale = Math.max(Math.abs(bi), Math.abs(az));
    primalRelative = Math.max(primalRelative, r / (1 + scale));
    if (!(r + ROUNDING * scale <= e * epsAbs + eps * (1 + scale))) primalMet = false;
  }
  let hLam = 0;
  let complementarity = 0;
  for (let i = 0; i < p; i++) {
    const hi = h[k * stride.h + i];
    const si = s[pOff + i];
    const gz = ri[pOff + i];
    const e = EG[egOff + i];
    violation = Math.max(violation, (gz - hi) / e);
    const r = Math.abs(gz + si - hi);
    ri[pOff + i] = gz + si - hi;
    const li = lam[pOff + i];
    hLam += hi * li;
    gapTerms += Math.abs(hi * li);
    complementarity += si * li;
    const scale = Math.max(Math.abs(hi), si, Math.abs(gz));
    primalRelative = Math.max(primalRelative, r / (1 + scale));
    if (!(r + ROUNDING * scale <= e * epsAbs + eps * (1 + scale))) primalMet = false;
  }

  // the dual residual: column j of the equilibrated one is c·D_j times the caller's; relative to
  // 1 + its own terms
  let dual = 0;
  let dualMet = true;
  for (let j = 0; j < n; j++) {
    const unit = c * D[dOff + j];
    const r = Math.abs(rd[nOff + j]);
    dual = Math.max(dual, r / unit);
    const scale = columnScale[j];
    if (!(r + ROUNDING * scale <= unit * epsAbs + eps * (1 + scale))) dualMet = false;
  }
  // the gap z'Qz + q'z + b'nu + h'lam: c times the caller's
  const gapScaled = Math.abs(zQz + qz + bNu + hLam);
  const gapScale = Math.max(Math.abs(zQz), Math.abs(qz), Math.abs(bNu), Math.abs(hLam));
  // a sum of N = n + m + p products whose partial sums grow to gapScale carries a random walk of
  // N roundings of their size, ~(u/2)·√N·gapScale, in this solver's order and in a checker's;
  // twice that is kept (on Maros–Meszaros QSCAGR25, N = 1471 and groups of 4.4e8: 9.2e-7 by the
  // estimate, and summing the gap's groups apart or interleaved differs by 9e-7)
  const gapRounding = Math.max(ROUNDING * gapTerms, sumRounding * gapScale);
  // relative to the size of what it sums: the absolute products (≥ each of its four terms)
  const gapTolerance = c * epsAbs + eps * (1 + gapTerms);
  // the paired bounds' room costs passes over p and n: only where the rest is met
  // (and the estimate term by term only where the coarse one alone refuses)
  const productRounding = ROUNDING * gapTerms;
  const rounding =
    gapScaled + gapRounding > gapTolerance && gapScaled + productRounding <= gapTolerance
      ? Math.max(productRounding, Math.min(gapRounding, gapRoundingOfTerms(ws, k, gapScale)))
      : gapRounding;
  let gapMet =
    gapScaled + rounding <= gapTolerance &&
    gapScaled + rounding + pairedBoundsTerm(ws, k) <= gapTolerance;
  // Against an absolute tolerance the float64 measures can neither confirm nor refuse a gap (or a
  // dual residual) made of terms 1e6–1e10 times larger: where the rest is met and the gap is met
  // or within its rounding (and the equilibration's, a few u per product) of the tolerance, the
  // returned point's own measures decide, in the caller's data, summed exactly
  // (exact-measures.ts), with room only for what the exact sum and the product by c leave. A
  // point within rounding of the tolerance is then claimed where it meets it and refused where
  // it does not, by whoever sums it exactly. With eps = 0 (qpbenchmark's rule) the exact dual
  // and primal residuals decide too; the iterate's own |Gz + s − h| must still be met, so that s
  // stays the slack the backward pass reads.
  let reportedGap = gapScaled / c;
  const roundingWindow = 16 * (gapRounding + productRounding);
  if (
    epsAbs > 0 &&
    primalMet &&
    (dualMet || nearAbsolute(dual, eps, epsAbs)) &&
    (gapMet || gapScaled <= gapTolerance + roundingWindow)
  ) {
    const exact = exactCallerMeasures(ws, k);
    const room = 1 + EXACT_MEASURE_ROOM;
    reportedGap = exact.gap;
    gapMet = c * exact.gap * room + pairedBoundsTerm(ws, k) < gapTolerance;
    if (eps === 0) {
      violation = exact.primal;
      dual = exact.dual;
      primalMet = exact.primal * room < epsAbs;
      dualMet = exact.dual * room < epsAbs;
    }
  }
  // Where the terms of A'nu or G'lam cancel, each column's scale is raised to its largest single
  // term: their rounding is not a residual.
  if (primalMet && gapMet && !dualMet && eps > 0 && m + p > 0) {
    addLargestTerms(ws, k);
    dualMet = true;
    for (let j = 0; j < n; j++) {
      const unit = c * D[dOff + j];
      const r = Math.abs(rd[nOff + j]) + ROUNDING * columnScale[j];
      if (!(r <= unit * epsAbs + eps * (1 + columnScale[j]))) dualMet = false;
    }
  }

  // The relative test also settles each complementary pair on its own (unsettledPairs): the gap
  // against the objective's terms alone would let a pair of a small-scale variable keep an error
  // far above eps in z (and in the gradients).
  let pairsMet = true;
  if (eps > 0 && primalMet && dualMet && gapMet && p > 0) {
    pairsMet = unsettledPairs(ws, k) <= eps;
  }

  measures.primalResidual[k] = Math.max(violation, 0);
  measures.dualResidual[k] = dual;
  measures.gap[k] = reportedGap;
  measures.mu[k] = p > 0 ? complementarity / p : 0;
  // How close to the end, scale free (the step rule of iterate reads it)
  measures.progress[k] = Math.max(
    primalRelative,
    scaleFreeDualResidual(ws, k),
    relativeTo(Math.max(gapScaled, complementarity), gapScale),
  );
  return primalMet && dualMet && gapMet && pairsMet;
}

/**
 * Whether a measure misses an absolute-only tolerance (eps = 0) by at most NEAR_TOLERANCE times:
 * close enough to be measured exactly before it is refused.
 */
function nearAbsolute(measure: number, eps: number, epsAbs: number): boolean {
  return eps === 0 && measure <= NEAR_TOLERANCE * epsAbs;
}

/**
 * The gap's rounding, term by term: the random walk of its roundings at their largest, each
 * product t rounded by u|t| and each addition by at most min(u·gapScale, |t|) (a partial sum of
 * size ≤ gapScale rounds by at most u times that, and adding t moves it by |t| at most; a zero
 * term adds nothing). The estimate of computeResiduals counts every one of the n + m + p
 * additions at u·gapScale, where many terms of a sparse problem are zero (a variable at a zero
 * bound, a row whose h is 0): on Maros–Meszaros QADLITTL it keeps 1.35e-9, this 7.3e-10, and the
 * gap summed in the judge's order moves by 1.1e-11. Recomputes Qz into tn: only where the rest
 * of the gap test is met.
 */
function gapRoundingOfTerms(ws: Workspace, k: number, gapScale: number): number {
  const { n, m, p, q, b, h, stride } = ws.data;
  const { z, nu, lam } = ws.iterate;
  const { tn } = ws.scratch;
  const u = 0.5 * ROUNDING;
  const addition = u * gapScale;
  const nOff = k * n;
  multiplyQ(ws.data, k, z, nOff, tn, nOff);
  let sum = 0;
  const add = (t: number) => {
    const size = Math.abs(t);
    const e = u * size + Math.min(addition, size);
    sum += e * e;
  };
  for (let i = 0; i < n; i++) {
    add(z[nOff + i] * tn[nOff + i]);
    add(z[nOff + i] * q[k * stride.q + i]);
  }
  for (let i = 0; i < m; i++) add(b[k * stride.b + i] * nu[k * m + i]);
  for (let i = 0; i < p; i++) add(h[k * stride.h + i] * lam[k * p + i]);
  return Math.sqrt(sum);
}

/**
 * Σ_j (u_j − l_j)·min(lam of z_j ≤ u_j, lam of z_j ≥ l_j) over the columns of member k bounded on
 * both sides by unit rows: how far the gap may move where the two bounds of a variable are folded
 * into one multiplier, as qpsolvers (and so qpbenchmark) define the gap. An interior iterate has
 * both multipliers positive; the gap counts only as met where it is met either way.
 */
function pairedBoundsTerm(ws: Workspace, k: number): number {
  const { data } = ws;
  const { n, p, G, h, unitColumn } = data;
  const { lam } = ws.iterate;
  const { upperLam, boundWidth, lowerLam } = ws.scratch;
  if (p < 2) return 0;
  const gOff = k * data.stride.G;
  const hOff = k * data.stride.h;
  upperLam.fill(-1);
  lowerLam.fill(-1);
  boundWidth.fill(0);
  for (let i = 0; i < p; i++) {
    const j = unitColumn[i];
    if (j < 0) continue;
    if (G[gOff + i * n + j] > 0) upperLam[j] = lam[k * p + i];
    else lowerLam[j] = lam[k * p + i];
    // u_j − l_j: the upper row's h is u_j, the lower row's −l_j
    boundWidth[j] += h[hOff + i];
  }
  let term = 0;
  for (let j = 0; j < n; j++) {
    if (upperLam[j] < 0 || lowerLam[j] < 0) continue;
    term += Math.abs(boundWidth[j]) * Math.min(upperLam[j], lowerLam[j]);
  }
  return term;
}

/**
 * Raises each column's scale to the largest single term |A_ij nu_i| of A'nu and lam_i|G_ij| of
 * G'lam, so that rounding in a sum whose terms cancel (the multipliers of two opposite
 * inequalities; a least squares' normal equations A'nu = 0 with large nu) is not mistaken for a
 * residual.
 */
function addLargestTerms(ws: Workspace, k: number): void {
  const { data } = ws;
  const { n, m, p, A, G } = data;
  const { nu, lam } = ws.iterate;
  const { columnScale } = ws.scratch;
  const aOff = k * data.stride.A;
  for (let i = 0; i < m; i++) {
    const ni = Math.abs(nu[k * m + i]);
    for (let j = 0; j < n; j++) {
      columnScale[j] = Math.max(columnScale[j], ni * Math.abs(A[aOff + i * n + j]));
    }
  }
  if (p === 0 || raiseScalesBySparseG(ws, k, lam, columnScale)) return;
  const gOff = k * data.stride.G;
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
function unsettledPairs(ws: Workspace, k: number): number {
  const { data } = ws;
  const { n, p, G, h } = data;
  const { ri, s, lam } = ws.iterate;
  const { columnScale, rowScratch } = ws.scratch;
  const gOff = k * data.stride.G;
  const hOff = k * data.stride.h;
  // With G sparse, each row's largest |G_ij|/(1 + columnScale_j) first, in one pass over its entries
  rowScratch.fill(0);
  const sparse = rowMaximaOfSparseG(ws, k, columnScale, rowScratch);
  let unsettled = 0;
  for (let i = 0; i < p; i++) {
    // the row's own primal scale: |h_i|, s_i and |g_i'z| (ri holds g_i'z + s_i − h_i)
    const si = s[k * p + i];
    const hi = h[hOff + i];
    const rowScale = Math.max(Math.abs(hi), si, Math.abs(ri[k * p + i] - si + hi));
    const active = si / (1 + rowScale);
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
  const { n } = ws.data;
  const { rd } = ws.iterate;
  const { tn, columnScale } = ws.scratch;
  const nOff = k * n;
  for (let j = 0; j < n; j++) {
    const t = tn[nOff + j];
    columnScale[j] = Math.max(columnScale[j], Math.abs(t));
    rd[nOff + j] += t;
  }
}

/**
 * The Newton direction (dz, ds, dlam, dnu) of member k for the complementarity target
 * s∘lam + s∘dlam + lam∘ds = target·1 − (corrected ? dsAff∘dlamAff : 0), of the system the last
 * factorization regularized (rho, delta): G dz + ds − delta·dlam = −ri, so that
 * dlam = w∘(G dz + ri − rc/lam) with w = lam/(s + delta·lam) and rc = s∘lam − target (+ the
 * corrector's term).
 */
function newtonDirection(ws: Workspace, k: number, target: number, corrected: boolean): void {
  const { n, m, p } = ws.data;
  const { s, lam, dz, ds, dlam, dnu, dsAff, dlamAff, rd, re, ri } = ws.iterate;
  const { w, delta: deltas } = ws.factorization;
  const { r1, r2, tp, yG } = ws.scratch;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  const delta = deltas[k];

  // tp = w∘ri − w∘rc/lam  (= w∘ri − rc/s without delta)
  for (let i = pOff; i < pOff + p; i++) {
    tp[i] =
      w[i] * ri[i] - complementarityOverS(i, s, lam, target, corrected, dsAff, dlamAff, delta);
  }
  // r1 = −rd − G'tp,  r2 = −re
  for (let i = nOff; i < nOff + n; i++) r1[i] = -rd[i];
  multiplyGTransposed(ws, k, -1, tp, pOff, 1, r1, nOff);
  for (let i = mOff; i < mOff + m; i++) r2[i] = -re[i];
  solveKkt(ws, k, dz, nOff, dnu, mOff, p === 0 ? EXACT_STEP_TOLERANCE : DIRECTION_TOLERANCE);
  // dlam = w∘(G dz) + tp;  ds = −ri − G dz + delta·dlam  (the solve left gx = G dz, yG = w∘(G dz))
  const { gx } = ws.scratch;
  for (let i = pOff; i < pOff + p; i++) {
    dlam[i] = yG[i] + tp[i];
    ds[i] = -gx[i] - ri[i] + delta * dlam[i];
  }
}
