/**
 * Closed-form elimination of auxiliary columns (the t of an epigraph such as ‖D z‖₁ ≤ 1't).
 * A column t whose row and column of Q hold only a diagonal entry q_t, whose column of A is zero
 * and that shares no row of G with another such column has a diagonal block in
 * K = Q + G' diag(wK) G at every iterate. With the columns ordered (t, z),
 *
 *     K = [ D  B' ]  = L Lᵀ,   L = [ D^½      0  ],   L_S L_Sᵀ = S = K_zz − B D⁻¹ B',
 *         [ B  K_zz ]              [ B D^-½  L_S ]
 *
 * the Cholesky factor of K in that order, with an nz×nz factorization instead of n×n.
 *
 * S is never formed as the difference (an active row's weight, ~1e10 near a solution, would
 * cancel and bury the rest): the part of t's rows r (weights w_r, coefficient g_r on t, z-part
 * a_r) is, with Σ = q_t + Σ_r w_r g_r²,
 *
 *     Σ_r w_r a_r a_r' − (Σ_r w_r g_r a_r)(…)'/Σ
 *       = Σ_{r<s} (w_r w_s/Σ) (g_s a_r − g_r a_s)(…)' + Σ_r (q_t w_r/Σ) a_r a_r',
 *
 * sums of nonnegative terms: "virtual rows" of a syrk. A pair weight is at most about the
 * smaller of its two rows' weights, so only a group with two heavy rows needs the Schur block:
 * split-rows.ts moves all but each group's heaviest row there as usual. The factor is stored in member
 * k's n×n block of L: L_S (nz×nz), then E = B D⁻¹ (nz×nt, bounded), then D^½ (nt). Vectors keep
 * the original column order; the solves gather and scatter through `elimOrder`.
 */
import { findChain } from "./path-laplacian.js";
import { FORM_ID, type KktForm } from "./form.js";
import { columnRegularizations } from "./regularization.js";
import {
  copySchurRows,
  factorSchurBlock,
  refine,
  solveThroughSchur,
  type LowerFactor,
} from "./schur-block.js";
import { chooseMovedRows } from "./split-rows.js";
import { transposedG } from "./transposed-g.js";
import type { KktSystem } from "../workspace.js";

/**
 * The auxiliary columns found in each member's data (findEliminableColumns, in analyseMember
 * before the member's iterations; how many: plan.elimCount): analysis results, held in
 * ProblemData (`data.elimination`) and read-only during the member's iterations. The eliminated
 * form's per-factorization state (each group's heaviest row) is in the factorization
 * (`factorization.elimHeaviest`).
 */
export interface EliminationState {
  /**
   * Per member (n each): its z columns, then its eliminated columns t (how many:
   * plan.elimCount).
   */
  readonly elimOrder: Int32Array;
  /**
   * Of the member being solved (its analysis; read by its factorizations and the path search,
   * never by a solve): each row's eliminated column (its index among the t), or −1 (p).
   */
  readonly elimRowAux: Int32Array;
  /** Of the member being solved (its analysis): each column's position in elimOrder (n). */
  readonly elimPos: Int32Array;
  /** Of the member being analysed: 1 where a column is accepted for elimination (n). */
  readonly elimAccepted: Uint8Array;
  /** Per member: the rows of each eliminated column, grouped (CSR, n+1 and p per member). */
  readonly elimGroupStart: Int32Array;
  readonly elimGroupRows: Int32Array;
  /**
   * Of the member being solved (its analysis): the z-parts of the group rows, sparse (CSR over
   * rows of G, column indices are positions among the z columns); rewritten for each member, at
   * its own size.
   */
  elimSparse: { start: Int32Array; index: Int32Array; value: Float64Array };
}

export function createEliminationState(batch: number, n: number, p: number): EliminationState {
  return {
    elimOrder: new Int32Array(batch * n),
    elimRowAux: new Int32Array(p),
    elimPos: new Int32Array(n),
    elimAccepted: new Uint8Array(n),
    elimGroupStart: new Int32Array(batch * (n + 1)),
    elimGroupRows: new Int32Array(batch * p),
    elimSparse: {
      start: new Int32Array(p + 1),
      index: new Int32Array(0),
      value: new Float64Array(0),
    },
  };
}

