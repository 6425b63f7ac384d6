// Naive float64 references for the dense kernels, written straight from their definitions in
// src/solver/kernels/types.ts, and the random data the tests feed both implementations (drawn
// from bench/lib/random.ts's mulberry32, so a failing case can be rerun).

/** Uniform entries in [-1, 1). */
export function randomArray(random: () => number, length: number): Float64Array {
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) values[i] = 2 * random() - 1;
  return values;
}

/** B Bᵀ + n·I for a random n×n B: symmetric positive definite, full (both triangles). */
export function randomSpd(random: () => number, n: number): Float64Array {
  const b = randomArray(random, n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? n : 0;
      for (let k = 0; k < n; k++) sum += b[i * n + k] * b[j * n + k];
      a[i * n + j] = sum;
    }
  }
  return a;
}

/** A well-conditioned lower-triangular n×n matrix (diagonal in [1, 2), small off-diagonal). */
export function randomLower(random: () => number, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) l[i * n + j] = (2 * random() - 1) / Math.sqrt(n);
    l[i * n + i] = 1 + random();
  }
  return l;
}

export function syrkWeightedRef(
  G: Float64Array,
  p: number,
  n: number,
  w: Float64Array,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = 0; k < p; k++) sum += G[k * n + i] * w[k] * G[k * n + j];
      out[i * n + j] += sum;
    }
  }
}

export function syrkRef(X: Float64Array, k: number, n: number, out: Float64Array): void {
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let c = 0; c < n; c++) sum += X[i * n + c] * X[j * n + c];
      out[i * k + j] = sum;
    }
  }
}

/** Cholesky–Banachiewicz on the lower triangle; false when a pivot is not positive. */
export function choleskyRef(a: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= a[i * n + k] * a[j * n + k];
      if (i === j) {
        if (!(sum > 0)) return false;
        a[i * n + i] = Math.sqrt(sum);
      } else {
        a[i * n + j] = sum / a[j * n + j];
      }
    }
  }
  return true;
}

export function solveLowerRef(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let sum = x[i];
    for (let k = 0; k < i; k++) sum -= L[i * n + k] * x[k];
    x[i] = sum / L[i * n + i];
  }
}

export function solveLowerTransposedRef(L: Float64Array, n: number, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i];
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i] * x[k];
    x[i] = sum / L[i * n + i];
  }
}

export function gemvRef(
  M: Float64Array,
  rows: number,
  cols: number,
  transposed: boolean,
  alpha: number,
  x: Float64Array,
  beta: number,
  y: Float64Array,
): void {
  const outLength = transposed ? cols : rows;
  const innerLength = transposed ? rows : cols;
  for (let i = 0; i < outLength; i++) {
    let sum = 0;
    for (let k = 0; k < innerLength; k++) {
      sum += (transposed ? M[k * cols + i] : M[i * cols + k]) * x[k];
    }
    y[i] = beta === 0 ? alpha * sum : alpha * sum + beta * y[i];
  }
}

/** max |actual − expected| / max(1, max |expected|): a normwise relative error. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i] - expected[i]);
    worst = Number.isNaN(difference) ? Infinity : Math.max(worst, difference);
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return worst / scale;
}
