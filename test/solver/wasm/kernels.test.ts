import { beforeAll, describe, expect, it } from "vitest";
import { createWasmKernelsSync, type WasmDenseKernels } from "../../../src/solver/wasm/index.js";
import {
  choleskyRef,
  gemvRef,
  randomArray,
  randomLower,
  randomSpd,
  relativeError,
  solveLowerRef,
  solveLowerTransposedRef,
  syrkRef,
  syrkWeightedRef,
} from "./reference.js";
import { mulberry32 } from "../../../bench/lib/random.js";
import { typescriptKernels } from "../../../src/solver/index.js";

const SIZES = [1, 2, 3, 7, 33, 100];
const TOLERANCE = 1e-12;

let kernels: WasmDenseKernels;
beforeAll(() => {
  kernels = createWasmKernelsSync();
});

/**
 * A batch-like buffer: `lead` stray elements, then three members of `memberLength` back to back,
 * all random. Kernels run on member 1, so any write outside it is caught by `expectOnlyWritten`.
 * An odd `lead` leaves the data off 16-byte alignment.
 */
function batchBuffer(random: () => number, memberLength: number, lead: number) {
  const buffer = kernels.alloc(lead + 3 * memberLength);
  buffer.set(randomArray(random, buffer.length));
  return { buffer, offset: lead + memberLength, original: buffer.slice() };
}

/** Every element outside [offset, offset + length) where `written` is false kept its value. */
function expectOnlyWritten(
  actual: Float64Array,
  original: Float64Array,
  offset: number,
  length: number,
  written: (index: number) => boolean,
): void {
  let changed = 0;
  for (let i = 0; i < actual.length; i++) {
    const inside = i >= offset && i < offset + length && written(i - offset);
    if (!inside && !Object.is(actual[i], original[i])) changed++;
  }
  expect(changed).toBe(0);
}

const lowerOf = (n: number) => (index: number) => index % n <= Math.floor(index / n);
const everything = () => true;

