/**
 * The range-space form: with Q positive definite, K = Q itself and every row of G that is not
 * negligible joins A in the Schur block (D = 1/w on them):
 *
 *     L L' = Q + diag(reg),   S S' = Ã Q⁻¹ Ã' + D,   Ã = [A; kept rows of G],  Y = Ã L⁻ᵀ
 *
 * Q's factor, the rows L⁻¹ã of every row of A and G and their Gram matrix do not depend on the
 * iterate: computed once per member (RangeSpaceCache), each factorization gathers its rows and
 * factors S, (m + kept)³/6 instead of n²·kept/2 + n³/6 for K (and the Schur block of the moved
 * rows). At n = p that is a quarter, and the one-time cost (the Gram matrix, ~ a factorization and
 * a half) is repaid in two. Where Q, A and G are shared by the batch, Q's factor and the cache are
 * made once per solve and serve every member.
 *
 * accepts: structure exploited and at least SAVINGS_MIN_VARIABLES columns. Declines a
 * factorization where the count says the dense form is cheaper (cost of the cache spread over
 * RANGE_SPACE_HORIZON factorizations), where a unit row's weight reaches K's diagonal, and where
 * Q's factor has a pivot² below Q_FACTOR_MIN_PIVOT of its diagonal entry (Q singular along a row:
 * there the split weight T is what keeps K well conditioned; the member is not asked again).
 * Its solves are refined against the system with rho = 0: L carries no rho.
 */
import { copyWithinArena, type KktSystem } from "../workspace.js";
import {
  DIRECTION_TOLERANCE,
  EXACT_STEP_TOLERANCE,
  FORM_ID,
  type FactorRequest,
  type KktForm,
} from "./form.js";
import { columnRegularizations } from "./regularization.js";
import {
  factorSchurBlock,
  KERNEL_LOWER,
  refine,
  solveDirectionOnce,
  solveThroughSchur,
} from "./schur-block.js";
import { negligibleWeight, SAVINGS_MIN_VARIABLES, splitRows } from "./split-rows.js";

/**
 * Smallest pivot² of Q's factor, relative to its diagonal entry. The paper's Q = U'U + 1e-3 I has
 * ~1e-3 at n = 10 to 500; a Q singular along some direction has ~1e-11, the regularization.
 */
const Q_FACTOR_MIN_PIVOT = 1e-8;
/**
 * The form's one-time cost (rows of Y and their Gram matrix) counts as spread over this many
 * factorizations when it is weighed against forming K (a member takes ~10).
 */
const RANGE_SPACE_HORIZON = 4;
/** RangeSpaceCache.of[0] when the cache serves every member (Q, A and G shared). */
const SHARED_RANGE = -2;

/**
 * What the form computes once and reuses across factorizations (`factorization.rangeCache`):
 * kernel memory, one for the batch (members are solved one after another), written by a
 * member's first range-space factorization that finds it of another member and read by that
 * member's later ones and their solves (Factorization.schurPlace 1: Y is this cache). Never by
 * the backward pass, whose factorization keeps Y in the member's own rows.
 */
export interface RangeSpaceCache {
  /**
   * The cache of member `of[0]` (−1: none yet; −2: every member, where Q, A and G are shared by
   * the batch): [A; dense rows of G] L⁻ᵀ with L Q's factor ((m+p)×n), and its Gram matrix (lower
   * triangle, (m + dense)² at stride m + dense).
   */
  readonly Y: Float64Array;
  readonly gram: Float64Array;
  readonly of: Int32Array;
  /**
   * Where Q is shared by the batch: its factor (as factorQ leaves it in L, n×n) once computed for
   * the first member that needs it, and its state (0: not yet, 1: in qFactor, −1: refused); every
   * other member copies it instead of factoring the same matrix again.
   */
  readonly qFactor: Float64Array;
  readonly qFactorState: Int8Array;
}

/**
 * The form's state of each member (`factorization.rangeSpace`): what its factorizations have
 * decided so far (`built`, `refused`, rewritten only by them) and what its current one is
 * (`tight`, which its solves read, the backward pass's included).
 */
export interface RangeSpaceState {
  /** Per member: whether it has taken the form in this solve (its cost counts so). */
  readonly built: Uint8Array;
  /** Per member: whether Q's factor was refused (a small pivot): the form declines it from then on. */
  readonly refused: Uint8Array;
  /** Per member: whether its current factorization has rows above the split weight. */
  readonly tight: Uint8Array;
  /**
   * Per member: whether a forward direction's first solve with its current factorization met
   * DIRECTION_TOLERANCE without refinement, so that its next forward solves skip the check.
   */
  readonly trusted: Uint8Array;
}

/** The cache of a batch, on the kernel buffers Y, gram and qFactor. */
export function createRangeSpaceCache(
  Y: Float64Array,
  gram: Float64Array,
  qFactor: Float64Array,
): RangeSpaceCache {
  return { Y, gram, of: Int32Array.of(-1), qFactor, qFactorState: new Int8Array(1) };
}

