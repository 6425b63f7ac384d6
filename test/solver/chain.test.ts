import { describe, expect, it } from "vitest";
import { factorPath, solvePath } from "../../src/solver/kkt/path-laplacian.js";
import { createRandom } from "./helpers/problems.js";

/** Exact rationals (BigInt numerator over a positive denominator), enough for tiny systems. */
interface Fraction {
  num: bigint;
  den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function fraction(num: bigint, den: bigint): Fraction {
  if (den < 0n) [num, den] = [-num, -den];
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

/** The exact value of a float64 (a dyadic rational). */
function exact(x: number): Fraction {
  let den = 1n;
  while (!Number.isInteger(x)) {
    x *= 2;
    den *= 2n;
  }
  return fraction(BigInt(x), den);
}

const add = (a: Fraction, b: Fraction) => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
const sub = (a: Fraction, b: Fraction) => fraction(a.num * b.den - b.num * a.den, a.den * b.den);
const mul = (a: Fraction, b: Fraction) => fraction(a.num * b.num, a.den * b.den);
const div = (a: Fraction, b: Fraction) => fraction(a.num * b.den, a.den * b.num);

/** |x − reference| / scale as a float, computed exactly before the final rounding. */
function relative(x: number, reference: Fraction, scale: Fraction): number {
  const d = sub(exact(x), reference);
  const ratio = div(fraction(d.num < 0n ? -d.num : d.num, d.den), scale);
  return Number((ratio.num * 10n ** 30n) / ratio.den) / 1e30;
}

/** The exact solution of (diag(a) + Σ ω_i (e_i − e_{i+1})(…)') x = r by Gaussian elimination. */
function exactPathSolve(a: number[], omega: number[], r: number[]): Fraction[] {
  const count = a.length;
  const zero = fraction(0n, 1n);
  const M = Array.from({ length: count }, () => new Array<Fraction>(count).fill(zero));
  for (let i = 0; i < count; i++) M[i][i] = exact(a[i]);
  for (let i = 0; i + 1 < count; i++) {
    const w = exact(omega[i]);
    M[i][i] = add(M[i][i], w);
    M[i + 1][i + 1] = add(M[i + 1][i + 1], w);
    M[i][i + 1] = sub(M[i][i + 1], w);
    M[i + 1][i] = sub(M[i + 1][i], w);
  }
  const rhs = r.map(exact);
  // symmetric positive definite: no pivoting needed
  for (let col = 0; col < count; col++) {
    for (let i = col + 1; i < count; i++) {
      const f = div(M[i][col], M[col][col]);
      for (let j = col; j < count; j++) M[i][j] = sub(M[i][j], mul(f, M[col][j]));
      rhs[i] = sub(rhs[i], mul(f, rhs[col]));
    }
  }
  const x = new Array<Fraction>(count).fill(zero);
  for (let i = count - 1; i >= 0; i--) {
    let sum = rhs[i];
    for (let j = i + 1; j < count; j++) sum = sub(sum, mul(M[i][j], x[j]));
    x[i] = div(sum, M[i][i]);
  }
  return x;
}

function chainSolve(a: number[], omega: number[], r: number[]): number[] {
  const count = a.length;
  const excess = Float64Array.from(a);
  const rho = new Float64Array(count);
  const sigma = new Float64Array(count);
  expect(factorPath(excess, Float64Array.from(omega), rho, sigma, 0, count)).toBe(true);
  const rhs = Float64Array.from(r);
  const node = new Float64Array(count);
  solvePath(excess, rho, sigma, 0, count, new Float64Array(count), rhs, node);
  return Array.from(node);
}

/** Plain dense Cholesky solve of the same system, as the dense path forms it. */
function denseCholeskySolve(a: number[], omega: number[], r: number[]): number[] {
  const count = a.length;
  const K = Array.from({ length: count }, () => new Array<number>(count).fill(0));
  for (let i = 0; i < count; i++) K[i][i] = a[i];
  for (let i = 0; i + 1 < count; i++) {
    K[i][i] += omega[i];
    K[i + 1][i + 1] += omega[i];
    K[i][i + 1] -= omega[i];
    K[i + 1][i] -= omega[i];
  }
  const L = Array.from({ length: count }, () => new Array<number>(count).fill(0));
  for (let j = 0; j < count; j++) {
    let d = K[j][j];
    for (let t = 0; t < j; t++) d -= L[j][t] ** 2;
    L[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < count; i++) {
      let s = K[i][j];
      for (let t = 0; t < j; t++) s -= L[i][t] * L[j][t];
      L[i][j] = s / L[j][j];
    }
  }
  const y = [...r];
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < i; t++) y[i] -= L[i][t] * y[t];
    y[i] /= L[i][i];
  }
  for (let i = count - 1; i >= 0; i--) {
    for (let t = i + 1; t < count; t++) y[i] -= L[t][i] * y[t];
    y[i] /= L[i][i];
  }
  return y;
}

