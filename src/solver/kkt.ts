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
 * removes their effect from the solution.
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
  groupsOf,
  settleHeaviestRows,
  solveLowerEliminated,
  solveLowerTransposedEliminated,
} from "./elimination.js";
import { multiplyG, multiplyGPair, multiplyGTransposed } from "./g-operator.js";
import { copyInto, multiplyQ, type Workspace } from "./workspace.js";

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

/** Factors member k's reduced KKT system at (s, lam). Returns false when no factorization exists. */
export function factorReducedKkt(ws: Workspace, k: number, splitWeight: number): boolean {
  const { kernels, n, m, p, Q, G, A, s, lam, w, wK, schurRows, X, L, Y, S } = ws;
  const qOff = k * ws.stride.Q;
  const gOff = k * ws.stride.G;
  const aOff = k * ws.stride.A;
  const lOff = k * n * n;
  const yOff = k * (m + p) * n;
  const sOff = k * (m + p) * (m + p);
  const pOff = k * p;

  // w = lam / s; chooseMovedRows then splits it into wK and the Schur block's rows
  const { unitColumn } = ws;
  for (let i = 0; i < p; i++) w[pOff + i] = lam[pOff + i] / s[pOff + i];

  let maxDiagQ = 0;
  for (let i = 0; i < n; i++) maxDiagQ = Math.max(maxDiagQ, Math.abs(Q[qOff + i * n + i]));
  const globalRegularization = BASE_REGULARIZATION_K * Math.max(1, maxDiagQ);
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
  const regularization = (j: number) => {
    const qjj = Q[qOff + j * n + j];
    return qjj > 0
      ? Math.max(BASE_REGULARIZATION_K * qjj, RELATIVE_FLOOR * globalRegularization)
      : globalRegularization;
  };
  // Epigraphs of differences along a path: O(n), no split weight (chain.ts)
  if (ws.chain.found[k] && factorChain(ws, k, regularization)) {
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
    factored = factorEliminated(ws, k, regularization);
    ws.elimActive[k] = factored ? 1 : 0;
  }
  if (!factored) {
    chooseMovedRows(ws, k, splitWeight, false);
    for (let t = 0; t < dense; t++) sqrtW[pOff + t] = Math.sqrt(wK[pOff + denseRows[t]]);
  }
  const moved = ws.schurCount[k];
  if (!factored && kernels.scaleColumns)
    kernels.scaleColumns(Gt, 0, n, dense, sqrtW, pOff, X, xOff);
  else if (!factored) {
    for (let j = 0; j < n; j++) {
      const from = j * dense;
      const to = xOff + j * dense;
      for (let t = 0; t < dense; t++) X[to + t] = sqrtW[pOff + t] * Gt[from + t];
    }
  }
  for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
    // L ← X Xᵀ + Q + regularization + unit-row weights (lower triangle), then its Cholesky factor
    if (kernels.syrkPlus) kernels.syrkPlus(X, xOff, n, dense, Q, qOff, L, lOff);
    else {
      kernels.syrk(X, xOff, n, dense, L, lOff);
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
      const qii = Q[qOff + i * n + i];
      L[lOff + i * n + i] +=
        attempt > 0
          ? regK
          : qii > 0
            ? Math.max(BASE_REGULARIZATION_K * qii, RELATIVE_FLOOR * globalRegularization)
            : globalRegularization;
    }
    for (let i = 0; i < p; i++) {
      if (unitColumn[i] >= 0) L[lOff + unitColumn[i] * (n + 1)] += wK[pOff + i];
    }
    factored = kernels.cholesky(L, lOff, n);
    if (!factored && attempt > 0) regK *= 100;
  }
  if (!factored) return false;
  ws.regK[k] = regK;
  const rows = m + moved;
  if (rows === 0) return true;

  // Y = Ã L⁻ᵀ: every row ã_i of Ã = [A; G_moved] becomes L⁻¹ã_i
  copyInto(A, aOff, Y, yOff, m * n);
  for (let j = 0; j < moved; j++) {
    const row = gOff + schurRows[pOff + j] * n;
    copyInto(G, row, Y, yOff + (m + j) * n, n);
  }
  if (ws.elimActive[k]) {
    for (let r = 0; r < rows; r++) solveLowerEliminated(ws, k, Y, yOff + r * n);
  } else kernels.solveLowerRows(L, lOff, n, Y, yOff, rows);
  factored = false;
  // regS is relative to each diagonal entry: Cholesky's rounding is too (it is invariant under
  // diagonal scaling), and the equality rows' entries can be orders of magnitude above the
  // moved rows' when K is nearly singular along A.
  let regS = BASE_REGULARIZATION_S;
  for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
    // S ← Y Y' + D + regS·diag(Y Y' + D), then its Cholesky factor
    kernels.syrk(Y, yOff, rows, n, S, sOff);
    for (let j = 0; j < moved; j++) {
      const i = pOff + schurRows[pOff + j];
      S[sOff + (m + j) * rows + m + j] += 1 / (w[i] - wK[i]);
    }
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
  const { elimHeaviest } = groupsOf(ws, k);
  const pOff = k * p;
  let moved = 0;
  for (let i = 0; i < p; i++) {
    const wi = w[pOff + i];
    const group = grouped ? elimRowAux[i] : -1;
    const keep = group >= 0 ? elimHeaviest[group] === i : unitColumn[i] >= 0;
    if (wi > splitWeight && !keep) {
      schurRows[pOff + moved++] = i;
      wK[pOff + i] = splitWeight;
    } else {
      wK[pOff + i] = wi;
    }
  }
  ws.schurCount[k] = moved;
}

