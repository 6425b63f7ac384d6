/**
 * The diagonal form: where Q is diagonal and no dense row of G is kept in K (every row a unit
 * row ±e_j, as bounds are in the Sudoku layer, or the others negligible), K itself is diagonal.
 * Only L's diagonal is written, the square roots of K's entries (what the Cholesky kernel would
 * compute there: its dot products over zeros add nothing), and the Schur block's rows are scaled
 * copies of A's: O(n) instead of a Cholesky and n² per Schur row, the same numbers.
 *
 * accepts: structure exploited and Q diagonal (plan.diagonalQ). Declines a factorization that
 * keeps a dense row in K.
 */
import type { KktSystem } from "../workspace.js";
import { DIRECTION_TOLERANCE, FORM_ID, type KktForm } from "./form.js";
import { columnRegularization, REGULARIZATION_RETRIES } from "./regularization.js";
import {
  factorSchurBlock,
  refine,
  solveDirectionOnce,
  solveThroughSchur,
  type LowerFactor,
} from "./schur-block.js";
import { splitRows } from "./split-rows.js";

export const diagonal: KktForm = {
  id: FORM_ID.diagonal,
  name: "diagonal",
  accepts: (plan) => plan.structure && plan.diagonalQ[0] === 1,
  factor(ws, k, request) {
    const { factorization } = ws;
    if (splitRows(ws, k, request) > 0) return "declined";
    const { globalRegularization } = request;
    let regK = globalRegularization;
    let factored = false;
    for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
      factored = factorDiagonalK(ws, k, attempt > 0 ? regK : -1, globalRegularization);
      if (!factored && attempt > 0) regK *= 100;
    }
    if (!factored) return "failed";
    factorization.regK[k] = regK;
    return factorSchurBlock(ws, k, request, scaleSchurRows) ? "factored" : "failed";
  },
  solve(ws, k, x, xOff, y, yOff, tolerance) {
    if (tolerance === DIRECTION_TOLERANCE) solveDirectionOnce(ws, k, x, xOff, y, yOff, DIAGONAL);
    else refine(ws, k, x, xOff, y, yOff, tolerance, solveDiagonal, false);
  },
};

/** v ← L⁻¹v = L⁻ᵀv for member k's diagonal factor. */
function divideByDiagonal(ws: KktSystem, k: number, v: Float64Array, vOff: number): void {
  const { n } = ws.data;
  const { L } = ws.factorization;
  const lOff = k * n * n;
  for (let i = 0; i < n; i++) v[vOff + i] /= L[lOff + i * (n + 1)];
}

const DIAGONAL: LowerFactor = { forward: divideByDiagonal, backward: divideByDiagonal };

function solveDiagonal(ws: KktSystem, k: number, rows: number): void {
  solveThroughSchur(ws, k, rows, DIAGONAL);
}

/**
 * L's diagonal ← the square roots of K + diag(reg) for member k. The regularization is the first
 * attempt's per column (`retryRegularization` < 0) or a retry's global one. False where a pivot
 * is not positive.
 */
function factorDiagonalK(
  ws: KktSystem,
  k: number,
  retryRegularization: number,
  globalRegularization: number,
): boolean {
  const { data, factorization } = ws;
  const { n, p, Q, unitColumn } = data;
  const { L, wK } = factorization;
  const qOff = k * data.stride.Q;
  const lOff = k * n * n;
  const pOff = k * p;
  for (let i = 0; i < n; i++) {
    const regularization =
      retryRegularization >= 0
        ? Math.max(retryRegularization, factorization.rho[k])
        : columnRegularization(Q, qOff, n, globalRegularization, i, factorization.rho[k]);
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
function scaleSchurRows(ws: KktSystem, k: number, Y: Float64Array, yOff: number): void {
  const { n, m, p, A, G, stride, kernels } = ws.data;
  const { L, schurRows, schurCount } = ws.factorization;
  const aOff = k * stride.A;
  const gOff = k * stride.G;
  const lOff = k * n * n;
  const rows = m + schurCount[k];
  // one division per column, then products: rows·n divisions would cost more than the rest here
  const { inverseDiagonal } = ws.scratch;
  for (let j = 0; j < n; j++) inverseDiagonal[j] = 1 / L[lOff + j * (n + 1)];
  let r = 0;
  if (kernels.scaleColumns) {
    kernels.scaleColumns(A, aOff, m, n, inverseDiagonal, 0, Y, yOff);
    r = m;
  }
  for (; r < rows; r++) {
    const from = r < m ? aOff + r * n : gOff + schurRows[k * p + r - m] * n;
    const rowsOf = r < m ? A : G;
    const to = yOff + r * n;
    for (let j = 0; j < n; j++) Y[to + j] = rowsOf[from + j] * inverseDiagonal[j];
  }
}
