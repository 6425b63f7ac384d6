import { describe, expect, it } from "vitest";
import { typescriptKernels as kernels } from "../../src/solver/index.js";
import { gaussianSolve, maxAbs } from "./helpers/dense.js";
import { createRandom } from "./helpers/problems.js";

const random = createRandom(11);
const randomArray = (length: number) => Float64Array.from({ length }, random.normal);

/** A random symmetric positive definite n×n matrix (full storage). */
function spd(n: number): Float64Array {
  const X = randomArray(n * n);
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k++) sum += X[k * n + i] * X[k * n + j];
      M[i * n + j] = sum;
    }
  }
  return M;
}

describe("typescript dense kernels", () => {
  // Sizes around the ×4 unrolling: remainders 0..3.
  it.each([1, 2, 3, 4, 5, 7, 9])(
    "factors and solves an SPD system of size %i at an offset",
    (n) => {
      const M = spd(n);
      const off = 3;
      const L = kernels.alloc(off + n * n);
      L.set(M, off);
      expect(kernels.cholesky(L, off, n)).toBe(true);
      const r = randomArray(n);
      const x = kernels.alloc(n + 2);
      x.set(r, 2);
      kernels.solveLower(L, off, n, x, 2);
      kernels.solveLowerTransposed(L, off, n, x, 2);
      const expected = gaussianSolve(M, r, n);
      expect(maxAbs(expected.map((v, i) => v - x[2 + i]))).toBeLessThan(1e-10 * maxAbs(expected));
    },
  );

  it("reports a matrix that is not positive definite", () => {
    const a = kernels.alloc(4);
    a.set([1, 2, 2, 1]);
    expect(kernels.cholesky(a, 0, 2)).toBe(false);
  });

  it.each([1, 3, 4, 6])("solves every row of a block of %i right-hand sides", (count) => {
    const n = 6;
    const L = kernels.alloc(n * n);
    L.set(spd(n));
    kernels.cholesky(L, 0, n);
    const B = randomArray(count * n);
    const rows = kernels.alloc(count * n);
    rows.set(B);
    kernels.solveLowerRows(L, 0, n, rows, 0, count);
    for (let r = 0; r < count; r++) {
      const one = kernels.alloc(n);
      one.set(B.subarray(r * n, (r + 1) * n));
      kernels.solveLower(L, 0, n, one, 0);
      const got = rows.subarray(r * n, (r + 1) * n);
      expect(maxAbs(Array.from(one, (v, i) => v - got[i]))).toBeLessThan(1e-12 * maxAbs(one));
    }
  });

  it.each([6, 7])(
    "accumulates G' diag(w) G (G %i×5) and writes G G' into the lower triangle",
    (p) => {
      const n = 5;
      const G = randomArray(p * n);
      const w = Float64Array.from({ length: p }, () => random.uniform());
      const out = kernels.alloc(n * n).fill(1);
      kernels.syrkWeighted(G, 0, p, n, w, 0, out, 0);
      // the upper triangle must stay as it was
      const S = kernels.alloc(p * p).fill(7);
      kernels.syrk(G, 0, p, n, S, 0);
      for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) expect(S[i * p + j]).toBe(7);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let sum = 1;
          for (let r = 0; r < p; r++) sum += w[r] * G[r * n + i] * G[r * n + j];
          expect(out[i * n + j]).toBeCloseTo(sum, 12);
        }
      }
      for (let i = 0; i < p; i++) {
        for (let j = 0; j <= i; j++) {
          let sum = 0;
          for (let c = 0; c < n; c++) sum += G[i * n + c] * G[j * n + c];
          expect(S[i * p + j]).toBeCloseTo(sum, 12);
        }
      }
    },
  );

  it("multiplies by a matrix and its transpose with alpha and beta", () => {
    const [rows, cols] = [4, 6];
    const M = randomArray(rows * cols);
    const x = randomArray(cols);
    const y = randomArray(rows);
    const out = kernels.alloc(rows);
    out.set(y);
    kernels.gemv(M, 0, rows, cols, false, 2, x, 0, -1, out, 0);
    for (let i = 0; i < rows; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += M[i * cols + j] * x[j];
      expect(out[i]).toBeCloseTo(2 * sum - y[i], 12);
    }
    const outT = kernels.alloc(cols).fill(3);
    kernels.gemv(M, 0, rows, cols, true, 0.5, y, 0, 1, outT, 0);
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += M[i * cols + j] * y[i];
      expect(outT[j]).toBeCloseTo(0.5 * sum + 3, 12);
    }
  });
});
