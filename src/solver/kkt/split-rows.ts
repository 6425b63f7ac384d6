/**
 * How a factorization divides the rows of G between K and the Schur block (schur-block.ts), and
 * which of K's rows are negligible. Shared by the forms that factor K from the rows of G.
 */
import type { KktSystem } from "../workspace.js";
import type { FactorRequest } from "./form.js";
import { columnRegularizations } from "./regularization.js";

/**
 * Rows whose weighted outer product adds at most this times the split weight (relative to K's
 * diagonal) stay out of the syrk that forms K (keepRows): below the rounding floor ~1e-16·T that
 * the split weight already allows, so the refinement against the full system removes their effect.
 */
const NEGLIGIBLE_PER_SPLIT_WEIGHT = 1e-16;
/**
 * Below this many variables neither saving (keepRows, the range-space form) is tried. The
 * range-space form's flop count wins there, but every row sits in its Schur block and each solve
 * makes four more small kernel calls; measuring the rows' reach and gathering the kept ones costs
 * more than the syrk rows it saves. On the paper's problems, batch 128, forward+backward
 * without/with the range-space form: n = 10 6.1/7.6 ms, 16 10.2/13.1, 24 16.9/18.2, 32 23.2/24.5,
 * 48 46/50, 64 76/69 (there it wins); without keepRows at n = 10 another 3% less. (From n = 24 to
 * 48 the two forms are within ~8%; the savings' tests run at n = 30 and 40.)
 */
export const SAVINGS_MIN_VARIABLES = 30;

/** The weight·reach below which a row's product is negligible in K (keepRows). */
export function negligibleWeight(splitWeight: number): number {
  return NEGLIGIBLE_PER_SPLIT_WEIGHT * splitWeight;
}

/**
 * The split of member k's rows for the forms that factor K from G's rows one by one (not
 * grouped by eliminated column): schurRows, wK and √wK of the dense rows, and the dense rows kept
 * in K (request.kept). Made once per factorization, whichever of those forms asks first.
 */
export function splitRows(ws: KktSystem, k: number, request: FactorRequest): number {
  const { data } = ws;
  if (request.kept >= 0) return request.kept;
  const { n, p, denseRows } = data;
  const { wK, sqrtW } = ws.factorization;
  const dense = data.denseCount[0];
  const pOff = k * p;
  chooseMovedRows(ws, k, request.splitWeight, false);
  for (let t = 0; t < dense; t++) sqrtW[pOff + t] = Math.sqrt(wK[pOff + denseRows[t]]);
  request.kept =
    n >= SAVINGS_MIN_VARIABLES ? keepRows(ws, k, negligibleWeight(request.splitWeight)) : dense;
  return request.kept;
}

/**
 * schurRows, schurCount and wK of member k from w: rows whose weight exceeds the split weight
 * move to the Schur block, except rows ±e_j (their weight only touches one diagonal entry of K,
 * which Cholesky takes at any size: it is invariant under diagonal scaling; moving them would
 * cost the Schur block a row of n each, at n = p = 3000 with every bound active minutes per
 * factorization). With auxiliary columns eliminated (`grouped`), a row of an eliminated column's
 * group moves unless it is the group's heaviest: the elimination keeps one heavy row per group
 * exact (eliminated.ts), unit or not.
 */
export function chooseMovedRows(
  ws: KktSystem,
  k: number,
  splitWeight: number,
  grouped: boolean,
): void {
  const { data, factorization } = ws;
  const { p, unitColumn } = data;
  const { w, wK, schurRows, elimHeaviest } = factorization;
  const { elimRowAux } = data.elimination;
  const pOff = k * p;
  // member k's heaviest row of each group (eliminated.ts), read only when grouped
  const heaviestOff = k * data.n;
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
  factorization.schurCount[k] = moved;
}

/**
 * scratch.keptRows ← the dense rows t (indices into denseRows) whose weighted outer product
 * wK_i g_i g_iᵀ is not negligible in K; returns their number. A row is negligible when
 * wK_i·max_j g_ij²/d_j ≤ `negligible`, d_j = Q_jj + its regularization (≤ K_jj): every entry it adds
 * to K is then at most `negligible`·√(d_i d_j), a perturbation of K the size of a few roundings when
 * `negligible` is near 1e-16 times the split weight (Cholesky's backward error is relative to the
 * same √(K_ii K_jj)). Near a solution the inactive rows' weights fall to ~1e-12 while the active
 * rows move to the Schur block, so the last factorizations form K from half the rows (the paper's
 * problems at n = 500: 240 of 500 rows dropped in the last one or two). The residual of the
 * refinement keeps every row, so the solution is that of the full system.
 */
function keepRows(ws: KktSystem, k: number, negligible: number): number {
  const { data } = ws;
  const { p, denseRows, rowReach } = data;
  const { wK } = ws.factorization;
  const { keptRows } = ws.scratch;
  const dense = data.denseCount[0];
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
 * rowReach[i] ← max_j g_ij²/(Q_jj + regularization_j) over member k's dense rows, once per member
 * (once for the batch when Q and G are shared): Q and G do not change during its iterations.
 */
function measureRowReach(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { n, G, Q, denseRows, rowReach, rowReachOf } = data;
  const shared = data.stride.G === 0 && data.stride.Q === 0;
  const owner = shared ? -2 : k;
  if (rowReachOf[0] === owner) return;
  const dense = data.denseCount[0];
  const gOff = k * data.stride.G;
  const qOff = k * data.stride.Q;
  const regularization = columnRegularizations(ws, k, 0);
  // once per member, not per iteration
  const { inverseDiagonal } = ws.scratch;
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
  const { unitColumn } = data;
  for (let i = 0; i < data.p; i++) {
    if (unitColumn[i] >= 0) rowReach[i] = inverseDiagonal[unitColumn[i]];
  }
  rowReachOf[0] = owner;
}