/**
 * Member k's views of the per-member group arrays (see EliminationState) and of its current
 * factorization's heaviest rows (Factorization.elimHeaviest).
 */
export function groupsOf(ws: KktSystem, k: number) {
  const { data, factorization } = ws;
  const { n, p } = data;
  return {
    elimGroupStart: data.elimination.elimGroupStart.subarray(k * (n + 1), (k + 1) * (n + 1)),
    elimGroupRows: data.elimination.elimGroupRows.subarray(k * p, (k + 1) * p),
    elimHeaviest: factorization.elimHeaviest.subarray(k * n, (k + 1) * n),
  };
}

/**
 * elimOrder (z columns, then the eliminated t columns), elimCount, elimRowAux and the row groups
 * of member k: greedy in column order over the plan's candidates (the compiler's auxiliary
 * columns, or every column), so the set depends only on the member's own data.
 * Requires unitColumn of member k.
 */
export function findEliminableColumns(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { n, m, p, Q, A, G } = data;
  const { elimOrder, elimRowAux } = data.elimination;
  data.plan.elimCount[k] = 0;
  data.plan.pathFound[k] = 0;
  if (!data.plan.eliminate || p === 0) return;
  if (k > 0 && data.stride.Q === 0 && data.stride.A === 0 && data.stride.G === 0) {
    // the same data as member 0's: the same columns (its member-independent scratch is kept)
    copyMember(data.elimination.elimOrder, 0, k, n);
    copyMember(data.elimination.elimGroupStart, 0, k, n + 1);
    copyMember(data.elimination.elimGroupRows, 0, k, p);
    data.plan.elimCount[k] = data.plan.elimCount[0];
    copyChain(ws, k);
    return;
  }
  const qOff = k * data.stride.Q;
  const aOff = k * data.stride.A;
  const gOff = k * data.stride.G;
  elimRowAux.fill(-1);
  const accepted = data.elimination.elimAccepted;
  accepted.fill(0);
  let nt = 0;
  // Columns without curvature first (the t of epigraphs), each accepted only when its rows give
  // no more virtual rows than they are (see factorEliminated): k rows give k(k−1)/2 pairs, plus k
  // singles when q_t > 0.
  const candidates = data.plan.auxiliaryCandidates;
  for (const curved of [false, true]) {
    for (let t = 0; t < candidates.length; t++) {
      const c = candidates[t];
      const qcc = Q[qOff + c * (n + 1)];
      if (!(qcc >= 0) || qcc > 0 !== curved) continue;
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        if (j !== c && (Q[qOff + c * n + j] !== 0 || Q[qOff + j * n + c] !== 0)) ok = false;
      }
      for (let i = 0; i < m && ok; i++) if (A[aOff + i * n + c] !== 0) ok = false;
      let touched = 0;
      for (let i = 0; i < p && ok; i++) {
        const v = G[gOff + i * n + c];
        if (v === 0) continue;
        if (!Number.isFinite(v) || elimRowAux[i] >= 0) ok = false;
        touched++;
      }
      const virtual = (touched * (touched - 1)) / 2 + (curved ? touched : 0);
      if (!ok || touched === 0 || virtual > touched) continue;
      accepted[c] = 1;
      for (let i = 0; i < p; i++) if (G[gOff + i * n + c] !== 0) elimRowAux[i] = c;
      nt++;
    }
  }
  const nz = n - nt;
  const { elimPos } = data.elimination;
  const { elimGroupStart, elimGroupRows } = groupsOf(ws, k);
  if (nt > 0 && nz > 0) {
    const oOff = k * n;
    for (let c = 0, z = 0, t = nz; c < n; c++) {
      const position = accepted[c] ? t++ : z++;
      elimOrder[oOff + position] = c;
      elimPos[c] = position;
    }
    // rows hold their eliminated column's index among the t columns (0..nt−1), grouped in CSR
    elimGroupStart.fill(0);
    for (let i = 0; i < p; i++) {
      if (elimRowAux[i] < 0) continue;
      elimRowAux[i] = elimPos[elimRowAux[i]] - nz;
      elimGroupStart[elimRowAux[i] + 1]++;
    }
    for (let c = 0; c < nt; c++) elimGroupStart[c + 1] += elimGroupStart[c];
    const fill = elimGroupStart.slice(0, nt);
    for (let i = 0; i < p; i++) if (elimRowAux[i] >= 0) elimGroupRows[fill[elimRowAux[i]]++] = i;
    sparseZParts(ws, k, nz);
    // the virtual rows must fit the scratch X (n×p)
    if (virtualRowCount(ws, k, nt) * nz <= n * p) {
      data.plan.elimCount[k] = nt;
      findChain(ws, k);
      return;
    }
  }
  elimRowAux.fill(-1);
}

