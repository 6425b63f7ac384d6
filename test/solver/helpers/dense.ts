/**
 * Small, independent dense linear algebra for tests: nothing here shares code with the solver.
 */
import type { QPGradients } from "../../../src/solver/index.js";

/** Solves M x = r by Gaussian elimination with partial pivoting (M is k×k, row-major). */
export function gaussianSolve(M: ArrayLike<number>, r: ArrayLike<number>, k: number): number[] {
  const a = Array.from({ length: k }, (_, i) => [
    ...Array.from({ length: k }, (_, j) => M[i * k + j]),
    r[i],
  ]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let i = col + 1; i < k; i++) if (Math.abs(a[i][col]) > Math.abs(a[pivot][col])) pivot = i;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let i = col + 1; i < k; i++) {
      const f = a[i][col] / a[col][col];
      for (let j = col; j <= k; j++) a[i][j] -= f * a[col][j];
    }
  }
  const x = new Array<number>(k).fill(0);
  for (let i = k - 1; i >= 0; i--) {
    let sum = a[i][k];
    for (let j = i + 1; j < k; j++) sum -= a[i][j] * x[j];
    x[i] = sum / a[i][i];
  }
  return x;
}

/** y = M x for M rows×cols row-major. */
export function matVec(M: ArrayLike<number>, x: ArrayLike<number>, rows: number, cols: number) {
  return Array.from({ length: rows }, (_, i) => {
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += M[i * cols + j] * x[j];
    return sum;
  });
}

/** y = Mᵀ x for M rows×cols row-major. */
export function matTVec(M: ArrayLike<number>, x: ArrayLike<number>, rows: number, cols: number) {
  return Array.from({ length: cols }, (_, j) => {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += M[i * cols + j] * x[i];
    return sum;
  });
}

export function maxAbs(v: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  return max;
}

/** ‖a − b‖₂ / max(‖b‖₂, floor): a norm-wise relative error. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(norm), floor);
}

/** max |a − b| / (1 + max |b|): an entry-wise error relative to 1 + the reference's size. */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  for (let i = 0; i < b.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return diff / (1 + maxAbs(b));
}

/** max |a − b| / (1 + max |b|) over every key of two gradient sets. */
export function gradientError(a: QPGradients, b: QPGradients): number {
  let error = 0;
  for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
    const x = a[key];
    const y = b[key];
    if (!x || !y) continue;
    let diff = 0;
    for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(x[i] - y[i]));
    error = Math.max(error, diff / (1 + maxAbs(y)));
  }
  return error;
}
