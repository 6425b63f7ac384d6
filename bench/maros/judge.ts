/**
 * qpbenchmark's verdict on a solution (qpsolvers' `Solution` residuals and qpbenchmark's
 * `found_and_valid`), for our form  minimize ½z'Qz + q'z s.t. Az = b, Gz ≤ h  with
 * Qz + q + A'ν + G'λ = 0, λ ≥ 0. All three measures are absolute, in ∞-norms:
 *
 *   primal = max(‖Az − b‖∞, ‖max(Gz − h, 0)‖∞)            (bounds are rows of G)
 *   dual   = ‖Qz + q + A'ν + G'λ‖∞
 *   gap    = |z'Qz + q'z + b'ν + h'λ|
 *
 * qpsolvers states bounds as a box lb ≤ z ≤ ub with one multiplier per variable,
 * z_box = λ_upper − λ_lower, and counts them in the gap as ub'max(z_box, 0) + lb'min(z_box, 0)
 * over finite sides. The rows listed in `structure.boundRows` are folded that way here, so the
 * gap is qpbenchmark's to the last term; G'λ over those rows is z_box already. Both readings
 * agree when at most one side of each variable has a multiplier.
 */

import type { QPBatch } from "../../src/solver/index.js";

export interface Residuals {
  primal: number;
  dual: number;
  gap: number;
}

/** The point of member 0 of a batch (or of a QPBatchSolution). */
export interface PrimalDualPoint {
  z: Float64Array;
  nu: Float64Array;
  lam: Float64Array;
}

/** Residuals of member 0 of `qp` at `point`. */
export function residuals(qp: QPBatch, point: PrimalDualPoint): Residuals {
  const { n, m, p } = qp;
  const [Q, q, A, b, G, h] = [qp.Q, qp.q, qp.A, qp.b, qp.G, qp.h].map((o) => o.data);
  const { z, nu, lam } = point;

  let primal = 0;
  // stationarity r = Qz + q + A'ν + G'λ, and z'Qz on the way
  const stationarity = Float64Array.from(q.subarray(0, n));
  let zQz = 0;
  for (let i = 0; i < n; i++) {
    let Qz = 0;
    for (let j = 0; j < n; j++) Qz += Q[i * n + j] * z[j];
    stationarity[i] += Qz;
    zQz += z[i] * Qz;
  }
  let gap = zQz;
  for (let j = 0; j < n; j++) gap += q[j] * z[j];
  for (let i = 0; i < m; i++) {
    let Az = 0;
    for (let j = 0; j < n; j++) {
      Az += A[i * n + j] * z[j];
      stationarity[j] += A[i * n + j] * nu[i];
    }
    primal = Math.max(primal, Math.abs(Az - b[i]));
    gap += b[i] * nu[i];
  }
  const isBound = new Uint8Array(p);
  for (const row of qp.structure?.boundRows?.row ?? []) isBound[row] = 1;
  for (let i = 0; i < p; i++) {
    let Gz = 0;
    for (let j = 0; j < n; j++) {
      Gz += G[i * n + j] * z[j];
      stationarity[j] += G[i * n + j] * lam[i];
    }
    primal = Math.max(primal, Gz - h[i]);
    if (!isBound[i]) gap += h[i] * lam[i];
  }
  gap += boxGapTerm(qp, lam);

  let dual = 0;
  for (let j = 0; j < n; j++) dual = Math.max(dual, Math.abs(stationarity[j]));
  return { primal, dual, gap: Math.abs(gap) };
}

/** ub'max(z_box, 0) + lb'min(z_box, 0) over the finite sides (qpsolvers' duality_gap). */
function boxGapTerm(qp: QPBatch, lam: Float64Array): number {
  const bounds = qp.structure?.boundRows;
  if (bounds === undefined) return 0;
  const h = qp.h.data;
  const zBox = new Map<number, number>();
  const upper = new Map<number, number>();
  const lower = new Map<number, number>();
  bounds.row.forEach((row, t) => {
    const column = bounds.column[t];
    const sign = bounds.sign[t];
    zBox.set(column, (zBox.get(column) ?? 0) + sign * lam[row]);
    // the row sign·z_j ≤ h: an upper bound h for +1, a lower bound −h for −1
    if (sign > 0) upper.set(column, h[row]);
    else lower.set(column, -h[row]);
  });
  let term = 0;
  for (const [column, value] of zBox) {
    if (value > 0 && upper.has(column)) term += upper.get(column)! * value;
    if (value < 0 && lower.has(column)) term += lower.get(column)! * value;
  }
  return term;
}

/** qpbenchmark's test: each measure strictly below the tolerance (results.py uses `<`). */
export function withinTolerance(measures: Residuals, tolerance: number): boolean {
  return measures.primal < tolerance && measures.dual < tolerance && measures.gap < tolerance;
}

export interface Verdict {
  /** status "solved" and every measure within tolerance: what qpbenchmark counts */
  success: boolean;
  /** the solver said "solved" but the measures say otherwise */
  wrongSolved: boolean;
}

export function judge(status: string, measures: Residuals, tolerance: number): Verdict {
  const valid = withinTolerance(measures, tolerance);
  const solved = status === "solved";
  return { success: solved && valid, wrongSolved: solved && !valid };
}
