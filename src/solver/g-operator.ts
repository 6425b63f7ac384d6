/**
 * Products with member k's inequality matrix G. Bound rows (QPStructure.boundRows) are signed
 * unit vectors: they are applied as a gather (G x) or a scatter (Gᵀ v), and only the general
 * rows Gg go through the dense kernel, or through their compressed rows where they are sparse
 * (data.gSparse: the rows of epigraphs touch two or three columns). Without bound rows or sparsity
 * this is one gemv on G.
 */
import type { KktSystem } from "./workspace.js";

/** y ← alpha·G x + beta·y for member k (y has p entries at yOff). */
export function multiplyG(
  ws: KktSystem,
  k: number,
  alpha: number,
  x: Float64Array,
  xOff: number,
  beta: number,
  y: Float64Array,
  yOff: number,
): void {
  const { data } = ws;
  const { kernels, n, p, pg } = data;
  const nb = data.boundRow.length;
  if (nb === 0 && !data.gSparse) {
    kernels.gemv(data.G, k * data.stride.G, p, n, false, alpha, x, xOff, beta, y, yOff);
    return;
  }
  const { generalRows, boundRow, boundColumn, boundSign, gSparse } = data;
  const { gScratch } = ws.scratch;
  const tOff = k * p;
  if (gSparse) sparseProduct(ws, k, alpha, x, xOff, beta, y, yOff);
  else {
    if (pg > 0)
      kernels.gemv(data.Gg, k * data.stride.Gg, pg, n, false, 1, x, xOff, 0, gScratch, tOff);
    for (let t = 0; t < pg; t++) {
      const i = yOff + generalRows[t];
      y[i] = alpha * gScratch[tOff + t] + (beta === 0 ? 0 : beta * y[i]);
    }
  }
  for (let t = 0; t < nb; t++) {
    const i = yOff + boundRow[t];
    y[i] = alpha * boundSign[t] * x[xOff + boundColumn[t]] + (beta === 0 ? 0 : beta * y[i]);
  }
}

/** y ← alpha·Gᵀ v + beta·y for member k (v has p entries at vOff, y has n at yOff). */
export function multiplyGTransposed(
  ws: KktSystem,
  k: number,
  alpha: number,
  v: Float64Array,
  vOff: number,
  beta: number,
  y: Float64Array,
  yOff: number,
): void {
  const { data } = ws;
  const { kernels, n, p, pg } = data;
  const nb = data.boundRow.length;
  if (nb === 0 && !data.gSparse) {
    kernels.gemv(data.G, k * data.stride.G, p, n, true, alpha, v, vOff, beta, y, yOff);
    return;
  }
  const { generalRows, boundRow, boundColumn, boundSign, gSparse } = data;
  const { gScratch } = ws.scratch;
  const tOff = k * p;
  if (gSparse) {
    for (let j = yOff; j < yOff + n; j++) y[j] = beta === 0 ? 0 : beta * y[j];
    const { start, index, value } = gSparse;
    const first = (data.stride.Gg === 0 ? 0 : k) * pg;
    for (let t = 0; t < pg; t++) {
      const vt = alpha * v[vOff + generalRows[t]];
      if (vt === 0) continue;
      for (let e = start[first + t]; e < start[first + t + 1]; e++)
        y[yOff + index[e]] += vt * value[e];
    }
  } else if (pg > 0) {
    for (let t = 0; t < pg; t++) gScratch[tOff + t] = v[vOff + generalRows[t]];
    kernels.gemv(data.Gg, k * data.stride.Gg, pg, n, true, alpha, gScratch, tOff, beta, y, yOff);
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
  ws: KktSystem,
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
  const { data } = ws;
  const { kernels, n, p } = data;
  if (data.boundRow.length === 0 && !data.gSparse && kernels.gemvPair) {
    const gOff = k * data.stride.G;
    kernels.gemvPair(
      data.G,
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

/** y ← alpha·Gg x + beta·y on member k's general rows, from the compressed rows. */
function sparseProduct(
  ws: KktSystem,
  k: number,
  alpha: number,
  x: Float64Array,
  xOff: number,
  beta: number,
  y: Float64Array,
  yOff: number,
): void {
  const { data } = ws;
  const { start, index, value } = data.gSparse!;
  const { pg, generalRows } = data;
  const first = (data.stride.Gg === 0 ? 0 : k) * pg;
  for (let t = 0; t < pg; t++) {
    let sum = 0;
    for (let e = start[first + t]; e < start[first + t + 1]; e++)
      sum += value[e] * x[xOff + index[e]];
    const i = yOff + generalRows[t];
    y[i] = alpha * sum + (beta === 0 ? 0 : beta * y[i]);
  }
}

/**
 * scale_j ← max(scale_j, weight_i·|G_ij|) over the nonzeros of member k's G (weight at k·p), from
 * the compressed rows and the bound rows; false, changing nothing, unless G is stored sparse
 * (data.gSparse). Written out rather than as a visitor: a closure per call would allocate inside
 * the iteration.
 */
export function raiseScalesBySparseG(
  ws: KktSystem,
  k: number,
  weight: Float64Array,
  scale: Float64Array,
): boolean {
  const { data } = ws;
  const { gSparse, p, pg, generalRows, boundRow, boundColumn } = data;
  if (!gSparse) return false;
  const { start, index, value } = gSparse;
  const first = (data.stride.Gg === 0 ? 0 : k) * pg;
  for (let t = 0; t < pg; t++) {
    const wi = weight[k * p + generalRows[t]];
    for (let e = start[first + t]; e < start[first + t + 1]; e++) {
      scale[index[e]] = Math.max(scale[index[e]], wi * Math.abs(value[e]));
    }
  }
  for (let t = 0; t < boundRow.length; t++) {
    scale[boundColumn[t]] = Math.max(scale[boundColumn[t]], weight[k * p + boundRow[t]]);
  }
  return true;
}

/**
 * rowMax_i ← max(rowMax_i, |G_ij| / (1 + columnScale_j)) over the nonzeros of member k's G, as
 * raiseScalesBySparseG (false unless G is stored sparse).
 */
export function rowMaximaOfSparseG(
  ws: KktSystem,
  k: number,
  columnScale: Float64Array,
  rowMax: Float64Array,
): boolean {
  const { data } = ws;
  const { gSparse, pg, generalRows, boundRow, boundColumn } = data;
  if (!gSparse) return false;
  const { start, index, value } = gSparse;
  const first = (data.stride.Gg === 0 ? 0 : k) * pg;
  for (let t = 0; t < pg; t++) {
    const i = generalRows[t];
    for (let e = start[first + t]; e < start[first + t + 1]; e++) {
      rowMax[i] = Math.max(rowMax[i], Math.abs(value[e]) / (1 + columnScale[index[e]]));
    }
  }
  for (let t = 0; t < boundRow.length; t++) {
    const i = boundRow[t];
    rowMax[i] = Math.max(rowMax[i], 1 / (1 + columnScale[boundColumn[t]]));
  }
  return true;
}