describe.each([2, 3])("wasm kernels at leading offset %i", (lead) => {
  it.each(SIZES.flatMap((n) => [1, 4, 5, 150].map((p) => [n, p])))(
    "syrkWeighted adds Gᵀ diag(w) G to the lower triangle only (n=%i, p=%i)",
    (n, p) => {
      const random = mulberry32(1000 * n + p + lead);
      const G = batchBuffer(random, p * n, lead);
      const w = batchBuffer(random, p, lead);
      for (let k = 0; k < p; k++) w.buffer[w.offset + k] = random() * 3;
      const out = batchBuffer(random, n * n, lead);
      const expected = out.buffer.slice(out.offset, out.offset + n * n);
      syrkWeightedRef(G.buffer.subarray(G.offset), p, n, w.buffer.subarray(w.offset), expected);
      kernels.syrkWeighted(G.buffer, G.offset, p, n, w.buffer, w.offset, out.buffer, out.offset);
      const actual = out.buffer.subarray(out.offset, out.offset + n * n);
      expect(relativeError(actual, expected)).toBeLessThan(TOLERANCE);
      expectOnlyWritten(out.buffer, out.original, out.offset, n * n, lowerOf(n));
      expectOnlyWritten(G.buffer, G.original, 0, 0, everything);
    },
  );

  it.each(SIZES.flatMap((k) => [1, 2, 7, 100].map((n) => [k, n])))(
    "syrk writes X Xᵀ into the lower triangle only (k=%i, n=%i)",
    (k, n) => {
      const random = mulberry32(7 * k + n + lead);
      const X = batchBuffer(random, k * n, lead);
      const out = batchBuffer(random, k * k, lead);
      const expected = out.buffer.slice(out.offset, out.offset + k * k);
      syrkRef(X.buffer.subarray(X.offset), k, n, expected);
      kernels.syrk(X.buffer, X.offset, k, n, out.buffer, out.offset);
      const actual = out.buffer.subarray(out.offset, out.offset + k * k);
      expect(relativeError(actual, expected)).toBeLessThan(TOLERANCE);
      expectOnlyWritten(out.buffer, out.original, out.offset, k * k, lowerOf(k));
    },
  );

  it.each(SIZES)("cholesky factors an SPD matrix in its lower triangle (n=%i)", (n) => {
    const random = mulberry32(31 * n + lead);
    const a = batchBuffer(random, n * n, lead);
    a.buffer.set(randomSpd(random, n), a.offset);
    // Junk above the diagonal must be neither read nor written.
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) a.buffer[a.offset + i * n + j] = NaN;
    a.original.set(a.buffer);
    const expected = a.buffer.slice(a.offset, a.offset + n * n);
    expect(choleskyRef(expected, n)).toBe(true);
    expect(kernels.cholesky(a.buffer, a.offset, n)).toBe(true);
    const actual = a.buffer.subarray(a.offset, a.offset + n * n);
    expect(relativeError(actual.filter(lowerOf(n)), expected.filter(lowerOf(n)))).toBeLessThan(
      TOLERANCE,
    );
    expectOnlyWritten(a.buffer, a.original, a.offset, n * n, lowerOf(n));
  });

  it.each(SIZES)("cholesky's factor reproduces the matrix: L Lᵀ = A (n=%i)", (n) => {
    const random = mulberry32(57 * n + lead);
    const spd = randomSpd(random, n);
    const a = batchBuffer(random, n * n, lead);
    a.buffer.set(spd, a.offset);
    expect(kernels.cholesky(a.buffer, a.offset, n)).toBe(true);
    const product = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let k = 0; k <= Math.min(i, j); k++) {
          sum += a.buffer[a.offset + i * n + k] * a.buffer[a.offset + j * n + k];
        }
        product[i * n + j] = sum;
      }
    }
    expect(relativeError(product, spd)).toBeLessThan(TOLERANCE);
  });

  it.each(SIZES)("solveLower computes L⁻¹ x (n=%i)", (n) => {
    const random = mulberry32(11 * n + lead);
    const L = batchBuffer(random, n * n, lead);
    L.buffer.set(randomLower(random, n), L.offset);
    const x = batchBuffer(random, n, lead);
    const expected = x.buffer.slice(x.offset, x.offset + n);
    solveLowerRef(L.buffer.subarray(L.offset), n, expected);
    kernels.solveLower(L.buffer, L.offset, n, x.buffer, x.offset);
    expect(relativeError(x.buffer.subarray(x.offset, x.offset + n), expected)).toBeLessThan(
      TOLERANCE,
    );
    expectOnlyWritten(x.buffer, x.original, x.offset, n, everything);
  });

  it.each(SIZES)("solveLowerTransposed computes L⁻ᵀ x (n=%i)", (n) => {
    const random = mulberry32(13 * n + lead);
    const L = batchBuffer(random, n * n, lead);
    L.buffer.set(randomLower(random, n), L.offset);
    const x = batchBuffer(random, n, lead);
    const expected = x.buffer.slice(x.offset, x.offset + n);
    solveLowerTransposedRef(L.buffer.subarray(L.offset), n, expected);
    kernels.solveLowerTransposed(L.buffer, L.offset, n, x.buffer, x.offset);
    expect(relativeError(x.buffer.subarray(x.offset, x.offset + n), expected)).toBeLessThan(
      TOLERANCE,
    );
    expectOnlyWritten(x.buffer, x.original, x.offset, n, everything);
  });

  it.each(SIZES.flatMap((n) => [1, 2, 5, 100].map((k) => [n, k])))(
    "solveLowerRows replaces each of the k rows b by L⁻¹ b (n=%i, k=%i)",
    (n, k) => {
      const random = mulberry32(17 * n + k + lead);
      const L = batchBuffer(random, n * n, lead);
      L.buffer.set(randomLower(random, n), L.offset);
      const B = batchBuffer(random, k * n, lead);
      const expected = B.buffer.slice(B.offset, B.offset + k * n);
      for (let r = 0; r < k; r++) {
        solveLowerRef(L.buffer.subarray(L.offset), n, expected.subarray(r * n, (r + 1) * n));
      }
      kernels.solveLowerRows(L.buffer, L.offset, n, B.buffer, B.offset, k);
      expect(relativeError(B.buffer.subarray(B.offset, B.offset + k * n), expected)).toBeLessThan(
        TOLERANCE,
      );
      expectOnlyWritten(B.buffer, B.original, B.offset, k * n, everything);
    },
  );

  it.each(
    SIZES.flatMap((rows) =>
      [1, 4, 33].flatMap((cols) =>
        [false, true].flatMap((transposed) =>
          [
            [1, 0],
            [-0.5, 1],
            [2, -3],
          ].map(([alpha, beta]) => [rows, cols, transposed, alpha, beta] as const),
        ),
      ),
    ),
  )(
    "gemv sets y to alpha·M x + beta·y (rows=%i, cols=%i, transposed=%s, alpha=%d, beta=%d)",
    (rows, cols, transposed, alpha, beta) => {
      const random = mulberry32(19 * rows + cols + (transposed ? 1 : 0) + lead);
      const outLength = transposed ? cols : rows;
      const inLength = transposed ? rows : cols;
      const M = batchBuffer(random, rows * cols, lead);
      const x = batchBuffer(random, inLength, lead);
      const y = batchBuffer(random, outLength, lead);
      const expected = y.buffer.slice(y.offset, y.offset + outLength);
      gemvRef(
        M.buffer.subarray(M.offset),
        rows,
        cols,
        transposed,
        alpha,
        x.buffer.subarray(x.offset),
        beta,
        expected,
      );
      kernels.gemv(
        M.buffer,
        M.offset,
        rows,
        cols,
        transposed,
        alpha,
        x.buffer,
        x.offset,
        beta,
        y.buffer,
        y.offset,
      );
      const actual = y.buffer.subarray(y.offset, y.offset + outLength);
      expect(relativeError(actual, expected)).toBeLessThan(TOLERANCE);
      expectOnlyWritten(y.buffer, y.original, y.offset, outLength, everything);
    },
  );
});

