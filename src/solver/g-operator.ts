/**
 * Products with member k's inequality matrix G. Bound rows (QPStructure.boundRows) are signed
 * unit vectors: they are applied as a gather (G x) or a scatter (Gᵀ v), and only the general
 * rows Gg go through the dense kernel. Without bound rows this is one gemv on G.
 */
import type { Workspace } from "./workspace.js";

/** y ← alpha·G x + beta·y for member k (y has p entries at yOff). */
export function multiplyG(
  ws: Workspace,
  k: number,
  alpha: number,
  x: Float64Array,
  xOff: number,
  beta: number,
  y: Float64Array,
  yOff: number,
): void {
  const { kernels, n, p, pg } = ws;
  const nb = ws.boundRow.length;
  if (nb === 0) {
    kernels.gemv(ws.G, k * ws.stride.G, p, n, false, alpha, x, xOff, beta, y, yOff);
    return;
  }
  const { gScratch, generalRows, boundRow, boundColumn, boundSign } = ws;
  const tOff = k * p;
  if (pg > 0) kernels.gemv(ws.Gg, k * ws.stride.Gg, pg, n, false, 1, x, xOff, 0, gScratch, tOff);
  for (let t = 0; t < pg; t++) {
    const i = yOff + generalRows[t];
    y[i] = alpha * gScratch[tOff + t] + (beta === 0 ? 0 : beta * y[i]);
  }
  for (let t = 0; t < nb; t++) {
    const i = yOff + boundRow[t];
    y[i] = alpha * boundSign[t] * x[xOff + boundColumn[t]] + (beta === 0 ? 0 : beta * y[i]);
  }
}

/** y ← alpha·Gᵀ v + beta·y for member k (v has p entries at vOff, y has n at yOff). */
export function multiplyGTransposed(
  ws: Workspace,
  k: number,
  alpha: number,
  v: Float64Array,
  vOff: number,
  beta: number,
  y: Float64Array,
  yOff: number,
): void {
  const { kernels, n, p, pg } = ws;
  const nb = ws.boundRow.length;
  if (nb === 0) {
    kernels.gemv(ws.G, k * ws.stride.G, p, n, true, alpha, v, vOff, beta, y, yOff);
    return;
  }
  const { gScratch, generalRows, boundRow, boundColumn, boundSign } = ws;
  const tOff = k * p;
  if (pg > 0) {
    for (let t = 0; t < pg; t++) gScratch[tOff + t] = v[vOff + generalRows[t]];
    kernels.gemv(ws.Gg, k * ws.stride.Gg, pg, n, true, alpha, gScratch, tOff, beta, y, yOff);
  } else if (beta !== 1) {
    for (let j = yOff; j < yOff + n; j++) y[j] = beta === 0 ? 0 : beta * y[j];
  }
  for (let t = 0; t < nb; t++) {
    y[yOff + boundColumn[t]] += alpha * boundSign[t] * v[vOff + boundRow[t]];
  }
}

/**
 * gx = G x, v = d∘gx + c (v = c when d is null) and out ← beta·out + Gᵀ v for member k, all
 * vectors of p entries at pOff-style offsets. One pass over G when the kernels fuse it and there
 * are no bound rows.
 */
export function multiplyGPair(
  ws: Workspace,
  k: number,
  x: Float64Array,
  xOff: number,
  gx: Float64Array,
  d: Float64Array | null,
  c: Float64Array,
  v: Float64Array,
  vecOff: number,
  beta: number,
  out: Float64Array,
  outOff: number,
): void {
  const { kernels, n, p } = ws;
  if (ws.boundRow.length === 0 && kernels.gemvPair) {
    const gOff = k * ws.stride.G;
    kernels.gemvPair(
      ws.G,
      gOff,
      p,
      n,
      x,
      xOff,
      gx,
      vecOff,
      d,
      vecOff,
      c,
      vecOff,
      v,
      vecOff,
      beta,
      out,
      outOff,
    );
    return;
  }
  multiplyG(ws, k, 1, x, xOff, 0, gx, vecOff);
  for (let i = vecOff; i < vecOff + p; i++) v[i] = d === null ? c[i] : d[i] * gx[i] + c[i];
  multiplyGTransposed(ws, k, 1, v, vecOff, beta, out, outOff);
}