function randomSystem(count: number, seed: number, positiveRhs: boolean) {
  const random = createRandom(seed);
  const weights = [1e-6, 1, 1e4, 1e12];
  const a = Array.from({ length: count }, () => 0.5 + 1.5 * random.uniform());
  const omega = Array.from(
    { length: count - 1 },
    () => weights[Math.floor(4 * random.uniform())] * (0.5 + random.uniform()),
  );
  const r = Array.from({ length: count }, () =>
    positiveRhs ? 0.1 + random.uniform() : random.normal(),
  );
  return { a, omega, r };
}

describe("path factorization in conductance form", () => {
  it.each([2, 3, 6])(
    "solves %i-node systems with positive right-hand sides to rounding in every component",
    (count) => {
      for (let seed = 1; seed <= 20; seed++) {
        const { a, omega, r } = randomSystem(count, 100 * count + seed, true);
        const x = chainSolve(a, omega, r);
        const reference = exactPathSolve(a, omega, r);
        for (let i = 0; i < count; i++) {
          const scale = fraction(reference[i].num, reference[i].den);
          expect(relative(x[i], reference[i], scale)).toBeLessThan(1e-14);
        }
      }
    },
  );

  it("solves systems with signed right-hand sides to rounding relative to the largest component", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const count = 2 + (seed % 5);
      const { a, omega, r } = randomSystem(count, 7000 + seed, false);
      const x = chainSolve(a, omega, r);
      const reference = exactPathSolve(a, omega, r);
      const largest = reference.reduce(
        (best, v) => {
          const abs = fraction(v.num < 0n ? -v.num : v.num, v.den);
          return sub(abs, best).num > 0n ? abs : best;
        },
        fraction(0n, 1n),
      );
      for (let i = 0; i < count; i++) {
        expect(relative(x[i], reference[i], largest)).toBeLessThan(1e-14);
      }
    }
  });

  it("keeps the digits a dense Cholesky loses when a difference weight is 1e12", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const random = createRandom(seed);
      const a = [0.5 + random.uniform(), 0.5 + random.uniform(), 0.5 + random.uniform()];
      const omega = [1e12 * (1 + random.uniform()), 1e12 * (1 + random.uniform())];
      const r = [1, 0.5 + random.uniform(), 1];
      const reference = exactPathSolve(a, omega, r);
      const chain = chainSolve(a, omega, r);
      const dense = denseCholeskySolve(a, omega, r);
      let chainError = 0;
      let denseError = 0;
      for (let i = 0; i < 3; i++) {
        chainError = Math.max(chainError, relative(chain[i], reference[i], reference[i]));
        denseError = Math.max(denseError, relative(dense[i], reference[i], reference[i]));
      }
      expect(chainError).toBeLessThan(1e-14);
      expect(denseError).toBeGreaterThan(1e-9);
    }
  });

  it("refuses a pivot that is not positive", () => {
    const excess = Float64Array.from([1, -3, 1]);
    const ok = factorPath(
      excess,
      Float64Array.from([1, 1]),
      new Float64Array(3),
      new Float64Array(3),
      0,
      3,
    );
    expect(ok).toBe(false);
  });
});
