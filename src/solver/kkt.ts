/**
 * The reduced KKT system of one batch member at the current iterate:
 *
 *     [ Q + G' diag(w) G   A' ] [x]   [r1]        w = lam/s
 *     [ A                  0  ] [y] = [r2]
 *
 * Near the solution w_i grows without bound on active rows, and folding those weights into the
 * n×n block would bury the rest of it under rounding error (the gradients would be wrong by
 * ~1e-4). So a row whose weight exceeds a split weight T keeps only T in the n×n block, and its
 * excess w_i − T joins the equalities as an unknown t_i = (w_i − T) g_i'x with the equation
 * g_i'x − t_i/(w_i − T) = 0. Keeping T (rather than nothing) keeps the n×n block well
 * conditioned when Q is singular along g_i. With Ã = [A; G_moved], D = diag(0, 1/(w − T)) and
 * wK = min(w, T):
 *
 *     [ K  Ã' ] [x]   [r1]      K = Q + G' diag(wK) G
 *     [ Ã  −D ] [t] = [r2; 0]
 *
 * factored as K + diag(regK) = L L' (Cholesky) and the Schur complement (Y Y' + D)(I + regS) = S S'
 * with Y = Ã L⁻ᵀ. Rows ±e_j never move: their weight sits on one diagonal entry of K, which buries
 * nothing (Cholesky is invariant under diagonal scaling). The small static regularizations make the factorization exist for positive
 * semidefinite Q and rank-deficient A; iterative refinement against the unregularized system
 * removes their effect from the solution (forward Newton directions in this usual form skip its
 * check: solveDirectionOnce).
 *
 * Two savings near a solution (from SAVINGS_MIN_VARIABLES variables on), where the weights split
 * into huge and negligible: rows whose weighted product is below rounding level in K stay out of
 * the syrk that forms it (keepRows; the refinement's residual keeps them), and when K would be Q
 * plus a few rows, Q's factor (computed once per member) takes K's place and every kept row joins
 * the Schur block (useFactorOfQ).
 *
 * Where Q is diagonal and every row of G a unit row (bounds, as in the Sudoku layer), K itself
 * is diagonal: only L's diagonal is formed, and the Schur block's rows are scaled copies of A's.
 * Where Q, A and G are shared by the batch, Q's factor and the range-space cache are made once
 * per solve and serve every member.
 *
 * Where Q, A and G leave auxiliary columns (the t of epigraphs) a diagonal block of K, L is the
 * factor of K with those columns eliminated in closed form (elimination.ts, ws.elimActive): an
 * nz×nz Cholesky instead of n×n, and the same Schur block and refinement around it.
 *
 * Where the eliminated system is a weighted path Laplacian plus a diagonal (epigraphs of
 * differences along a path, as in total variation; chain.ts detects it per member from the
 * pattern), it is factored in O(n) in conductance form instead, with no split weight and no Schur
 * block, and solved with its own refinement; any failed pivot falls back to the factorizations
 * above.
 */
import { factorChain, solveChainKkt } from "./chain.js";
import {
  factorEliminated,
  findHeaviestRows,
  settleHeaviestRows,
  solveLowerEliminated,
  solveLowerTransposedEliminated,
} from "./elimination.js";
import { multiplyG, multiplyGPair, multiplyGTransposed } from "./g-operator.js";
import { copyInto, copyWithinArena, multiplyQ, type Workspace } from "./workspace.js";

/**
 * Split weights T. The n×n block holds weights up to T, so the refinement residual has a rounding
 * floor near 1e-16·T relative: the factorization at a solution, which the backward pass reuses,
 * uses T = 1e3; forward iterations, whose Newton directions need only DIRECTION_TOLERANCE = 1e-9,
 * use 1e6 (floor 1e-10): a third fewer forward factorizations then carry a Schur block than with
 * 1e4 (on the paper's problems at n = 100), with the same iteration counts.
 */
export const FORWARD_SPLIT_WEIGHT = 1e6;
export const SOLUTION_SPLIT_WEIGHT = 1e3;
/**
 * Rows whose weighted outer product adds at most this times the split weight (relative to K's
 * diagonal) stay out of the syrk that forms K (keepRows): below the rounding floor ~1e-16·T that
 * the split weight already allows, so the refinement against the full system removes their effect.
 */
const NEGLIGIBLE_PER_SPLIT_WEIGHT = 1e-16;
/**
 * Smallest pivot² of Q's factor, relative to its diagonal entry, for the range-space form
 * (useFactorOfQ). The paper's Q = U'U + 1e-3 I has ~1e-3 at n = 10 to 500; a Q singular along
 * some direction has ~1e-11, the regularization.
 */
const Q_FACTOR_MIN_PIVOT = 1e-8;
/**
 * The range-space form's one-time cost (rows of Y and their Gram matrix) counts as spread over
 * this many factorizations when it is weighed against forming K (a member takes ~10).
 */
const RANGE_SPACE_HORIZON = 4;
/**
 * Below this many variables neither saving (keepRows, useFactorOfQ) is tried. The range-space
 * form's flop count wins there, but every row sits in its Schur block and each solve makes four
 * more small kernel calls; measuring the rows' reach and gathering the kept ones costs more than
 * the syrk rows it saves. On the paper's problems, batch 128, forward+backward without/with the
 * range-space form: n = 10 6.1/7.6 ms, 16 10.2/13.1, 24 16.9/18.2, 32 23.2/24.5, 48 46/50,
 * 64 76/69 (there it wins); without keepRows at n = 10 another 3% less. (From n = 24 to 48 the
 * two forms are within ~8%; the savings' tests run at n = 30 and 40.)
 */