function copyMember(v: Int32Array, from: number, to: number, size: number): void {
  v.copyWithin(to * size, from * size, (from + 1) * size);
}

/** Member 0's path (path-laplacian.ts) for member k with the same data. */
function copyChain(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { n, chainPath } = data;
  data.plan.pathFound[k] = data.plan.pathFound[0];
  copyMember(chainPath.order, 0, k, n);
  copyMember(chainPath.edgeGroup, 0, k, n);
  copyMember(chainPath.groupEdge, 0, k, n);
}

/** elimSparse of member k: the z-parts of its group rows (others empty). */
function sparseZParts(ws: KktSystem, k: number, nz: number): void {
  const { data } = ws;
  const { n, p, G } = data;
  const { elimRowAux, elimOrder } = data.elimination;
  const gOff = k * data.stride.G;
  const start = new Int32Array(p + 1);
  let count = 0;
  for (let pass = 0; pass < 2; pass++) {
    const index = pass === 0 ? null : new Int32Array(count);
    const value = pass === 0 ? null : new Float64Array(count);
    count = 0;
    for (let i = 0; i < p; i++) {
      start[i] = count;
      if (elimRowAux[i] < 0) continue;
      for (let a = 0; a < nz; a++) {
        const g = G[gOff + i * n + elimOrder[k * n + a]];
        if (g === 0) continue;
        if (index && value) {
          index[count] = a;
          value[count] = g;
        }
        count++;
      }
    }
    start[p] = count;
    if (index && value) data.elimination.elimSparse = { start, index, value };
  }
}

/** Rows of the syrk that forms S: dense rows outside the groups, then pairs and singles. */
function virtualRowCount(ws: KktSystem, k: number, nt: number): number {
  const { data } = ws;
  const { n, Q, denseRows } = data;
  const { elimRowAux, elimOrder } = data.elimination;
  const { elimGroupStart } = groupsOf(ws, k);
  const dense = data.denseCount[0];
  const qOff = k * data.stride.Q;
  let count = 0;
  for (let t = 0; t < dense; t++) if (elimRowAux[denseRows[t]] < 0) count++;
  for (let c = 0; c < nt; c++) {
    const size = elimGroupStart[c + 1] - elimGroupStart[c];
    count += (size * (size - 1)) / 2;
    if (Q[qOff + elimOrder[k * n + n - nt + c] * (n + 1)] > 0) count += size;
  }
  return count;
}

/**
 * The row of each group whose weight stays whole in K (elimHeaviest): the one of largest w.
 * split-rows.ts may move the group's other rows to the Schur block.
 */
export function findHeaviestRows(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { p } = data;
  const { w } = ws.factorization;
  const { elimGroupStart, elimGroupRows, elimHeaviest } = groupsOf(ws, k);
  const nt = data.plan.elimCount[k];
  const pOff = k * p;
  for (let c = 0; c < nt; c++) {
    let best = elimGroupRows[elimGroupStart[c]];
    for (let j = elimGroupStart[c] + 1; j < elimGroupStart[c + 1]; j++) {
      const i = elimGroupRows[j];
      if (w[pOff + i] > w[pOff + best]) best = i;
    }
    elimHeaviest[c] = best;
  }
}

