/**
 * The KKT layer's one interface. Each iteration of the PDIPM (pdipm.ts) factors member k's
 * reduced KKT system once and solves it for two right-hand sides; the backward pass solves it
 * once more with the factorization made at the solution. A `KktForm` is one way to do that,
 * in the spirit of Clarabel's KKTSolver:
 *
 * - `accepts(plan, k)`: whether the structure of member k (its StructurePlan) allows the form at
 *   all. Asked once per member, before its iterations, by choose.ts.
 * - `factor(ws, k, request)`: update the factorization for this iterate and regularization.
 *   "declined" leaves the member to the next accepted form (a failed pivot of a structured
 *   factorization, a cost count that favours another form); "failed" ends the attempt (every
 *   regularization retry failed).
 * - `solve(ws, k, x, xOff, y, yOff, tolerance)`: solve for the right-hand side (scratch.r1, scratch.r2)
 *   and refine against the system factored until `tolerance` relative to the right-hand side.
 *   Leaves G x in scratch.gx and w∘(G x) (the multipliers' step) in scratch.yG.
 *
 * The reduced system, for w = lam/(s + delta·lam):
 *
 *     [ Q + rho·I + G' diag(w) G   A'       ] [x]   [r1]
 *     [ A                          −delta·I ] [y] = [r2]
 */
import type { KktSystem } from "../workspace.js";
import type { StructurePlan } from "./plan.js";

export type FactorOutcome = "factored" | "declined" | "failed";

/**
 * What one factorization of a member is asked for, shared by the forms it tries in turn (one
 * object per plan, rewritten by each factorization: factorizations do not nest).
 */
export interface FactorRequest {
  /** Weights above it leave K for the Schur block (see schur-block.ts). */
  splitWeight: number;
  /** The proximal regularization: rho on K's diagonal, delta on the dual blocks. */
  rho: number;
  delta: number;
  /** K's global static regularization (regularization.ts). */
  globalRegularization: number;
  /** Whether L still holds Q's factor from the member's previous factorization (range-space). */
  qFactorInL: boolean;
  /** The dense rows kept in K by the split (split-rows.ts); −1 until the split is made. */
  kept: number;
}

export interface KktForm {
  /** Its index in choose.ts's list, recorded per member in factorization.form. */
  readonly id: number;
  readonly name: string;
  accepts(plan: StructurePlan, k: number): boolean;
  factor(ws: KktSystem, k: number, request: FactorRequest): FactorOutcome;
  solve(
    ws: KktSystem,
    k: number,
    x: Float64Array,
    xOff: number,
    y: Float64Array,
    yOff: number,
    tolerance: number,
  ): void;
}

/**
 * Split weights T. The n×n block holds weights up to T, so the refinement residual has a rounding
 * floor near 1e-16·T relative: the factorization at a solution, which the backward pass reuses,
 * uses T = 1e3; forward iterations, whose Newton directions need only DIRECTION_TOLERANCE = 1e-9,
 * use 1e6 (floor 1e-10): a third fewer forward factorizations then carry a Schur block than with
 * 1e4 (on the paper's problems at n = 100), with the same iteration counts.
 */
export const FORWARD_SPLIT_WEIGHT = 1e6;
export const SOLUTION_SPLIT_WEIGHT = 1e3;

export const MAX_REFINEMENT_STEPS = 3;
/** Refinement against the system without its proximal terms (schur-block.ts `refine`). */
export const EXACT_REFINEMENT_STEPS = 30;
/**
 * Refinement stops when ‖residual‖∞ ≤ tolerance·‖rhs‖∞. Newton directions of the forward
 * iterations need far less than the backward pass, whose solves ask for rounding level: the
 * stopping test measures the exact residuals of the iterate, so an inexact direction costs at
 * most an iteration, while a refinement step costs three products with the data and two
 * triangular solves. On ill-conditioned K the first solve's residual sits near the rounding floor
 * 1e-16·‖K‖‖x‖, often above 1e-12·‖rhs‖, where a second step gains nothing. Without inequalities
 * the Newton step is the solution, which gets the tight tolerance.
 */
export const DIRECTION_TOLERANCE = 1e-9;
export const EXACT_STEP_TOLERANCE = 1e-12;
export const GRADIENT_TOLERANCE = 1e-14;

/** Each form's id (factorization.form[k]), in the order choose.ts tries them; NO_FORM before a factorization. */
export const FORM_ID = {
  pathLaplacian: 0,
  eliminated: 1,
  rangeSpace: 2,
  equalitiesInK: 3,
  diagonal: 4,
  denseSchur: 5,
} as const;
export const NO_FORM = 255;
