/**
 * The dense form, which every member accepts: K = Q + rho·I + G' diag(wK) G formed by one syrk
 * over the dense rows kept in K (unit rows add their weight to one diagonal entry), its Cholesky
 * factor with static regularization retried a hundredfold on a failed pivot, and the Schur block
 * of A and the moved rows (schur-block.ts).
 */
import type { KktSystem } from "../workspace.js";
import { DIRECTION_TOLERANCE, FORM_ID, type FactorRequest, type KktForm } from "./form.js";
import { columnRegularization, REGULARIZATION_RETRIES } from "./regularization.js";
import {
  copySchurRows,
  factorSchurBlock,
  KERNEL_LOWER,
  refine,
  solveDirectionOnce,
  solveThroughSchur,
} from "./schur-block.js";
import { splitRows } from "./split-rows.js";
import { transposedG } from "./transposed-g.js";

export const denseSchur: KktForm = {
  id: FORM_ID.denseSchur,
  name: "dense Schur",
  accepts: () => true,
  factor(ws, k, request) {
    const kept = splitRows(ws, k, request);
    scaledRowsOfG(ws, k, kept);
    if (!factorKBySyrk(ws, k, request, kept)) return "failed";
    return factorSchurBlock(ws, k, request, solvedRows) ? "factored" : "failed";
  },
  solve(ws, k, x, xOff, y, yOff, tolerance) {
    if (tolerance === DIRECTION_TOLERANCE)
      solveDirectionOnce(ws, k, x, xOff, y, yOff, KERNEL_LOWER);
    else refine(ws, k, x, xOff, y, yOff, tolerance, solveDense, false);
  },
};

function solveDense(ws: KktSystem, k: number, rows: number): void {
  solveThroughSchur(ws, k, rows, KERNEL_LOWER);
}

/** Y ← [A; moved rows of G] L⁻ᵀ. */
function solvedRows(ws: KktSystem, k: number, Y: Float64Array, yOff: number): void {
  const { data, factorization } = ws;
  copySchurRows(ws, k, Y, yOff);
  const { n, m } = data;
  data.kernels.solveLowerRows(
    factorization.L,
    k * n * n,
    n,
    Y,
    yOff,
    m + factorization.schurCount[k],
  );
}

/**
 * X ← (diag(√wK) G_kept)ᵀ over the kept dense rows, so that their part of G' diag(wK) G is X Xᵀ,
 * one dot-product kernel (syrk), faster than the rank-one updates of syrkWeighted. X is one
 * scratch for the whole batch: only this factorization reads it.
 */
function scaledRowsOfG(ws: KktSystem, k: number, kept: number): void {
  const { data } = ws;
  const { kernels, n, p } = data;
  const Gt = transposedG(data, k);
  const { sqrtW } = ws.factorization;
  const { X } = ws.scratch;
  const dense = data.denseCount[0];
  const pOff = k * p;
  if (kept < dense) {
    const { keptRows } = ws.scratch;
    for (let j = 0; j < n; j++) {
      const from = j * dense;
      const to = j * kept;
      for (let u = 0; u < kept; u++) {
        const t = keptRows[u];
        X[to + u] = sqrtW[pOff + t] * Gt[from + t];
      }
    }
  } else if (kernels.scaleColumns) kernels.scaleColumns(Gt, 0, n, dense, sqrtW, pOff, X, 0);
  else {
    for (let j = 0; j < n; j++) {
      const from = j * dense;
      const to = j * dense;
      for (let t = 0; t < dense; t++) X[to + t] = sqrtW[pOff + t] * Gt[from + t];
    }
  }
}

/**
 * L ← the Cholesky factor of X Xᵀ (X: n×`columns`) + Q + regularization + unit-row weights: the
 * first attempt regularizes each column (regularization.ts), the retries with the global size,
 * a hundredfold each time. A regularized system takes a retry's regularization as its own rho.
 */
export function factorKBySyrk(
  ws: KktSystem,
  k: number,
  request: FactorRequest,
  columns: number,
): boolean {
  const { data, factorization } = ws;
  const { kernels, n, p, Q, unitColumn } = data;
  const { L, wK } = factorization;
  const { X } = ws.scratch;
  const qOff = k * data.stride.Q;
  const lOff = k * n * n;
  const pOff = k * p;
  const { rho, globalRegularization } = request;
  let regK = globalRegularization;
  let factored = false;
  for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
    // L ← X Xᵀ + Q + regularization + unit-row weights (lower triangle), then its Cholesky factor
    if (kernels.syrkPlus) kernels.syrkPlus(X, 0, n, columns, Q, qOff, L, lOff);
    else {
      kernels.syrk(X, 0, n, columns, L, lOff);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) L[lOff + i * n + j] += Q[qOff + i * n + j];
      }
    }
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
    if (factored && attempt > 0 && rho > 0) factorization.rho[k] = Math.max(rho, regK);
  }
  if (factored) factorization.regK[k] = regK;
  return factored;
}