describe("wasm kernels on sparse data (the zero-skipping paths)", () => {
  it.each([1, 6, 7, 33])(
    "syrkWeighted handles bound rows ±eᵢ and zero weights exactly (n=%i)",
    (n) => {
      const random = mulberry32(n + 77);
      const p = 2 * n + 3;
      const G = kernels.alloc(p * n);
      const w = kernels.alloc(p);
      for (let k = 0; k < p; k++) {
        if (k < 2 * n) G[k * n + (k % n)] = k < n ? 1 : -1;
        else for (let j = 0; j < n; j++) G[k * n + j] = 2 * random() - 1;
        w[k] = k % 3 === 0 ? 0 : random();
      }
      const out = kernels.alloc(n * n);
      out.set(randomArray(random, n * n));
      const expected = out.slice();
      syrkWeightedRef(G, p, n, w, expected);
      kernels.syrkWeighted(G, 0, p, n, w, 0, out, 0);
      expect(relativeError(out, expected)).toBeLessThan(TOLERANCE);
    },
  );

  it.each([1, 2, 7, 8, 33])("solveLowerTransposed of a unit vector (n=%i)", (n) => {
    const L = kernels.alloc(n * n);
    L.set(randomLower(mulberry32(n), n));
    for (const hot of [0, Math.floor(n / 2), n - 1]) {
      const x = kernels.alloc(n);
      x[hot] = 1;
      const expected = x.slice();
      solveLowerTransposedRef(L, n, expected);
      kernels.solveLowerTransposed(L, 0, n, x, 0);
      expect(relativeError(x, expected)).toBeLessThan(TOLERANCE);
    }
  });

  it.each([1, 5, 9, 33])("gemv transposed with mostly zero x (rows=%i)", (rows) => {
    const random = mulberry32(rows + 3);
    const cols = 6;
    const M = kernels.alloc(rows * cols);
    M.set(randomArray(random, rows * cols));
    const x = kernels.alloc(rows);
    x[rows - 1] = 2;
    const y = kernels.alloc(cols);
    y.set(randomArray(random, cols));
    const expected = y.slice();
    gemvRef(M, rows, cols, true, 1.5, x, 0.5, expected);
    kernels.gemv(M, 0, rows, cols, true, 1.5, x, 0, 0.5, y, 0);
    expect(relativeError(y, expected)).toBeLessThan(TOLERANCE);
  });
});