/** The state of a batch of `batch` members. */
export function createRangeSpaceState(batch: number): RangeSpaceState {
  return {
    built: new Uint8Array(batch),
    refused: new Uint8Array(batch),
    tight: new Uint8Array(batch),
    trusted: new Uint8Array(batch),
  };
}

export const rangeSpace: KktForm = {
  id: FORM_ID.rangeSpace,
  name: "range-space",
  accepts: (plan) => plan.structure && plan.n >= SAVINGS_MIN_VARIABLES,
  factor(ws, k, request) {
    const { data, factorization } = ws;
    const kept = splitRows(ws, k, request);
    if (!useFactorOfQ(ws, k, kept, negligibleWeight(request.splitWeight), request)) {
      return "declined";
    }
    // L is Q's factor (static regularization only), and Q is positive definite: the system is
    // unregularized in z
    factorization.rho[k] = 0;
    factorization.regK[k] = request.globalRegularization;
    factorization.rangeSpace.trusted[k] = 0;
    const inCache = factorization.schurCount[k] === data.denseCount[0];
    return factorSchurBlock(ws, k, request, gatherRows, inCache, gramRowsOfBlock)
      ? "factored"
      : "failed";
  },
  solve(ws, k, x, xOff, y, yOff, tolerance) {
    // Once rows weigh more than the split weight, this form's first solve leaves a residual ~100×
    // the dense form's (Q⁻¹ without the split weight's lift along those rows): near 1e-10, which
    // passes DIRECTION_TOLERANCE but stalls the last iterations (the paper's problems at n = 500
    // then hit the iteration limit). One more step brings it to ~1e-15. Before that, the loose
    // tolerance gives the same iteration counts (n = 100 and 500) for fewer steps.
    //
    // Then the first solve's residual is 1e-11 to 2.5e-10 of the right-hand side on the paper's
    // problems (n = 100 and 500), and a factorization's solves are about equally exact: once the
    // predictor's first solve has met the tolerance, the corrector's takes the solve alone, as the
    // dense form's do (solveDirectionOnce). That spares the residual's two products with the data
    // on half the directions, with the same iterates on the paper's problems. Skipping every
    // check took 7.7% off a forward and backward at n = p = 100, but cost 2–5% more iterations
    // where Q is nearly singular (pivots² ~1e-6 of the diagonal), whose first solves miss the
    // tolerance now and then.
    const { rangeSpace: state } = ws.factorization;
    const forward = tolerance === DIRECTION_TOLERANCE && !state.tight[k];
    if (forward && state.trusted[k]) {
      solveDirectionOnce(ws, k, x, xOff, y, yOff, KERNEL_LOWER);
      return;
    }
    const target = state.tight[k] ? Math.min(tolerance, EXACT_STEP_TOLERANCE) : tolerance;
    const solves = refine(ws, k, x, xOff, y, yOff, target, solveRangeSpace, false);
    state.trusted[k] = forward && solves === 1 ? 1 : 0;
  },
};

function solveRangeSpace(ws: KktSystem, k: number, rows: number): void {
  solveThroughSchur(ws, k, rows, KERNEL_LOWER);
}

/**
 * On success L holds Q's factor, the kept rows are the Schur block's with wK = 0; returns false
 * otherwise, changing nothing but L.
 */
function useFactorOfQ(
  ws: KktSystem,
  k: number,
  kept: number,
  negligible: number,
  request: FactorRequest,
): boolean {
  const { data, factorization } = ws;
  const { kernels, n, m, p, unitColumn, rowReach, denseRows } = data;
  const { wK, schurRows } = factorization;
  const { keptRows } = ws.scratch;
  if (factorization.rangeSpace.refused[k]) return false;
  const pOff = k * p;
  for (let i = 0; i < p; i++) {
    if (unitColumn[i] >= 0 && wK[pOff + i] * rowReach[i] > negligible) return false;
  }
  const dense = data.denseCount[0];
  const hadFactorOfQ = request.qFactorInL;
  // The choice counts the cache and Q's factor as the member's own (made by its first range-space
  // factorization), so that a member's iterates never depend on the rest of its batch. With Q, A
  // and G shared by the batch both are the same for every member, and are made once per solve.
  const cached = factorization.rangeSpace.built[k] === 1;
  const owner =
    data.stride.Q === 0 && data.stride.A === 0 && data.stride.G === 0 ? SHARED_RANGE : k;
  const all = m + dense;
  const r = m + kept;
  const factorCost = (n * n * n) / 6;
  const schurCost = (rows: number) => (rows * n * n) / 2 + (rows * rows * n) / 2 + rows ** 3 / 6;
  const cacheCost = (all * n * n) / 2 + (all * all * n) / 2;
  const rangeSpaceCost =
    r ** 3 / 6 + (hadFactorOfQ ? 0 : factorCost) + (cached ? 0 : cacheCost / RANGE_SPACE_HORIZON);
  const usualCost = (kept * n * n) / 2 + factorCost + schurCost(m + factorization.schurCount[k]);
  if (rangeSpaceCost >= usualCost) return false;
  if (!hadFactorOfQ && !factorQ(ws, k)) {
    factorization.rangeSpace.refused[k] = 1;
    return false;
  }
  factorization.rangeSpace.tight[k] = factorization.schurCount[k] > 0 ? 1 : 0;
  const { A, G } = data;
  const { L } = factorization;
  const { rangeCache } = factorization;
  const rangeY = rangeCache.Y;
  factorization.rangeSpace.built[k] = 1;
  if (rangeCache.of[0] !== owner) {
    // rangeY = [A; dense rows of G] L⁻ᵀ and rangeGram = rangeY rangeYᵀ (lower triangle)
    copyWithinArena(data.arena, A, k * data.stride.A, rangeY, 0, m * n);
    const gOff = k * data.stride.G;
    for (let t = 0; t < dense; t++) {
      copyWithinArena(data.arena, G, gOff + denseRows[t] * n, rangeY, (m + t) * n, n);
    }
    kernels.solveLowerRows(L, k * n * n, n, rangeY, 0, all);
    kernels.syrk(rangeY, 0, all, n, rangeCache.gram, 0);
    rangeCache.of[0] = owner;
  }
  // the Schur block: A's rows, then the kept rows in order (rows m + keptRows[u] of rangeY)
  for (let u = 0; u < kept; u++) {
    const i = denseRows[keptRows[u]];
    schurRows[pOff + u] = i;
    wK[pOff + i] = 0;
  }
  factorization.schurCount[k] = kept;
  return true;
}

