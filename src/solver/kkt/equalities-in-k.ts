/**
 * Equalities alone, regularized (delta > 0, no inequalities): they join K as A'A/delta (an
 * augmented Lagrangian, as PIQP's dense KKT does) instead of a Schur block. Where Q is singular
 * on many columns (the unknowns of a least squares), the Schur block A K⁻¹ A' + delta·I has
 * entries ~1/rho beside eigenvalues ~1, past what a Cholesky resolves (least squares with A, b
 * ×1e4 then ended max_iterations), while Q + rho·I + A'A/delta stays as well conditioned as the
 * problem. It uses no structure of the data: `structure: false` keeps it.
 *
 * accepts: no inequalities and at least one equality. Declines an unregularized factorization
 * (delta = 0: the dense form's Schur block takes the equalities).
 */
import { copyInto, type KktSystem } from "../workspace.js";
import { factorKBySyrk } from "./dense-schur.js";
import { FORM_ID, type KktForm } from "./form.js";
import { refine } from "./schur-block.js";
import { splitRows } from "./split-rows.js";

export const equalitiesInK: KktForm = {
  id: FORM_ID.equalitiesInK,
  name: "equalities in K",
  accepts: (plan) => plan.p === 0 && plan.m > 0,
  factor(ws, k, request) {
    const { data, factorization } = ws;
    const { delta } = request;
    if (!(delta > 0)) return "declined";
    splitRows(ws, k, request);
    const { n, m, A } = data;
    const { X } = ws.scratch;
    const aOff = k * data.stride.A;
    // X = (A / √delta)ᵀ: its syrk is A'A/delta
    const scale = 1 / Math.sqrt(delta);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) X[j * m + i] = scale * A[aOff + i * n + j];
    }
    if (!factorKBySyrk(ws, k, request, m)) return "failed";
    factorization.deltaEq.fill(delta, k * m, (k + 1) * m);
    return "factored";
  },
  solve(ws, k, x, xOff, y, yOff, tolerance) {
    refine(ws, k, x, xOff, y, yOff, tolerance, solveWithEqualitiesInK, false, true);
  },
};

/** (K + A'A/delta) c1 = e1 + A'(e2/delta), then c2 = (A c1 − e2)/delta. */
function solveWithEqualitiesInK(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { kernels, n, m, p, A } = data;
  const { L, deltaEq } = ws.factorization;
  const { e1, e2, c1, c2 } = ws.scratch;
  const nOff = k * n;
  const rOff = k * (m + p);
  const lOff = k * n * n;
  const aOff = k * data.stride.A;
  const mOff = k * m;
  copyInto(e1, nOff, c1, nOff, n);
  for (let i = 0; i < m; i++) c2[rOff + i] = e2[rOff + i] / deltaEq[mOff + i];
  kernels.gemv(A, aOff, m, n, true, 1, c2, rOff, 1, c1, nOff);
  kernels.solveLower(L, lOff, n, c1, nOff);
  kernels.solveLowerTransposed(L, lOff, n, c1, nOff);
  kernels.gemv(A, aOff, m, n, false, 1, c1, nOff, 0, c2, rOff);
  for (let i = 0; i < m; i++) c2[rOff + i] = (c2[rOff + i] - e2[rOff + i]) / deltaEq[mOff + i];
}
