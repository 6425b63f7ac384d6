import type { Random } from "../lib/random.js";

/** Row-major signals: `count` rows of `length` samples each. */
export interface SignalSet {
  count: number;
  length: number;
  clean: Float32Array;
  noisy: Float32Array;
}

/**
 * Piecewise-constant signals as in the OptNet paper's denoising task: 1–9 pieces with
 * change points at distinct random positions, integer heights 10–99, plus Gaussian noise.
 */
export function generateSignals(
  count: number,
  length: number,
  random: Random,
  noise = 10,
): SignalSet {
  const clean = new Float32Array(count * length);
  const noisy = new Float32Array(count * length);
  for (let s = 0; s < count; s++) {
    const pieces = random.int(1, 9);
    const changes = random
      .sample(length - 1, pieces - 1)
      .map((i) => i + 1)
      .sort((a, b) => a - b);
    let piece = 0;
    let height = random.int(10, 99);
    for (let t = 0; t < length; t++) {
      if (piece < changes.length && t === changes[piece]) {
        piece++;
        height = random.int(10, 99);
      }
      clean[s * length + t] = height;
      noisy[s * length + t] = height + noise * random.normal();
    }
  }
  return { count, length, clean, noisy };
}

/** Mean over all entries of the squared difference between predicted rows and the clean rows. */
export function meanSquaredError(
  predictions: readonly ArrayLike<number>[],
  clean: Float32Array,
  length: number,
  rows: readonly number[],
): number {
  let total = 0;
  predictions.forEach((p, i) => {
    const offset = (rows[i] ?? 0) * length;
    for (let t = 0; t < length; t++) total += ((p[t] ?? NaN) - (clean[offset + t] ?? NaN)) ** 2;
  });
  return total / (predictions.length * length);
}

/** The first-difference matrix, rows e_i − e_{i+1}, (n−1) × n, row-major. */
export function differenceMatrix(n: number): Float32Array {
  const D = new Float32Array((n - 1) * n);
  for (let i = 0; i < n - 1; i++) {
    D[i * n + i] = 1;
    D[i * n + i + 1] = -1;
  }
  return D;
}