/** Y (at yOff) ← the rows of rangeY of A and of the kept rows, in order. */
function gatherRows(ws: KktSystem, k: number, Y: Float64Array, yOff: number): void {
  const { data, factorization } = ws;
  const { n, m } = data;
  const { keptRows } = ws.scratch;
  const rangeY = factorization.rangeCache.Y;
  const kept = factorization.schurCount[k];
  if (kept === data.denseCount[0]) {
    copyWithinArena(data.arena, rangeY, 0, Y, yOff, (m + kept) * n);
    return;
  }
  copyWithinArena(data.arena, rangeY, 0, Y, yOff, m * n);
  for (let u = 0; u < kept; u++) {
    copyWithinArena(data.arena, rangeY, (m + keptRows[u]) * n, Y, yOff + (m + u) * n, n);
  }
}

/**
 * The Schur block's rows as rows of the cache's Gram matrix: A's, then the kept rows'. Every row
 * kept: its first `rows` rows in order (the Cholesky then reads the cache as it is).
 */
function gramRowsOfBlock(ws: KktSystem, k: number, rows: number, index: Float64Array): boolean {
  const { m } = ws.data;
  const { keptRows } = ws.scratch;
  if (rows === m + ws.data.denseCount[0]) return false;
  for (let a = 0; a < m; a++) index[a] = a;
  for (let a = m; a < rows; a++) index[a] = m + keptRows[a - m];
  return true;
}

/** L (member k) ← Cholesky factor of Q + diag(reg); false when a pivot is small (see above). */
function factorQ(ws: KktSystem, k: number): boolean {
  const { data, factorization } = ws;
  const { n } = data;
  const { L, rangeCache } = factorization;
  const lOff = k * n * n;
  // Q shared by the batch: factored for the first member that asks, copied for the others
  if (data.stride.Q === 0 && rangeCache.qFactorState[0] !== 0) {
    if (rangeCache.qFactorState[0] === 1)
      copyWithinArena(data.arena, rangeCache.qFactor, 0, L, lOff, n * n);
    return rangeCache.qFactorState[0] === 1;
  }
  const factored = factorQInto(ws, k);
  if (data.stride.Q === 0) {
    rangeCache.qFactorState[0] = factored ? 1 : -1;
    if (factored) copyWithinArena(data.arena, L, lOff, rangeCache.qFactor, 0, n * n);
  }
  return factored;
}

/** L (member k's) ← the factor of Q + diag(reg); false where a pivot is too small. */
function factorQInto(ws: KktSystem, k: number): boolean {
  const { data } = ws;
  const { kernels, n, Q } = data;
  const { L } = ws.factorization;
  const qOff = k * data.stride.Q;
  const regularization = columnRegularizations(ws, k, 0);
  const lOff = k * n * n;
  for (let i = 0; i < n; i++) if (!(Q[qOff + i * n + i] > 0)) return false;
  copyWithinArena(data.arena, Q, qOff, L, lOff, n * n);
  for (let i = 0; i < n; i++) L[lOff + i * (n + 1)] += regularization[i];
  if (!kernels.cholesky(L, lOff, n)) return false;
  for (let j = 0; j < n; j++) {
    const pivot = L[lOff + j * (n + 1)];
    if (!(pivot * pivot >= Q_FACTOR_MIN_PIVOT * (Q[qOff + j * (n + 1)] + regularization[j]))) {
      return false;
    }
  }
  return true;
}
