import {
  asMatrix,
  broadcastShapes,
  isScalar,
  matmulShape,
  normalizeShape,
  sizeOf,
  transposeShape,
  type Shape,
} from "./shape.js";
import { spendCompileWork, spendDenseFlops } from "./budget.js";

/** A numeric constant: a value known at compile time, row-major. */
export interface Dense {
  shape: Shape;
  data: Float64Array;
}

export function dense(shape: readonly number[], fill = 0): Dense {
  const s = normalizeShape(shape);
  spendCompileWork(sizeOf(s));
  return { shape: s, data: new Float64Array(sizeOf(s)).fill(fill) };
}

export function denseScalar(value: number): Dense {
  return { shape: [], data: Float64Array.of(value) };
}

export function elementwise(a: Dense, b: Dense, f: (x: number, y: number) => number): Dense {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape === null) throw new Error("elementwise: shapes do not broadcast");
  const size = sizeOf(shape);
  spendCompileWork(size);
  const data = new Float64Array(size);
  const sa = isScalar(a.shape);
  const sb = isScalar(b.shape);
  for (let i = 0; i < size; i++) data[i] = f(a.data[sa ? 0 : i], b.data[sb ? 0 : i]);
  return { shape, data };
}

export function mapDense(a: Dense, f: (x: number) => number): Dense {
  spendCompileWork(a.data.length);
  return { shape: a.shape, data: a.data.map(f) };
}

export function matmul(a: Dense, b: Dense): Dense {
  if (isScalar(a.shape) || isScalar(b.shape)) return elementwise(a, b, (x, y) => x * y);
  const shape = matmulShape(a.shape, b.shape);
  if (shape === null) throw new Error("matmul: inner sizes differ");
  const [r, k] = asMatrix(a.shape);
  const [, c] = asMatrix(b.shape);
  spendDenseFlops(r * k * c);
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < k; l++) {
      const ail = a.data[i * k + l];
      if (ail === 0) continue;
      for (let j = 0; j < c; j++) data[i * c + j] += ail * b.data[l * c + j];
    }
  }
  return { shape, data };
}

export function transposeDense(a: Dense): Dense {
  const [r, c] = asMatrix(a.shape);
  spendCompileWork(r * c);
  const data = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) data[j * r + i] = a.data[i * c + j];
  return { shape: transposeShape(a.shape), data };
}

/** Pick entries by flat index into a new value of the given shape. */
export function pickDense(a: Dense, shape: Shape, flat: readonly number[]): Dense {
  spendCompileWork(flat.length);
  return { shape, data: Float64Array.from(flat, (i) => a.data[i]) };
}

export function allNonneg(a: Dense): boolean {
  return a.data.every((x) => x >= 0);
}

export function allNonpos(a: Dense): boolean {
  return a.data.every((x) => x <= 0);
}

/**
 * Whether the symmetric part of a square matrix is positive semidefinite, by an LDLᵀ
 * factorization with a tolerance relative to the largest diagonal entry.
 */
export function isPositiveSemidefinite(a: Dense): boolean {
  const [n, c] = asMatrix(a.shape);
  if (n !== c) return false;
  spendDenseFlops(n * n + (n * n * n) / 3);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) m[i * n + j] = (a.data[i * n + j] + a.data[j * n + i]) / 2;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(m[i * n + i]));
  const tol = 1e-10 * Math.max(scale, 1);
  for (let k = 0; k < n; k++) {
    const pivot = m[k * n + k];
    if (pivot < -tol) return false;
    if (pivot <= tol) {
      // A zero pivot is fine only when its whole remaining row is zero too.
      for (let j = k + 1; j < n; j++)
        if (Math.abs(m[k * n + j]) > 1e-8 * Math.max(scale, 1)) return false;
      continue;
    }
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / pivot;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) m[i * n + j] -= f * m[k * n + j];
    }
  }
  return true;
}