/**
 * Factors member k's K + diag(reg) in the eliminated form (see the file comment), with the
 * weights wK. `sqrtW` must hold √wK of the dense rows; `regularization[j]` is column j's static
 * regularization (on the t columns only where q_t = 0 and it is the whole pivot's floor).
 * Returns false, leaving L to the dense path, when a pivot D_t is not clearly positive or the
 * Cholesky of the nz×nz block fails.
 */
export function factorEliminated(ws: KktSystem, k: number, regularization: Float64Array): boolean {
  const { data } = ws;
  const { kernels, n, p, Q, G, unitColumn } = data;
  const Gt = transposedG(data, k);
  const { wK, sqrtW, L } = ws.factorization;
  const { X } = ws.scratch;
  const { elimOrder, elimRowAux } = data.elimination;
  const { denseRows } = data;
  const { elimPos } = data.elimination;
  const { elimGroupStart, elimGroupRows } = groupsOf(ws, k);
  const nt = data.plan.elimCount[k];
  const nz = n - nt;
  const oOff = k * n;
  const lOff = k * n * n;
  const eOff = lOff + nz * nz;
  const dOff = eOff + nz * nt;
  const qOff = k * data.stride.Q;
  const gOff = k * data.stride.G;
  const pOff = k * p;
  const dense = data.denseCount[0];
  const rows = virtualRowCount(ws, k, nt);
  const zColumn = (a: number) => elimOrder[oOff + a];

  // Σ_c = q_t + reg + Σ_r wK_r g_r² of each group (into D's slot), checked to be a real pivot
  for (let c = 0; c < nt; c++) {
    const column = zColumn(nz + c);
    let sum = Q[qOff + column * (n + 1)];
    for (let j = elimGroupStart[c]; j < elimGroupStart[c + 1]; j++) {
      const i = elimGroupRows[j];
      sum += wK[pOff + i] * G[gOff + i * n + column] ** 2;
    }
    const reg = regularization[column];
    if (!(sum > reg) || !Number.isFinite(sum)) return false;
    L[dOff + c] = sum + reg;
  }

  // X (nz×rows): the dense rows outside the groups, then each group's pairs and singles
  let v = 0;
  X.fill(0, 0, nz * rows);
  for (let t = 0; t < dense; t++) {
    if (elimRowAux[denseRows[t]] >= 0) continue;
    const scale = sqrtW[pOff + t];
    for (let a = 0; a < nz; a++) X[a * rows + v] = scale * Gt[zColumn(a) * dense + t];
    v++;
  }
  L.fill(0, eOff, dOff);
  const { start, index, value } = data.elimination.elimSparse;
  // a_r's nonzeros, times `scale`, into X's column v (X is nz×rows)
  const scatter = (r: number, scale: number) => {
    for (let e = start[r]; e < start[r + 1]; e++) X[index[e] * rows + v] += scale * value[e];
  };
  for (let c = 0; c < nt; c++) {
    const column = zColumn(nz + c);
    const sum = L[dOff + c];
    const qt = Q[qOff + column * (n + 1)];
    for (let j = elimGroupStart[c]; j < elimGroupStart[c + 1]; j++) {
      const r = elimGroupRows[j];
      const gr = G[gOff + r * n + column];
      const wr = wK[pOff + r];
      // E's column: Σ_r (wK_r g_r / Σ) a_r
      const coefficient = (wr * gr) / sum;
      for (let e = start[r]; e < start[r + 1]; e++) {
        L[eOff + index[e] * nt + c] += coefficient * value[e];
      }
      for (let jj = j + 1; jj < elimGroupStart[c + 1]; jj++) {
        const s = elimGroupRows[jj];
        const gs = G[gOff + s * n + column];
        const scale = Math.sqrt((wr * wK[pOff + s]) / sum);
        scatter(r, scale * gs);
        scatter(s, -scale * gr);
        v++;
      }
      if (qt > 0) {
        scatter(r, Math.sqrt((qt * wr) / sum));
        v++;
      }
    }
  }
  for (let c = 0; c < nt; c++) L[dOff + c] = Math.sqrt(L[dOff + c]);

  // L_S ← X Xᵀ + Q_zz + reg + the weights of unit rows on z columns, then its Cholesky factor
  kernels.syrk(X, 0, nz, rows, L, lOff);
  for (let a = 0; a < nz; a++) {
    const ca = zColumn(a);
    const row = lOff + a * nz;
    for (let b = 0; b <= a; b++) L[row + b] += Q[qOff + ca * n + zColumn(b)];
    L[row + a] += regularization[ca];
  }
  for (let i = 0; i < p; i++) {
    const unit = unitColumn[i];
    if (unit >= 0 && elimRowAux[i] < 0) L[lOff + elimPos[unit] * (nz + 1)] += wK[pOff + i];
  }
  return kernels.cholesky(L, lOff, nz);
}

