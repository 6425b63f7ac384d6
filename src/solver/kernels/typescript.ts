import type { DenseKernels } from "./types.js";

/** Σ a[aOff+i]·b[bOff+i] for i < len, four products per step so the JIT keeps partial sums apart. */
function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < len; i += 4) {
    s0 += a[aOff + i] * b[bOff + i];
    s1 += a[aOff + i + 1] * b[bOff + i + 1];
    s2 += a[aOff + i + 2] * b[bOff + i + 2];
    s3 += a[aOff + i + 3] * b[bOff + i + 3];
  }
  for (; i < len; i++) s0 += a[aOff + i] * b[bOff + i];
  return s0 + s1 + (s2 + s3);
}

/** y[yOff+i] += c·x[xOff+i] for i < len. */
function axpy(
  c: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  len: number,
) {
  let i = 0;
  for (; i + 3 < len; i += 4) {
    y[yOff + i] += c * x[xOff + i];
    y[yOff + i + 1] += c * x[xOff + i + 1];
    y[yOff + i + 2] += c * x[xOff + i + 2];
    y[yOff + i + 3] += c * x[xOff + i + 3];
  }
  for (; i < len; i++) y[yOff + i] += c * x[xOff + i];
}

/**
 * y ← beta·y for len entries (zeros when beta is 0, even over NaN), in a loop: at the lengths of
 * small problems (n ~ 10) TypedArray.fill's call costs more than the stores.
 */
function scale(beta: number, y: Float64Array, yOff: number, len: number) {
  if (beta === 1) return;
  if (beta === 0) for (let j = 0; j < len; j++) y[yOff + j] = 0;
  else for (let j = 0; j < len; j++) y[yOff + j] *= beta;
}

/** x ← L⁻¹x for lower-triangular L. */
function forwardSubstitute(
  L: Float64Array,
  lOff: number,
  n: number,
  x: Float64Array,
  xOff: number,
) {
  // x_i = (x_i − L_i,:i · x_:i) / L_ii
  for (let i = 0; i < n; i++) {
    const row = lOff + i * n;
    x[xOff + i] = (x[xOff + i] - dot(L, row, x, xOff, i)) / L[row + i];
  }
}

