/**
 * Sums and dot products in double-double arithmetic (Ogita, Rump and Oishi's Sum2/Dot2, with
 * Knuth's TwoSum and Dekker's TwoProduct; JavaScript has no fused multiply-add): each product is
 * split into its rounded value and its exact error, and each addition carries its own error
 * forward, so the result is as accurate as if it were computed with twice float64's precision and
 * then rounded: |error| ≤ u·|result| + ~(N·u)²·Σ|terms|. A gap summed from terms of 1e10 that
 * cancel to 1e-9 comes out right to ~1e-20, where a left-to-right float64 sum is off by up to
 * ~1e-6 and its value depends on the order.
 */

/** Dekker's splitting constant 2^27 + 1: a·SPLITTER splits a into two 26-bit halves. */
const SPLITTER = 134217729;
/** Beyond this a·SPLITTER would overflow: such a product is taken as rounded (never met here). */
const SPLIT_LIMIT = 6.69692879491417e299;

/** A running double-double sum: its value is hi + lo, with |lo| ≤ u·|hi|. */
export class ExactSum {
  hi = 0;
  lo = 0;

  /** Adds x, keeping the rounding error of the addition (TwoSum). */
  add(x: number): void {
    const sum = this.hi + x;
    const virtual = sum - this.hi;
    const error = this.hi - (sum - virtual) + (x - virtual);
    this.hi = sum;
    this.lo += error;
  }

  /** Adds a·b exactly up to the double-double rounding (TwoProduct, then TwoSum twice). */
  addProduct(a: number, b: number): void {
    const product = a * b;
    this.add(product);
    this.lo += productError(a, b, product);
  }

  /** Adds another double-double sum. */
  addSum(other: ExactSum): void {
    this.add(other.hi);
    this.lo += other.lo;
  }

  /** The sum rounded to float64. */
  value(): number {
    return this.hi + this.lo;
  }
}

/** a·b − fl(a·b), exactly (Dekker's TwoProduct); 0 where splitting would overflow. */
export function productError(a: number, b: number, product: number): number {
  if (!(Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT) || !Number.isFinite(product)) {
    return 0;
  }
  const ca = SPLITTER * a;
  const aHigh = ca - (ca - a);
  const aLow = a - aHigh;
  const cb = SPLITTER * b;
  const bHigh = cb - (cb - b);
  const bLow = b - bHigh;
  return aLow * bLow - (product - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}

/** Σ_j x[xOff + j]·y[yOff + j] over j < length, added to `into` (a new sum if not given). */
export function exactDot(
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  length: number,
  into: ExactSum = new ExactSum(),
): ExactSum {
  for (let j = 0; j < length; j++) into.addProduct(x[xOff + j], y[yOff + j]);
  return into;
}