/** (c1, c2) ← the regularized system's solution for right-hand side (e1, e2). */
function solveRegularized(ws: Workspace, k: number, rows: number): void {
  const { kernels, n, m, p, L, Y, S, e1, e2, c1, c2 } = ws;
  const nOff = k * n;
  const rOff = k * (m + p);
  const lOff = k * n * n;
  copyInto(e1, nOff, c1, nOff, n);
  const eliminated = ws.elimActive[k] === 1;
  // u = L⁻¹ e1
  if (eliminated) solveLowerEliminated(ws, k, c1, nOff);
  else kernels.solveLower(L, lOff, n, c1, nOff);
  if (rows > 0) {
    const yOff = k * (m + p) * n;
    const sOff = k * (m + p) * (m + p);
    // t = S⁻ᵀS⁻¹ (Y u − e2)
    kernels.gemv(Y, yOff, rows, n, false, 1, c1, nOff, 0, c2, rOff);
    for (let i = 0; i < rows; i++) c2[rOff + i] -= e2[rOff + i];
    kernels.solveLower(S, sOff, rows, c2, rOff);
    kernels.solveLowerTransposed(S, sOff, rows, c2, rOff);
    // x = L⁻ᵀ (u − Y' t)
    kernels.gemv(Y, yOff, rows, n, true, -1, c2, rOff, 1, c1, nOff);
  }
  if (eliminated) solveLowerTransposedEliminated(ws, k, c1, nOff);
  else kernels.solveLowerTransposed(L, lOff, n, c1, nOff);
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
  // e1 = r1 − Q x − G' yG − A't_A
  kernels.gemv(A, aOff, m, n, true, 1, yt, rOff, 1, e1, nOff);
  for (let i = 0; i < n; i++) {
    const e = r1[nOff + i] - e1[nOff + i];
    e1[nOff + i] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  // e2 = r2 − A x on the equality rows
  kernels.gemv(A, aOff, m, n, false, 1, x, xOff, 0, e2, rOff);
  for (let i = 0; i < m; i++) {
    const e = r2[mOff + i] - e2[rOff + i];
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
  let rhsNorm = 0;
  for (let i = 0; i < n; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r1[nOff + i]));
  for (let i = 0; i < m; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r2[mOff + i]));
  copyInto(r1, nOff, e1, nOff, n);
  copyInto(r2, mOff, e2, rOff, m);
  e2.fill(0, rOff + m, rOff + rows);
  x.fill(0, xOff, xOff + n);
  yt.fill(0, rOff, rOff + rows);
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
    if (norm <= tolerance * rhsNorm || norm > 0.25 * previous) break;
    previous = norm;
  }
  copyInto(yt, rOff, y, yOff, m);
}