const SAVINGS_MIN_VARIABLES = 30;
/**
 * Static regularizations, relative to each diagonal entry (of Q, then of the Schur complement);
 * K's retries use a size relative to Q's largest diagonal entry instead.
 */
const BASE_REGULARIZATION_K = 1e-11;
const BASE_REGULARIZATION_S = 1e-13;
/** A failed Cholesky is retried with a hundredfold regularization, this many times. */
const REGULARIZATION_RETRIES = 4;
/** The smallest regularization of K relative to the global one (see factorReducedKkt). */
const RELATIVE_FLOOR = 1e-10;
const MAX_REFINEMENT_STEPS = 3;
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

/**
 * Factors member k's reduced KKT system at (s, lam) with the proximal regularization (rho, delta)
 * (Workspace.rho): K = Q + rho·I + G' diag(w) G with w = lam/(s + delta·lam), and −delta·I in the
 * equality block. Returns false when no factorization exists.
 */
export function factorReducedKkt(
  ws: Workspace,
  k: number,
  splitWeight: number,
  rho = 0,
  delta = 0,
): boolean {
  const { kernels, n, m, p, Q, G, A, s, lam, w, wK, schurRows, X, L } = ws;
  ws.rho[k] = rho;
  ws.delta[k] = delta;
  const mOff = k * m;
  ws.deltaEq.fill(0, mOff, mOff + m);
  const qOff = k * ws.stride.Q;
  const gOff = k * ws.stride.G;
  const aOff = k * ws.stride.A;
  const lOff = k * n * n;
  const pOff = k * p;

  // w = lam / s; chooseMovedRows then splits it into wK and the Schur block's rows
  const { unitColumn } = ws;
  if (delta === 0) for (let i = 0; i < p; i++) w[pOff + i] = lam[pOff + i] / s[pOff + i];
  else {
    for (let i = 0; i < p; i++) {
      const li = lam[pOff + i];
      w[pOff + i] = li / (s[pOff + i] + delta * li);
    }
  }

  const globalRegularization = kRegularizationScale(Q, qOff, n);
  let regK = globalRegularization;
  // X = (diag(√wK) Gd)ᵀ over the dense rows, so that their part of G' diag(wK) G is X Xᵀ, one
  // dot-product kernel (syrk), faster than the rank-one updates of syrkWeighted. Unit rows ±e_j
  // (stated bounds or not) add wK to the diagonal entry (j, j) only.
  const { Gt, denseRows, sqrtW } = ws;
  const dense = ws.denseCount[0];
  // X is one scratch for the whole batch: only this factorization reads it
  const xOff = 0;
  let factored = false;
  // With auxiliary columns eliminated in closed form (elimination.ts) the Cholesky is nz×nz; it
  // uses the first attempt's regularization, and any failure falls back to the dense path.
  ws.elimActive[k] = 0;
  ws.chain.active[k] = 0;
  ws.diagonalL[k] = 0;
  // Epigraphs of differences along a path: O(n), no split weight (chain.ts)
  if (ws.chain.found[k] && factorChain(ws, k, columnRegularizations(ws, k))) {
    // chain.ts refines against Q + G' diag(w) G: rho is its preconditioner, not its system
    ws.rho[k] = 0;
    ws.chain.active[k] = 1;
    ws.elimActive[k] = 1;
    ws.schurCount[k] = 0;
    copyInto(w, pOff, wK, pOff, p);
    ws.regK[k] = globalRegularization;
    return true;
  }
  if (ws.elimCount[k] > 0) {
    findHeaviestRows(ws, k);
    chooseMovedRows(ws, k, splitWeight, true);
    for (let t = 0; t < dense; t++) sqrtW[pOff + t] = Math.sqrt(wK[pOff + denseRows[t]]);
    factored = factorEliminated(ws, k, columnRegularizations(ws, k));
    ws.elimActive[k] = factored ? 1 : 0;
  }
  // Dense rows kept in X (the others' weights are below rounding level in K, see keepRows)
  let kept = dense;
  const hadFactorOfQ = ws.factorOfQInL[k] === 1;
  ws.factorOfQInL[k] = 0;
  if (!factored) {
    chooseMovedRows(ws, k, splitWeight, false);
    for (let t = 0; t < dense; t++) sqrtW[pOff + t] = Math.sqrt(wK[pOff + denseRows[t]]);
    const negligible = NEGLIGIBLE_PER_SPLIT_WEIGHT * splitWeight;
    if (n >= SAVINGS_MIN_VARIABLES) {
      kept = keepRows(ws, k, negligible);
      factored = useFactorOfQ(ws, k, kept, negligible, hadFactorOfQ);
    }
    ws.factorOfQInL[k] = factored ? 1 : 0;
    // the range-space form's L is Q's factor (static regularization only), and Q is positive
    // definite there: its system is unregularized in z
    if (factored) ws.rho[k] = 0;
  }
  const moved = ws.schurCount[k];
  // Equalities alone, regularized: they join K as A'A/delta (an augmented Lagrangian, as PIQP's
  // dense KKT does) instead of a Schur block. Where Q is singular on many columns (the unknowns
  // of a least squares), the Schur block A K⁻¹ A' + delta·I has entries ~1/rho beside eigenvalues
  // ~1, past what a Cholesky resolves (least squares with A, b ×1e4 then ended max_iterations),
  // while Q + rho·I + A'A/delta stays as well conditioned as the problem.
  const equalitiesInK = p === 0 && m > 0 && delta > 0 && !factored;
  ws.equalitiesInK[k] = 0;
  // Q diagonal and no dense row in K: K is diagonal, and so is its factor (bounds and Q = cI, as
  // in the Sudoku layer): O(n) instead of a Cholesky and n² per Schur row, the same numbers
  const diagonal = !factored && kept === 0 && ws.qDiagonal[0] === 1 && !equalitiesInK;
  ws.diagonalL[k] = diagonal ? 1 : 0;
  const formsK = !factored && !diagonal;
  if (equalitiesInK) {
    // X = (A / √delta)ᵀ: its syrk is A'A/delta
    const scale = 1 / Math.sqrt(delta);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) X[xOff + j * m + i] = scale * A[aOff + i * n + j];
    }
    kept = m;
  } else if (formsK && kept < dense) {
    const { keptRows } = ws;
    for (let j = 0; j < n; j++) {
      const from = j * dense;
      const to = xOff + j * kept;
      for (let u = 0; u < kept; u++) {
        const t = keptRows[u];
        X[to + u] = sqrtW[pOff + t] * Gt[from + t];
      }
    }
  } else if (formsK && kernels.scaleColumns)
    kernels.scaleColumns(Gt, 0, n, dense, sqrtW, pOff, X, xOff);
  else if (formsK) {
    for (let j = 0; j < n; j++) {
      const from = j * dense;
      const to = xOff + j * dense;
      for (let t = 0; t < dense; t++) X[to + t] = sqrtW[pOff + t] * Gt[from + t];
    }
  }
  for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
    if (diagonal) {
      factored = factorDiagonalK(ws, k, attempt > 0 ? regK : -1, globalRegularization);
      if (!factored && attempt > 0) regK *= 100;
      continue;
    }
    // L ← X Xᵀ + Q + regularization + unit-row weights (lower triangle), then its Cholesky factor
    if (kernels.syrkPlus) kernels.syrkPlus(X, xOff, n, kept, Q, qOff, L, lOff);
    else {
      kernels.syrk(X, xOff, n, kept, L, lOff);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) L[lOff + i * n + j] += Q[qOff + i * n + j];
      }
    }
    // First relative to each diagonal entry of Q (the size of an LP's is used where Q's is 0, and
    // no less than RELATIVE_FLOOR of it anywhere, so that the backward pass stays finite): one
    // global size would swamp the entries of variables whose scale is far below the largest's,
    // and refinement cannot undo a regularization larger than the entry. Not relative to K's:
    // a unit row's weight, up to ~1e20 on the diagonal, would then perturb its multiplier's step
    // by more than the refinement tolerance. The retries use the global size.
    for (let i = 0; i < n; i++) {
      L[lOff + i * n + i] +=
        attempt > 0
          ? Math.max(regK, rho)
          : columnRegularization(Q, qOff, n, globalRegularization, i, rho);
    }
    for (let i = 0; i < p; i++) {
      if (unitColumn[i] >= 0) L[lOff + unitColumn[i] * (n + 1)] += wK[pOff + i];
    }
    factored = kernels.cholesky(L, lOff, n);
    if (!factored && attempt > 0) regK *= 100;
    // a regularized system takes the retry's regularization as its own (see deltaEq below)
    if (factored && attempt > 0 && rho > 0) ws.rho[k] = Math.max(rho, regK);
  }
  if (!factored) return false;
  ws.regK[k] = regK;
  if (equalitiesInK) {
    ws.equalitiesInK[k] = 1;
    ws.deltaEq.fill(delta, mOff, mOff + m);
    return true;
  }
  const rows = m + moved;
  if (rows === 0) return true;

  // Only the factorization at a solution is read after the member's next one (by the backward
  // pass): the others keep Y and S in scratch shared by the batch, which stays in cache and spares
  // the member's own buffers (fresh memory, whose first touch costs a page fault per 4 KiB).
  const rangeSpace = ws.factorOfQInL[k] === 1;
  const keptForBackward = splitWeight <= SOLUTION_SPLIT_WEIGHT;
  ws.schurPlace[k] = keptForBackward
    ? SCHUR_OWN
    : rangeSpace && moved === ws.denseCount[0]
      ? SCHUR_RANGE_CACHE
      : SCHUR_SCRATCH;
  const Y = schurY(ws, k);
  const yOff = schurYOffset(ws, k);
  const S = schurS(ws, k);
  const sOff = schurSOffset(ws, k);
  // Y = Ã L⁻ᵀ: every row ã_i of Ã = [A; G_moved] becomes L⁻¹ã_i; the range-space form gathers
  // its rows from the member's cache (or reads the cache itself when every row is kept)
  if (rangeSpace && ws.schurPlace[k] !== SCHUR_RANGE_CACHE) gatherRows(ws, moved, Y, yOff);
  else if (diagonal) scaleSchurRows(ws, k, Y, yOff);
  else if (!rangeSpace) {
    copyInto(A, aOff, Y, yOff, m * n);
    for (let j = 0; j < moved; j++) {
      const row = gOff + schurRows[pOff + j] * n;
      copyInto(G, row, Y, yOff + (m + j) * n, n);
    }
    if (ws.elimActive[k]) {
      for (let r = 0; r < rows; r++) solveLowerEliminated(ws, k, Y, yOff + r * n);
    } else kernels.solveLowerRows(L, lOff, n, Y, yOff, rows);
  }
  factored = false;
  // regS is relative to each diagonal entry: Cholesky's rounding is too (it is invariant under
  // diagonal scaling), and the equality rows' entries can be orders of magnitude above the
  // moved rows' when K is nearly singular along A.
  let regS = BASE_REGULARIZATION_S;
  // delta on the equality rows is part of the system solved (refinement keeps it); regS, relative
  // to each diagonal entry, is static and refined away
  ws.deltaEq.fill(delta, mOff, mOff + m);
  for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
    // S ← Y Y' + D + regS·diag(Y Y' + D), then its Cholesky factor
    if (rangeSpace) gatherGram(ws, k, rows, S, sOff);
    else kernels.syrk(Y, yOff, rows, n, S, sOff);
    for (let j = 0; j < moved; j++) {
      const i = pOff + schurRows[pOff + j];
      S[sOff + (m + j) * rows + m + j] += 1 / (w[i] - wK[i]);
    }
    for (let i = 0; i < m; i++) S[sOff + i * rows + i] += delta;
    for (let i = 0; i < rows; i++) {
      const diagonal = S[sOff + i * rows + i];
      S[sOff + i * rows + i] = diagonal + regS * (diagonal > 0 ? diagonal : 1);
    }
    factored = kernels.cholesky(S, sOff, rows);
    if (!factored) regS *= 100;
  }
  ws.regS[k] = regS;
  return factored;
}

