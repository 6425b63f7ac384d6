/**
 * The measures of the point a member would return (primal residual, dual residual and duality
 * gap z'Qz + q'z + b'nu + h'lam, as qpsolvers defines them), in the caller's data and summed
 * exactly (double-double, exact-sum.ts): as a judge that sums exactly reads them. The iteration's
 * own measures are float64 sums in the equilibrated data. Where their terms are far larger than
 * an absolute tolerance, that rounding decides: on Maros–Meszaros QFORPLAN the gap's groups are
 * 1.5e10, each rounded by ~1e-6, against a gap of 1e-9; on QBEACONF a column's terms of 5.5e6
 * cancel to a dual residual of 1.4e-9, which the equilibrated sum read below 1e-9. Only the exact
 * measures can confirm or refuse such a point.
 */

import { ExactSum } from "./exact-sum.js";
import { scalingStride } from "./scaling.js";
import type { Workspace } from "./workspace.js";

export interface ExactMeasures {
  /** max(‖Az − b‖∞, max(Gz − h)⁺) */
  primal: number;
  /** ‖Qz + q + A'nu + G'lam‖∞ */
  dual: number;
  /** |z'Qz + q'z + b'nu + h'lam| */
  gap: number;
}

/**
 * The measures of member k's iterate, unscaled exactly as solveBatch unscales its output
 * (unscaleIterate: z·D, nu·(E_A/c), lam·(E_G/c)), in the caller's data. O(nonzeros of Q, A, G).
 */
export function exactCallerMeasures(ws: Workspace, k: number): ExactMeasures {
  const { n, m, p, scaling } = ws.data;
  const { source } = scaling;
  const { z, nu, lam } = callerPoint(ws, k);
  const Q = source.Q.data;
  const q = source.q.data;
  const A = source.A.data;
  const b = source.b.data;
  const G = source.G.data;
  const h = source.h.data;
  const qOff = source.Q.shared ? 0 : k * n * n;
  const qvOff = source.q.shared ? 0 : k * n;
  const aOff = source.A.shared ? 0 : k * m * n;
  const bOff = source.b.shared ? 0 : k * m;
  const gOff = source.G.shared ? 0 : k * p * n;
  const hOff = source.h.shared ? 0 : k * p;

  // stationarity Qz + q + A'nu + G'lam, one sum per column; the gap on the way
  const stationarity = Array.from({ length: n }, () => new ExactSum());
  const gap = new ExactSum();
  for (let i = 0; i < n; i++) {
    const column = stationarity[i];
    for (let j = 0; j < n; j++) {
      const Qij = Q[qOff + i * n + j];
      if (Qij !== 0) column.addProduct(Qij, z[j]);
    }
    // z_i·(Qz)_i with (Qz)_i in double-double: its low word's product errs by ~u²
    gap.addProduct(z[i], column.hi);
    gap.addProduct(z[i], column.lo);
    column.add(q[qvOff + i]);
    gap.addProduct(q[qvOff + i], z[i]);
  }
  let primal = 0;
  const row = new ExactSum();
  for (let i = 0; i < m; i++) {
    row.hi = row.lo = 0;
    for (let j = 0; j < n; j++) {
      const Aij = A[aOff + i * n + j];
      if (Aij === 0) continue;
      row.addProduct(Aij, z[j]);
      stationarity[j].addProduct(Aij, nu[i]);
    }
    row.add(-b[bOff + i]);
    primal = Math.max(primal, Math.abs(row.value()));
    gap.addProduct(b[bOff + i], nu[i]);
  }
  for (let i = 0; i < p; i++) {
    row.hi = row.lo = 0;
    for (let j = 0; j < n; j++) {
      const Gij = G[gOff + i * n + j];
      if (Gij === 0) continue;
      row.addProduct(Gij, z[j]);
      stationarity[j].addProduct(Gij, lam[i]);
    }
    row.add(-h[hOff + i]);
    primal = Math.max(primal, row.value());
    gap.addProduct(h[hOff + i], lam[i]);
  }
  let dual = 0;
  for (const column of stationarity) dual = Math.max(dual, Math.abs(column.value()));
  return { primal, dual, gap: Math.abs(gap.value()) };
}

/** Member k's z, nu, lam in the caller's units, rounded exactly as unscaleIterate rounds them. */
function callerPoint(ws: Workspace, k: number) {
  const { iterate } = ws;
  const { n, m, p, scaling } = ws.data;
  const { D, EA, EG, c } = scaling;
  const stride = scalingStride(scaling, n, m, p);
  const z = new Float64Array(n);
  const nu = new Float64Array(m);
  const lam = new Float64Array(p);
  for (let j = 0; j < n; j++) z[j] = iterate.z[k * n + j] * D[k * stride.D + j];
  for (let i = 0; i < m; i++) nu[i] = iterate.nu[k * m + i] * (EA[k * stride.EA + i] / c[k]);
  for (let i = 0; i < p; i++) lam[i] = iterate.lam[k * p + i] * (EG[k * stride.EG + i] / c[k]);
  return { z, nu, lam };
}
