import { mulberry32 } from "../../../bench/lib/random.js";

/** A seeded generator (the benchmark's mulberry32), so every test run sees the same data. */
export const seededRandom = mulberry32;

export function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function vector(rand: () => number, n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => scale * normal(rand));
}

export function matrix(rand: () => number, rows: number, cols: number, scale = 1): number[][] {
  return Array.from({ length: rows }, () => vector(rand, cols, scale));
}

/** B Bᵀ + shift·I: symmetric positive definite. */
export function spd(rand: () => number, n: number, shift = 0.1): number[][] {
  const B = matrix(rand, n, n);
  return B.map((row, i) =>
    B.map((other, j) => row.reduce((s, v, k) => s + v * other[k], 0) / n + (i === j ? shift : 0)),
  );
}