/** K's global regularization: relative to Q's largest diagonal entry (at least 1). */
function kRegularizationScale(Q: Float64Array, qOff: number, n: number): number {
  let maxDiagQ = 0;
  for (let i = 0; i < n; i++) maxDiagQ = Math.max(maxDiagQ, Math.abs(Q[qOff + i * n + i]));
  return BASE_REGULARIZATION_K * Math.max(1, maxDiagQ);
}

/**
 * Every column's static regularization of member k's K at a first attempt (factorReducedKkt),
 * into out[0..n); returns the global size, as a factorization records it in ws.regK.
 */
export function firstRegularization(
  ws: Workspace,
  k: number,
  out: Float64Array,
  rho = ws.rho[k],
): number {
  const { n, Q } = ws;
  const qOff = k * ws.stride.Q;
  const globalRegularization = kRegularizationScale(Q, qOff, n);
  for (let j = 0; j < n; j++) {
    out[j] = columnRegularization(Q, qOff, n, globalRegularization, j, rho);
  }
  return globalRegularization;
}

/**
 * Column j's static regularization of K: relative to Q_jj, the global size where Q_jj is 0 (see
 * the Cholesky loop of factorReducedKkt). A module function: a closure made per factorization
 * costs ~5% of the solve at n = 10.
 */