/** The offsets of a member's eliminated factor and of its solves' scratch (eliminatedFactor). */
interface EliminatedFactorOffsets {
  nt: number;
  nz: number;
  oOff: number;
  lOff: number;
  eOff: number;
  dOff: number;
  zOff: number;
  tOff: number;
}

/** Filled by each triangular solve in turn: an object per solve was a young-generation allocation. */
const offsets: EliminatedFactorOffsets = {
  nt: 0,
  nz: 0,
  oOff: 0,
  lOff: 0,
  eOff: 0,
  dOff: 0,
  zOff: 0,
  tOff: 0,
};

/**
 * Where member k's eliminated factor lies in L: L_S (nz×nz) at lOff, E (nz×nt) at eOff, D^½ (nt)
 * at dOff; and the halves of the scratch tn its solves permute v into (z columns at zOff, the
 * eliminated t at tOff). elimOrder holds the member's order from oOff.
 */
function eliminatedFactor(ws: KktSystem, k: number): EliminatedFactorOffsets {
  const { n } = ws.data;
  const nt = ws.data.plan.elimCount[k];
  const nz = n - nt;
  offsets.nt = nt;
  offsets.nz = nz;
  offsets.oOff = k * n;
  offsets.lOff = k * n * n;
  offsets.eOff = offsets.lOff + nz * nz;
  offsets.dOff = offsets.eOff + nz * nt;
  offsets.zOff = k * n;
  offsets.tOff = k * n + nz;
  return offsets;
}

/** v ← L⁻¹ v for member k's eliminated factor (v in the original column order). */
export function solveLowerEliminated(ws: KktSystem, k: number, v: Float64Array, vOff: number) {
  const { kernels, n, elimination } = ws.data;
  const { L } = ws.factorization;
  const { tn } = ws.scratch;
  const { elimOrder } = elimination;
  const { nt, nz, oOff, lOff, eOff, dOff, zOff, tOff } = eliminatedFactor(ws, k);
  for (let j = 0; j < n; j++) tn[zOff + j] = v[vOff + elimOrder[oOff + j]];
  // u_z = L_S⁻¹ (v_z − E v_t),  u_t = D^-½ v_t
  kernels.gemv(L, eOff, nz, nt, false, -1, tn, tOff, 1, tn, zOff);
  kernels.solveLower(L, lOff, nz, tn, zOff);
  for (let a = 0; a < nz; a++) v[vOff + elimOrder[oOff + a]] = tn[zOff + a];
  for (let c = 0; c < nt; c++) v[vOff + elimOrder[oOff + nz + c]] = tn[tOff + c] / L[dOff + c];
}

/** v ← L⁻ᵀ v for member k's eliminated factor (v in the original column order). */
export function solveLowerTransposedEliminated(
  ws: KktSystem,
  k: number,
  v: Float64Array,
  vOff: number,
) {
  const { kernels, n, elimination } = ws.data;
  const { L } = ws.factorization;
  const { tn } = ws.scratch;
  const { elimOrder } = elimination;
  const { nt, nz, oOff, lOff, eOff, dOff, zOff, tOff } = eliminatedFactor(ws, k);
  for (let a = 0; a < nz; a++) tn[zOff + a] = v[vOff + elimOrder[oOff + a]];
  for (let c = 0; c < nt; c++) tn[tOff + c] = v[vOff + elimOrder[oOff + nz + c]] / L[dOff + c];
  // x_z = L_S⁻ᵀ u_z;  x_t = D^-½ u_t − Eᵀ x_z
  kernels.solveLowerTransposed(L, lOff, nz, tn, zOff);
  kernels.gemv(L, eOff, nz, nt, true, -1, tn, zOff, 1, tn, tOff);
  for (let j = 0; j < n; j++) v[vOff + elimOrder[oOff + j]] = tn[zOff + j];
}