describe("choleskyGathered", () => {
  /**
   * A stride×stride SPD matrix C with NaN above its diagonal (never to be read), `rows` of its
   * rows (every other one, or all of them when `index` is false) and a diagonal of their own.
   */
  function gatheredCase(seed: number, stride: number, rows: number, indexed: boolean) {
    const random = mulberry32(seed);
    const C = kernels.alloc(3 + stride * stride);
    C.set(randomSpd(random, stride), 3);
    for (let i = 0; i < stride; i++)
      for (let j = i + 1; j < stride; j++) C[3 + i * stride + j] = NaN;
    const chosen = Array.from({ length: rows }, (_, a) => (indexed ? 2 * a + 1 : a));
    const index = kernels.alloc(1 + rows);
    index.set(chosen, 1);
    const diagonal = kernels.alloc(2 + rows);
    // the diagonal raised, as the Schur block's weights and regularization raise it
    chosen.forEach((row, a) => (diagonal[2 + a] = C[3 + row * stride + row] * (1 + random())));
    // the same matrix written out, for the in-place cholesky
    const gathered = kernels.alloc(rows * rows);
    for (let a = 0; a < rows; a++) {
      for (let b = 0; b < a; b++) gathered[a * rows + b] = C[3 + chosen[a] * stride + chosen[b]];
      gathered[a * rows + a] = diagonal[2 + a];
    }
    return { C, index: indexed ? index : null, diagonal, gathered };
  }

  it.each([
    [1, 1, false],
    [7, 7, false],
    [100, 100, false],
    [15, 7, true],
    [201, 100, true],
  ] as const)(
    "factors the matrix gathered from C, bit for bit as cholesky of it written out (stride %i, %i rows, indexed %s)",
    (stride, rows, indexed) => {
      for (const provider of [kernels, typescriptKernels]) {
        const { C, index, diagonal, gathered } = gatheredCase(stride + rows, stride, rows, indexed);
        const before = C.slice();
        const a = kernels.alloc(4 + rows * rows);
        const factored = provider.choleskyGathered(C, 3, stride, index, 1, diagonal, 2, a, 4, rows);
        expect(factored).toBe(true);
        expect(provider.cholesky(gathered, 0, rows)).toBe(true);
        for (let i = 0; i < rows; i++) {
          for (let j = 0; j <= i; j++) expect(a[4 + i * rows + j]).toBe(gathered[i * rows + j]);
        }
        // C is read, never written
        expect(C).toEqual(before);
      }
    },
  );

  it("returns false where the gathered matrix is not positive definite", () => {
    const { C, index, diagonal } = gatheredCase(5, 9, 4, true);
    diagonal[2 + 2] = -1;
    for (const provider of [kernels, typescriptKernels]) {
      const a = kernels.alloc(16);
      expect(provider.choleskyGathered(C, 3, 9, index, 1, diagonal, 2, a, 0, 4)).toBe(false);
    }
  });

  it("refuses an index outside C's rows", () => {
    const { C, diagonal } = gatheredCase(6, 5, 3, true);
    const index = kernels.alloc(3);
    index.set([0, 2, 5]);
    const a = kernels.alloc(9);
    expect(() => kernels.choleskyGathered(C, 3, 5, index, 0, diagonal, 2, a, 0, 3)).toThrow(
      /index\[2\] = 5 is no row of C/,
    );
  });
});

describe("wasm cholesky failure", () => {
  // A negative pivot at each position exercises both columns of the two-column step and the
  // last single column of an odd size.
  it.each([7, 8].flatMap((n) => [0, 1, 2, 3, n - 2, n - 1].map((bad) => [n, bad])))(
    "returns false on a diagonal matrix with a negative entry (n=%i, at %i)",
    (n, bad) => {
      const a = kernels.alloc(n * n);
      for (let i = 0; i < n; i++) a[i * n + i] = i === bad ? -1 : 1 + i;
      expect(kernels.cholesky(a, 0, n)).toBe(false);
    },
  );

  it.each([2, 7, 33])(
    "returns false on a dense matrix with one negative eigenvalue (n=%i)",
    (n) => {
      // A = H diag(d) H with H = I − 2vvᵀ/vᵀv orthogonal and d = (1, 2, …, −1): dense, indefinite.
      const v = randomArray(mulberry32(n), n);
      const vv = v.reduce((sum, value) => sum + value * value, 0);
      const H = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
      const d = (k: number) => (k === n - 1 ? -1 : 1 + k);
      const a = kernels.alloc(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let k = 0; k < n; k++) sum += H(i, k) * d(k) * H(k, j);
          a[i * n + j] = sum;
        }
      }
      expect(kernels.cholesky(a, 0, n)).toBe(false);
    },
  );

  it("returns false on a zero matrix and on a NaN pivot", () => {
    const zero = kernels.alloc(9);
    expect(kernels.cholesky(zero, 0, 3)).toBe(false);
    const withNaN = kernels.alloc(9);
    withNaN.set([4, 0, 0, 1, NaN, 0, 0, 0, 4]);
    expect(kernels.cholesky(withNaN, 0, 3)).toBe(false);
  });

  it("succeeds on the empty matrix", () => {
    expect(kernels.cholesky(kernels.alloc(0), 0, 0)).toBe(true);
  });
});