function columnRegularization(
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
function columnRegularizations(ws: Workspace, k: number, rho = ws.rho[k]): Float64Array {
  firstRegularization(ws, k, ws.columnRegularization, rho);
  return ws.columnRegularization;
}

/**
 * ws.keptRows ← the dense rows t (indices into denseRows) whose weighted outer product
 * wK_i g_i g_iᵀ is not negligible in K; returns their number. A row is negligible when
 * wK_i·max_j g_ij²/d_j ≤ `negligible`, d_j = Q_jj + its regularization (≤ K_jj): every entry it adds
 * to K is then at most `negligible`·√(d_i d_j), a perturbation of K the size of a few roundings when
 * `negligible` is near 1e-16 times the split weight (Cholesky's backward error is relative to the
 * same √(K_ii K_jj)). Near a solution the inactive rows' weights fall to ~1e-12 while the active
 * rows move to the Schur block, so the last factorizations form K from half the rows (the paper's
 * problems at n = 500: 240 of 500 rows dropped in the last one or two). The residual of the
 * refinement keeps every row, so the solution is that of the full system.
 */
function keepRows(ws: Workspace, k: number, negligible: number): number {
  const { p, wK, denseRows, keptRows, rowReach } = ws;
  const dense = ws.denseCount[0];
  const pOff = k * p;
  measureRowReach(ws, k);
  let kept = 0;
  for (let t = 0; t < dense; t++) {
    const i = denseRows[t];
    if (wK[pOff + i] * rowReach[i] > negligible) keptRows[kept++] = t;
  }
  return kept;
}

/**
 * The range-space form: with Q positive definite, K = Q itself and every row of G that is not
 * negligible joins A in the Schur block (D = 1/w on them):
 *
 *     L L' = Q + diag(reg),   S S' = Ã Q⁻¹ Ã' + D,   Ã = [A; kept rows of G],  Y = Ã L⁻ᵀ
 *
 * Q's factor, the rows L⁻¹ã of every row of A and G and their Gram matrix do not depend on the
 * iterate: computed once per member (rangeY, rangeGram), each factorization gathers its rows and
 * factors S, (m + kept)³/6 instead of n²·kept/2 + n³/6 for K (and the Schur block of the moved
 * rows). At n = p that is a quarter, and the one-time cost (the Gram matrix, ~ a factorization and
 * a half) is repaid in two. Chosen where the count says so (cost of the cache spread over
 * RANGE_SPACE_HORIZON factorizations), when no unit row's weight reaches K's diagonal, and when
 * Q's factor has no pivot² below Q_FACTOR_MIN_PIVOT of its diagonal entry (Q not singular along a
 * row: there the split weight T is what keeps K well conditioned). On success L holds Q's factor,
 * Y the kept rows, the kept rows are the Schur block's with wK = 0; returns false otherwise,
 * changing nothing but L.
 */
function useFactorOfQ(
  ws: Workspace,
  k: number,
  kept: number,
  negligible: number,
  hadFactorOfQ: boolean,
): boolean {
  const { kernels, n, m, p, wK, unitColumn, rowReach, denseRows, keptRows, schurRows } = ws;
  if (ws.factorOfQRefused[k]) return false;
  const pOff = k * p;
  for (let i = 0; i < p; i++) {
    if (unitColumn[i] >= 0 && wK[pOff + i] * rowReach[i] > negligible) return false;
  }
  const dense = ws.denseCount[0];
  // The choice counts the cache and Q's factor as the member's own (made by its first range-space
  // factorization), so that a member's iterates never depend on the rest of its batch. With Q, A
  // and G shared by the batch both are the same for every member, and are made once per solve.
  const cached = ws.rangeBuilt[k] === 1;
  const owner = ws.stride.Q === 0 && ws.stride.A === 0 && ws.stride.G === 0 ? SHARED_RANGE : k;
  const all = m + dense;
  const r = m + kept;
  const factorCost = (n * n * n) / 6;
  const schurCost = (rows: number) => (rows * n * n) / 2 + (rows * rows * n) / 2 + rows ** 3 / 6;
  const cacheCost = (all * n * n) / 2 + (all * all * n) / 2;
  const rangeSpaceCost =
    r ** 3 / 6 + (hadFactorOfQ ? 0 : factorCost) + (cached ? 0 : cacheCost / RANGE_SPACE_HORIZON);
  const usualCost = (kept * n * n) / 2 + factorCost + schurCost(m + ws.schurCount[k]);
  if (rangeSpaceCost >= usualCost) return false;
  if (!hadFactorOfQ && !factorQ(ws, k)) {
    ws.factorOfQRefused[k] = 1;
    return false;
  }
  ws.rangeTight[k] = ws.schurCount[k] > 0 ? 1 : 0;
  const { rangeY, L, A, G } = ws;
  ws.rangeBuilt[k] = 1;
  if (ws.rangeOf[0] !== owner) {
    // rangeY = [A; dense rows of G] L⁻ᵀ and rangeGram = rangeY rangeYᵀ (lower triangle)
    copyWithinArena(ws, A, k * ws.stride.A, rangeY, 0, m * n);
    const gOff = k * ws.stride.G;
    for (let t = 0; t < dense; t++) {
      copyWithinArena(ws, G, gOff + denseRows[t] * n, rangeY, (m + t) * n, n);
    }
    kernels.solveLowerRows(L, k * n * n, n, rangeY, 0, all);
    kernels.syrk(rangeY, 0, all, n, ws.rangeGram, 0);
    ws.rangeOf[0] = owner;
  }
  // the Schur block: A's rows, then the kept rows in order (rows m + keptRows[u] of rangeY)
  for (let u = 0; u < kept; u++) {
    const i = denseRows[keptRows[u]];
    schurRows[pOff + u] = i;
    wK[pOff + i] = 0;
  }
  ws.schurCount[k] = kept;
  return true;
}

/** Y (at yOff) ← the rows of rangeY of A and of the `kept` kept rows, in order. */
function gatherRows(ws: Workspace, kept: number, Y: Float64Array, yOff: number): void {
  const { n, m, rangeY, keptRows } = ws;
  if (kept === ws.denseCount[0]) {
    copyWithinArena(ws, rangeY, 0, Y, yOff, (m + kept) * n);
    return;
  }
  copyWithinArena(ws, rangeY, 0, Y, yOff, m * n);
  for (let u = 0; u < kept; u++) {
    copyWithinArena(ws, rangeY, (m + keptRows[u]) * n, Y, yOff + (m + u) * n, n);
  }
}

/** S (rows×rows, lower triangle) ← the Gram entries of the Schur block's rows (useFactorOfQ). */
function gatherGram(ws: Workspace, k: number, rows: number, S: Float64Array, sOff: number): void {
  const { m, keptRows, rangeGram } = ws;
  const all = m + ws.denseCount[0];
  // every row kept: the same matrix at the same stride
  if (rows === all) {
    copyWithinArena(ws, rangeGram, 0, S, sOff, all * all);
    return;
  }
  const source = (a: number) => (a < m ? a : m + keptRows[a - m]);
  for (let a = 0; a < rows; a++) {
    const from = source(a) * all;
    const to = sOff + a * rows;
    for (let b = 0; b <= a; b++) S[to + b] = rangeGram[from + source(b)];
  }
}

/** L (member k) ← Cholesky factor of Q + diag(reg); false when a pivot is small (see above). */
function factorQ(ws: Workspace, k: number): boolean {
  const { n, L } = ws;
  const lOff = k * n * n;
  // Q shared by the batch: factored for the first member that asks, copied for the others
  if (ws.stride.Q === 0 && ws.qFactorState[0] !== 0) {
    if (ws.qFactorState[0] === 1) copyWithinArena(ws, ws.qFactor, 0, L, lOff, n * n);
    return ws.qFactorState[0] === 1;
  }
  const factored = factorQInto(ws, k);
  if (ws.stride.Q === 0) {
    ws.qFactorState[0] = factored ? 1 : -1;
    if (factored) copyWithinArena(ws, L, lOff, ws.qFactor, 0, n * n);
  }
  return factored;
}

/** L (member k's) ← the factor of Q + diag(reg); false where a pivot is too small. */
function factorQInto(ws: Workspace, k: number): boolean {
  const { kernels, n, Q, L } = ws;
  const qOff = k * ws.stride.Q;
  const regularization = columnRegularizations(ws, k, 0);
  const lOff = k * n * n;
  for (let i = 0; i < n; i++) if (!(Q[qOff + i * n + i] > 0)) return false;
  copyWithinArena(ws, Q, qOff, L, lOff, n * n);
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

/**
 * rowReach[i] ← max_j g_ij²/(Q_jj + regularization_j) over member k's dense rows, once per member
 * (once for the batch when Q and G are shared): Q and G do not change during its iterations.
 */
function measureRowReach(ws: Workspace, k: number): void {
  const { n, G, Q, denseRows, rowReach, rowReachOf } = ws;
  const shared = ws.stride.G === 0 && ws.stride.Q === 0;
  const owner = shared ? -2 : k;
  if (rowReachOf[0] === owner) return;
  const dense = ws.denseCount[0];
  const gOff = k * ws.stride.G;
  const qOff = k * ws.stride.Q;
  const regularization = columnRegularizations(ws, k, 0);
  // once per member, not per iteration
  const { inverseDiagonal } = ws;
  for (let j = 0; j < n; j++) inverseDiagonal[j] = 1 / (Q[qOff + j * n + j] + regularization[j]);
  for (let t = 0; t < dense; t++) {
    const row = gOff + denseRows[t] * n;
    let reach = 0;
    for (let j = 0; j < n; j++) {
      const g = G[row + j];
      reach = Math.max(reach, g * g * inverseDiagonal[j]);
    }
    rowReach[denseRows[t]] = reach;
  }
  const { unitColumn } = ws;
  for (let i = 0; i < ws.p; i++) {
    if (unitColumn[i] >= 0) rowReach[i] = inverseDiagonal[unitColumn[i]];
  }
  rowReachOf[0] = owner;
}

/**
 * schurRows, schurCount and wK of member k from w: rows whose weight exceeds the split weight
 * move to the Schur block, except rows ±e_j (their weight only touches one diagonal entry of K,
 * which Cholesky takes at any size: it is invariant under diagonal scaling; moving them would
 * cost the Schur block a row of n each, at n = p = 3000 with every bound active minutes per
 * factorization). With auxiliary columns eliminated (`grouped`), a row of an eliminated column's
 * group moves unless it is the group's heaviest: the elimination keeps one heavy row per group
 * exact (elimination.ts), unit or not.
 */
function chooseMovedRows(ws: Workspace, k: number, splitWeight: number, grouped: boolean): void {
  const { p, w, wK, schurRows, unitColumn, elimRowAux } = ws;
  const pOff = k * p;
  // member k's heaviest row of each group (elimination.ts), read only when grouped
  const heaviestOff = k * ws.n;
  const { elimHeaviest } = ws;
  let moved = 0;
  for (let i = 0; i < p; i++) {
    const wi = w[pOff + i];
    const group = grouped ? elimRowAux[i] : -1;
    const keep = group >= 0 ? elimHeaviest[heaviestOff + group] === i : unitColumn[i] >= 0;
    if (wi > splitWeight && !keep) {
      schurRows[pOff + moved++] = i;
      wK[pOff + i] = splitWeight;
    } else {
      wK[pOff + i] = wi;
    }
  }
  ws.schurCount[k] = moved;
}

/** rangeOf[0] when the range-space cache serves every member (Q, A and G shared). */
const SHARED_RANGE = -2;

/** Where member k's Y and S are (Workspace.schurPlace): its own buffers, or scratch. */
const SCHUR_OWN = 0;
const SCHUR_RANGE_CACHE = 1;
const SCHUR_SCRATCH = 2;

function schurY(ws: Workspace, k: number): Float64Array {
  const place = ws.schurPlace[k];
  return place === SCHUR_OWN ? ws.Y : place === SCHUR_RANGE_CACHE ? ws.rangeY : ws.scratchY;
}

function schurYOffset(ws: Workspace, k: number): number {
  return ws.schurPlace[k] === SCHUR_OWN ? k * (ws.m + ws.p) * ws.n : 0;
}

function schurS(ws: Workspace, k: number): Float64Array {
  return ws.schurPlace[k] === SCHUR_OWN ? ws.S : ws.scratchS;
}

function schurSOffset(ws: Workspace, k: number): number {
  return ws.schurPlace[k] === SCHUR_OWN ? k * (ws.m + ws.p) * (ws.m + ws.p) : 0;
}

/** (c1, c2) ← the regularized system's solution for right-hand side (e1, e2). */
function solveRegularized(ws: Workspace, k: number, rows: number): void {
  const { kernels, n, m, p, L, e1, e2, c1, c2 } = ws;
  const nOff = k * n;
  const rOff = k * (m + p);
  const lOff = k * n * n;
  if (ws.equalitiesInK[k]) {
    // (K + A'A/delta) c1 = e1 + A'(e2/delta), then c2 = (A c1 − e2)/delta
    const { A, deltaEq } = ws;
    const aOff = k * ws.stride.A;
    const mOff = k * m;
    copyInto(e1, nOff, c1, nOff, n);
    for (let i = 0; i < m; i++) c2[rOff + i] = e2[rOff + i] / deltaEq[mOff + i];
    kernels.gemv(A, aOff, m, n, true, 1, c2, rOff, 1, c1, nOff);
    kernels.solveLower(L, lOff, n, c1, nOff);
    kernels.solveLowerTransposed(L, lOff, n, c1, nOff);
    kernels.gemv(A, aOff, m, n, false, 1, c1, nOff, 0, c2, rOff);
    for (let i = 0; i < m; i++) c2[rOff + i] = (c2[rOff + i] - e2[rOff + i]) / deltaEq[mOff + i];
    return;
  }
  copyInto(e1, nOff, c1, nOff, n);
  const eliminated = ws.elimActive[k] === 1;
  const diagonal = ws.diagonalL[k] === 1;
  // u = L⁻¹ e1
  if (eliminated) solveLowerEliminated(ws, k, c1, nOff);
  else if (diagonal) divideByDiagonal(ws, k, c1, nOff);
  else kernels.solveLower(L, lOff, n, c1, nOff);
  if (rows > 0) {
    const Y = schurY(ws, k);
    const yOff = schurYOffset(ws, k);
    const S = schurS(ws, k);
    const sOff = schurSOffset(ws, k);
    // t = S⁻ᵀS⁻¹ (Y u − e2)
    kernels.gemv(Y, yOff, rows, n, false, 1, c1, nOff, 0, c2, rOff);
    for (let i = 0; i < rows; i++) c2[rOff + i] -= e2[rOff + i];
    kernels.solveLower(S, sOff, rows, c2, rOff);
    kernels.solveLowerTransposed(S, sOff, rows, c2, rOff);
    // x = L⁻ᵀ (u − Y' t)
    kernels.gemv(Y, yOff, rows, n, true, -1, c2, rOff, 1, c1, nOff);
  }
  if (eliminated) solveLowerTransposedEliminated(ws, k, c1, nOff);
  else if (diagonal) divideByDiagonal(ws, k, c1, nOff);
  else kernels.solveLowerTransposed(L, lOff, n, c1, nOff);
}

/**
 * K + diag(reg) of member k when it is diagonal (factorReducedKkt): L's diagonal only, the
 * square roots of K's entries, which is what the Cholesky kernel would compute there (its dot
 * products over zeros add nothing), and the triangular solves then divide by it. The
 * regularization is the first attempt's per column (`retryRegularization` < 0) or a retry's
 * global one. False where a pivot is not positive.
 */
function factorDiagonalK(
  ws: Workspace,
  k: number,
  retryRegularization: number,
  globalRegularization: number,
): boolean {
  const { n, p, Q, L, wK, unitColumn } = ws;
  const qOff = k * ws.stride.Q;
  const lOff = k * n * n;
  const pOff = k * p;
  for (let i = 0; i < n; i++) {
    const regularization =
      retryRegularization >= 0
        ? Math.max(retryRegularization, ws.rho[k])
        : columnRegularization(Q, qOff, n, globalRegularization, i, ws.rho[k]);
    L[lOff + i * (n + 1)] = Q[qOff + i * (n + 1)] + regularization;
  }
  for (let i = 0; i < p; i++) {
    if (unitColumn[i] >= 0) L[lOff + unitColumn[i] * (n + 1)] += wK[pOff + i];
  }
  for (let i = 0; i < n; i++) {
    const pivot = L[lOff + i * (n + 1)];
    if (!(pivot > 0)) return false;
    L[lOff + i * (n + 1)] = Math.sqrt(pivot);
  }
  return true;
}

/**
 * Y = Ã L⁻ᵀ, Ã = [A; moved rows of G], for member k's diagonal factor: each row of Ã read once,
 * scaled by the inverse of L's diagonal as it is copied (within an ulp of the division).
 */
function scaleSchurRows(ws: Workspace, k: number, Y: Float64Array, yOff: number): void {
  const { n, m, p, A, G, L, schurRows } = ws;
  const aOff = k * ws.stride.A;
  const gOff = k * ws.stride.G;
  const lOff = k * n * n;
  const rows = m + ws.schurCount[k];
  // one division per column, then products: rows·n divisions would cost more than the rest here
  const { inverseDiagonal } = ws;
  for (let j = 0; j < n; j++) inverseDiagonal[j] = 1 / L[lOff + j * (n + 1)];
  let r = 0;
  if (ws.kernels.scaleColumns) {
    ws.kernels.scaleColumns(A, aOff, m, n, inverseDiagonal, 0, Y, yOff);
    r = m;
  }
  for (; r < rows; r++) {
    const from = r < m ? aOff + r * n : gOff + schurRows[k * p + r - m] * n;
    const data = r < m ? A : G;
    const to = yOff + r * n;
    for (let j = 0; j < n; j++) Y[to + j] = data[from + j] * inverseDiagonal[j];
  }
}

/** v ← L⁻¹v = L⁻ᵀv for member k's diagonal factor (ws.diagonalL). */
function divideByDiagonal(ws: Workspace, k: number, v: Float64Array, vOff: number): void {
  const { n, L } = ws;
  const lOff = k * n * n;
  for (let i = 0; i < n; i++) v[vOff + i] /= L[lOff + i * (n + 1)];
}

/** (e1, e2) ← (r1, [r2; 0]) − [K Ã'; Ã −D] (x, t), the unregularized system; returns ‖e‖∞. */
function residual(ws: Workspace, k: number, x: Float64Array, xOff: number): number {
  const { kernels, n, m, p, A, w, wK, schurRows, r1, r2, e1, e2, yt, yG, gx, tDense } = ws;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  const rOff = k * (m + p);
  const aOff = k * ws.stride.A;
  const moved = ws.schurCount[k];
  let norm = 0;
  // e1 = Q x + G' yG with gx = G x and yG = wK∘gx + t (t on the moved rows), in one pass over G
  multiplyQ(ws, k, x, xOff, e1, nOff);
  tDense.fill(0, pOff, pOff + p);
  for (let j = 0; j < moved; j++) tDense[pOff + schurRows[pOff + j]] = yt[rOff + m + j];
  if (ws.elimActive[k]) {
    multiplyG(ws, k, 1, x, xOff, 0, gx, pOff);
    for (let i = pOff; i < pOff + p; i++) yG[i] = wK[i] * gx[i] + tDense[i];
    settleHeaviestRows(ws, k, x, xOff, r1, nOff, yG);
    multiplyGTransposed(ws, k, 1, yG, pOff, 1, e1, nOff);
  } else multiplyGPair(ws, k, x, xOff, gx, wK, tDense, yG, pOff, 1, e1, nOff);
  // e2 = −g_i'x + t_i/(w_i − wK_i) on the moved rows
  for (let j = 0; j < moved; j++) {
    const i = pOff + schurRows[pOff + j];
    const e = yt[rOff + m + j] / (w[i] - wK[i]) - gx[i];
    e2[rOff + m + j] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  // e1 = r1 − (Q + rho·I) x − G' yG − A't_A
  if (m > 0) kernels.gemv(A, aOff, m, n, true, 1, yt, rOff, 1, e1, nOff);
  const rho = ws.rho[k];
  for (let i = 0; i < n; i++) {
    const e = r1[nOff + i] - e1[nOff + i] - rho * x[xOff + i];
    e1[nOff + i] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  // e2 = r2 − A x + deltaEq∘t_A on the equality rows
  if (m > 0) kernels.gemv(A, aOff, m, n, false, 1, x, xOff, 0, e2, rOff);
  const { deltaEq } = ws;
  for (let i = 0; i < m; i++) {
    const e = r2[mOff + i] - e2[rOff + i] + deltaEq[mOff + i] * yt[rOff + i];
    e2[rOff + i] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  return norm;
}

/**
 * Solves member k's reduced KKT system for the right-hand side in (r1, r2), writing x at
 * (x, xOff) and y at (y, yOff), with the factorization of `factorReducedKkt`. Also leaves
 * w∘(G x) in ws.yG and G x in ws.gx.
 */
export function solveReducedKkt(
  ws: Workspace,
  k: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  tolerance: number,
): void {
  if (ws.chain.active[k]) {
    solveChainKkt(ws, k, x, xOff, tolerance, MAX_REFINEMENT_STEPS);
    return;
  }
  const { n, m, p, r1, r2, e1, e2, c1, c2, yt } = ws;
  const nOff = k * n;
  const mOff = k * m;
  const rOff = k * (m + p);
  const rows = m + ws.schurCount[k];
  if (
    tolerance === DIRECTION_TOLERANCE &&
    !ws.elimActive[k] &&
    !ws.factorOfQInL[k] &&
    !ws.equalitiesInK[k]
  ) {
    solveDirectionOnce(ws, k, x, xOff, y, yOff, rows);
    return;
  }
  let rhsNorm = 0;
  for (let i = 0; i < n; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r1[nOff + i]));
  for (let i = 0; i < m; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r2[mOff + i]));
  copyInto(r1, nOff, e1, nOff, n);
  copyInto(r2, mOff, e2, rOff, m);
  e2.fill(0, rOff + m, rOff + rows);
  x.fill(0, xOff, xOff + n);
  yt.fill(0, rOff, rOff + rows);
  // Once rows weigh more than the split weight, the range-space form's first solve leaves a
  // residual ~100× the usual form's (Q⁻¹ without the split weight's lift along those rows): near
  // 1e-10, which passes DIRECTION_TOLERANCE but stalls the last iterations (the paper's problems
  // at n = 500 then hit the iteration limit). One more step brings it to ~1e-15. Before that, the
  // loose tolerance gives the same iteration counts (n = 100 and 500) for fewer steps.
  const target =
    ws.factorOfQInL[k] && ws.rangeTight[k] ? Math.min(tolerance, EXACT_STEP_TOLERANCE) : tolerance;
  let previous = Infinity;
  for (let step = 0; ; step++) {
    solveRegularized(ws, k, rows);
    // (x, t) += (c1, c2)
    for (let i = 0; i < n; i++) x[xOff + i] += c1[nOff + i];
    for (let i = 0; i < rows; i++) yt[rOff + i] += c2[rOff + i];
    // The residual also leaves yG = w∘(G x) for this x.
    const norm = residual(ws, k, x, xOff);
    if (step === MAX_REFINEMENT_STEPS) break;
    // Refinement stops when the residual is at rounding level or no longer shrinks.
    if (norm <= target * rhsNorm || norm > 0.25 * previous) break;
    previous = norm;
  }
  copyInto(yt, rOff, y, yOff, m);
}

/**
 * A Newton direction of a forward iteration (DIRECTION_TOLERANCE) in the usual form, nothing
 * eliminated: the regularized solve, without the residual pass that would check it. On the paper's
 * problems (n = 10 and 20, m = 0 and 3, batch 128) that first solve's residual is ~3e-12 of the
 * right-hand side (median; 99% under 4e-10, the largest 1.5e-9): the refinement would almost always
 * have stopped there with the same x, so mostly only the check is skipped (~13% of the solve at
 * n = 10), and the iteration counts stay the same. Its error is the static regularizations'
 * (relative ~1e-11 of K's diagonal, 1e-13 of S's), and the stopping test measures the exact
 * residuals of the iterate, so an inexact direction could cost an iteration, never accuracy.
 * Not for the range-space form, whose first solve is ~100× less exact (see solveReducedKkt).
 * Leaves gx = G x and yG = wK∘gx + t (t on the moved rows) as the refinement would.
 */
function solveDirectionOnce(
  ws: Workspace,
  k: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  rows: number,
): void {
  const { kernels, n, m, p, L, r1, r2, e1, e2, c1, c2, wK, gx, yG, schurRows } = ws;
  const nOff = k * n;
  const pOff = k * p;
  const rOff = k * (m + p);
  if (rows === 0) {
    // K alone: solve in place
    const lOff = k * n * n;
    copyInto(r1, nOff, x, xOff, n);
    if (ws.diagonalL[k]) {
      divideByDiagonal(ws, k, x, xOff);
      divideByDiagonal(ws, k, x, xOff);
    } else {
      kernels.solveLower(L, lOff, n, x, xOff);
      kernels.solveLowerTransposed(L, lOff, n, x, xOff);
    }
  } else {
    copyInto(r1, nOff, e1, nOff, n);
    copyInto(r2, k * m, e2, rOff, m);
    for (let i = rOff + m; i < rOff + rows; i++) e2[i] = 0;
    solveRegularized(ws, k, rows);
    copyInto(c1, nOff, x, xOff, n);
    copyInto(c2, rOff, y, yOff, m);
  }
  multiplyG(ws, k, 1, x, xOff, 0, gx, pOff);
  for (let i = pOff; i < pOff + p; i++) yG[i] = wK[i] * gx[i];
  for (let j = 0; j < rows - m; j++) yG[pOff + schurRows[pOff + j]] += c2[rOff + m + j];
}