/**
 * yG ← each group's heaviest row's multiplier from its column's equation
 * q_t x_t + Σ_r g_r y_r = r_t, where that row carries most of the pivot. Its weight can be
 * ~1e16, so wK·(g'x) would carry an error of ~|x| (the rounding of g'x times the weight); the
 * column's equation gives it from the other, moderate, terms instead.
 */
export function settleHeaviestRows(
  ws: KktSystem,
  k: number,
  x: Float64Array,
  xOff: number,
  r: Float64Array,
  rOff: number,
  yG: Float64Array,
): void {
  const { data } = ws;
  const { n, p, Q, G } = data;
  const { wK } = ws.factorization;
  const { elimOrder } = data.elimination;
  const { elimGroupStart, elimGroupRows, elimHeaviest } = groupsOf(ws, k);
  const nt = data.plan.elimCount[k];
  const nz = n - nt;
  const qOff = k * data.stride.Q;
  const gOff = k * data.stride.G;
  const pOff = k * p;
  for (let c = 0; c < nt; c++) {
    const column = elimOrder[k * n + nz + c];
    const heaviest = elimHeaviest[c];
    const qt = Q[qOff + column * (n + 1)];
    const gh = G[gOff + heaviest * n + column];
    let others = qt;
    let sum = r[rOff + column] - qt * x[xOff + column];
    for (let j = elimGroupStart[c]; j < elimGroupStart[c + 1]; j++) {
      const i = elimGroupRows[j];
      if (i === heaviest) continue;
      const g = G[gOff + i * n + column];
      others += wK[pOff + i] * g * g;
      sum -= g * yG[pOff + i];
    }
    if (wK[pOff + heaviest] * gh * gh >= others) yG[pOff + heaviest] = sum / gh;
  }
}

/**
 * The eliminated form (see the file comment). accepts: auxiliary columns found for the member
 * (plan.elimCount; `eliminateAuxiliary` and structure exploited). Declines a factorization whose
 * pivot D_t or nz×nz Cholesky fails: the forms after it take the member.
 */
export const eliminated: KktForm = {
  id: FORM_ID.eliminated,
  name: "eliminated auxiliary columns",
  accepts: (plan, k) => plan.structure && plan.elimCount[k] > 0,
  factor(ws, k, request) {
    const { data, factorization } = ws;
    const { p, denseRows } = data;
    const { wK, sqrtW } = factorization;
    const pOff = k * p;
    findHeaviestRows(ws, k);
    chooseMovedRows(ws, k, request.splitWeight, true);
    for (let t = 0; t < data.denseCount[0]; t++)
      sqrtW[pOff + t] = Math.sqrt(wK[pOff + denseRows[t]]);
    // L is written from here on: a range-space factor of Q left there is gone
    request.qFactorInL = false;
    if (!factorEliminated(ws, k, columnRegularizations(ws, k))) return "declined";
    factorization.regK[k] = request.globalRegularization;
    return factorSchurBlock(ws, k, request, solvedRows) ? "factored" : "failed";
  },
  solve(ws, k, x, xOff, y, yOff, tolerance) {
    refine(ws, k, x, xOff, y, yOff, tolerance, solveEliminated, true);
  },
};

const ELIMINATED: LowerFactor = {
  forward: solveLowerEliminated,
  backward: solveLowerTransposedEliminated,
};

function solveEliminated(ws: KktSystem, k: number, rows: number): void {
  solveThroughSchur(ws, k, rows, ELIMINATED);
}

/** Y ← [A; moved rows of G] L⁻ᵀ with the eliminated factor, row by row. */
function solvedRows(ws: KktSystem, k: number, Y: Float64Array, yOff: number): void {
  const { data, factorization } = ws;
  copySchurRows(ws, k, Y, yOff);
  const { n } = data;
  const rows = data.m + factorization.schurCount[k];
  for (let r = 0; r < rows; r++) solveLowerEliminated(ws, k, Y, yOff + r * n);
}