/** The dense kernels as plain TypeScript loops over Float64Array: the reference implementation. */
export const typescriptKernels: DenseKernels = {
  name: "typescript",

  alloc(length: number): Float64Array {
    return new Float64Array(length);
  },

  syrkWeighted(G, gOff, p, n, w, wOff, out, outOff) {
    // out += Σ_r w_r g_r g_rᵀ, four rows of G per pass so each entry of out is loaded and
    // stored once for four updates.
    let r = 0;
    for (; r + 3 < p; r += 4) {
      const g0 = gOff + r * n;
      const g1 = g0 + n;
      const g2 = g1 + n;
      const g3 = g2 + n;
      const w0 = w[wOff + r];
      const w1 = w[wOff + r + 1];
      const w2 = w[wOff + r + 2];
      const w3 = w[wOff + r + 3];
      for (let i = 0; i < n; i++) {
        const c0 = w0 * G[g0 + i];
        const c1 = w1 * G[g1 + i];
        const c2 = w2 * G[g2 + i];
        const c3 = w3 * G[g3 + i];
        if (c0 === 0 && c1 === 0 && c2 === 0 && c3 === 0) continue;
        const row = outOff + i * n;
        for (let j = 0; j <= i; j++) {
          out[row + j] += c0 * G[g0 + j] + c1 * G[g1 + j] + c2 * G[g2 + j] + c3 * G[g3 + j];
        }
      }
    }
    for (; r < p; r++) {
      const wr = w[wOff + r];
      if (wr === 0) continue;
      const row = gOff + r * n;
      for (let i = 0; i < n; i++) {
        const c = wr * G[row + i];
        if (c !== 0) axpy(c, G, row, out, outOff + i * n, i + 1);
      }
    }
  },

  syrk(X, xOff, k, n, out, outOff) {
    // out_ij = x_i · x_j for j ≤ i, two rows by two rows: four dot products share their loads
    let i = 0;
    for (; i + 1 < k; i += 2) {
      const rowI = xOff + i * n;
      const rowI1 = rowI + n;
      let j = 0;
      for (; j + 1 <= i; j += 2) {
        const rowJ = xOff + j * n;
        const rowJ1 = rowJ + n;
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        for (let c = 0; c < n; c++) {
          const xi = X[rowI + c];
          const xi1 = X[rowI1 + c];
          const xj = X[rowJ + c];
          const xj1 = X[rowJ1 + c];
          s00 += xi * xj;
          s01 += xi * xj1;
          s10 += xi1 * xj;
          s11 += xi1 * xj1;
        }
        out[outOff + i * k + j] = s00;
        out[outOff + i * k + j + 1] = s01;
        out[outOff + (i + 1) * k + j] = s10;
        out[outOff + (i + 1) * k + j + 1] = s11;
      }
      // j = i here: the 2×2 diagonal block, lower part only
      out[outOff + i * k + i] = dot(X, rowI, X, rowI, n);
      out[outOff + (i + 1) * k + i] = dot(X, rowI1, X, rowI, n);
      out[outOff + (i + 1) * k + i + 1] = dot(X, rowI1, X, rowI1, n);
    }
    if (i < k) {
      const rowI = xOff + i * n;
      for (let j = 0; j <= i; j++) out[outOff + i * k + j] = dot(X, rowI, X, xOff + j * n, n);
    }
  },

  syrkPlus(X, xOff, k, n, C, cOff, out, outOff) {
    typescriptKernels.syrk(X, xOff, k, n, out, outOff);
    for (let i = 0; i < k; i++) {
      const row = i * k;
      for (let j = 0; j <= i; j++) out[outOff + row + j] += C[cOff + row + j];
    }
  },

  scaleColumns(M, mOff, rows, cols, d, dOff, out, outOff) {
    for (let i = 0; i < rows; i++) {
      const row = i * cols;
      for (let j = 0; j < cols; j++) out[outOff + row + j] = M[mOff + row + j] * d[dOff + j];
    }
  },

  gemvPair(M, mOff, rows, cols, x, xOff, y, yOff, d, dOff, c, cOff, v, vOff, beta, out, outOff) {
    scale(beta, out, outOff, cols);
    for (let i = 0; i < rows; i++) {
      const row = mOff + i * cols;
      const yi = dot(M, row, x, xOff, cols);
      y[yOff + i] = yi;
      const vi = d === null ? c[cOff + i] : d[dOff + i] * yi + c[cOff + i];
      v[vOff + i] = vi;
      if (vi !== 0) axpy(vi, M, row, out, outOff, cols);
    }
  },

  choleskyGathered(C, cOff, stride, index, indexOff, diagonal, dOff, a, off, n) {
    for (let i = 0; i < n; i++) {
      const row = cOff + (index === null ? i : index[indexOff + i]) * stride;
      for (let j = 0; j < i; j++) {
        a[off + i * n + j] = C[row + (index === null ? j : index[indexOff + j])];
      }
      a[off + i * n + i] = diagonal[dOff + i];
    }
    return typescriptKernels.cholesky(a, off, n);
  },

  cholesky(a, off, n) {
    // Row by row: L_ij = (a_ij − L_i,:j · L_j,:j) / L_jj, L_ii = √(a_ii − ‖L_i,:i‖²); two rows
    // at a time so that both share the loads of row j.
    let i = 0;
    for (; i + 1 < n; i += 2) {
      const r0 = off + i * n;
      const r1 = r0 + n;
      for (let j = 0; j < i; j++) {
        const rj = off + j * n;
        let s0 = 0;
        let s1 = 0;
        for (let c = 0; c < j; c++) {
          const l = a[rj + c];
          s0 += a[r0 + c] * l;
          s1 += a[r1 + c] * l;
        }
        const d = a[rj + j];
        a[r0 + j] = (a[r0 + j] - s0) / d;
        a[r1 + j] = (a[r1 + j] - s1) / d;
      }
      const pivot0 = a[r0 + i] - dot(a, r0, a, r0, i);
      if (!(pivot0 > 0)) return false;
      const d0 = Math.sqrt(pivot0);
      a[r0 + i] = d0;
      a[r1 + i] = (a[r1 + i] - dot(a, r1, a, r0, i)) / d0;
      const pivot1 = a[r1 + i + 1] - dot(a, r1, a, r1, i + 1);
      if (!(pivot1 > 0)) return false;
      a[r1 + i + 1] = Math.sqrt(pivot1);
    }
    if (i < n) {
      const r0 = off + i * n;
      for (let j = 0; j < i; j++) {
        const rj = off + j * n;
        a[r0 + j] = (a[r0 + j] - dot(a, r0, a, rj, j)) / a[rj + j];
      }
      const pivot = a[r0 + i] - dot(a, r0, a, r0, i);
      if (!(pivot > 0)) return false;
      a[r0 + i] = Math.sqrt(pivot);
    }
    return true;
  },

  solveLower: forwardSubstitute,

  solveLowerTransposed(L, lOff, n, x, xOff) {
    // Backward over rows of L: once x_i is final, remove L_i,:i x_i from the earlier entries.
    for (let i = n - 1; i >= 0; i--) {
      const row = lOff + i * n;
      const xi = x[xOff + i] / L[row + i];
      x[xOff + i] = xi;
      if (xi !== 0) axpy(-xi, L, row, x, xOff, i);
    }
  },

  solveLowerRows(L, lOff, n, B, bOff, k) {
    // Four right-hand sides at a time share the loads of each row of L.
    let r = 0;
    for (; r + 3 < k; r += 4) {
      const b0 = bOff + r * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let i = 0; i < n; i++) {
        const row = lOff + i * n;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let c = 0; c < i; c++) {
          const l = L[row + c];
          s0 += l * B[b0 + c];
          s1 += l * B[b1 + c];
          s2 += l * B[b2 + c];
          s3 += l * B[b3 + c];
        }
        const d = L[row + i];
        B[b0 + i] = (B[b0 + i] - s0) / d;
        B[b1 + i] = (B[b1 + i] - s1) / d;
        B[b2 + i] = (B[b2 + i] - s2) / d;
        B[b3 + i] = (B[b3 + i] - s3) / d;
      }
    }
    for (; r < k; r++) forwardSubstitute(L, lOff, n, B, bOff + r * n);
  },

  gemv(M, mOff, rows, cols, transposed, alpha, x, xOff, beta, y, yOff) {
    if (!transposed) {
      // y_i = α m_i · x + β y_i
      for (let i = 0; i < rows; i++) {
        const mx = dot(M, mOff + i * cols, x, xOff, cols);
        y[yOff + i] = beta === 0 ? alpha * mx : alpha * mx + beta * y[yOff + i];
      }
      return;
    }
    // y = α Mᵀx + β y as a sum of scaled rows of M, four rows per pass over y
    scale(beta, y, yOff, cols);
    let i = 0;
    for (; i + 3 < rows; i += 4) {
      const c0 = alpha * x[xOff + i];
      const c1 = alpha * x[xOff + i + 1];
      const c2 = alpha * x[xOff + i + 2];
      const c3 = alpha * x[xOff + i + 3];
      const m0 = mOff + i * cols;
      const m1 = m0 + cols;
      const m2 = m1 + cols;
      const m3 = m2 + cols;
      for (let j = 0; j < cols; j++) {
        y[yOff + j] += c0 * M[m0 + j] + c1 * M[m1 + j] + c2 * M[m2 + j] + c3 * M[m3 + j];
      }
    }
    for (; i < rows; i++) {
      const c = alpha * x[xOff + i];
      if (c !== 0) axpy(c, M, mOff + i * cols, y, yOff, cols);
    }
  },
};
