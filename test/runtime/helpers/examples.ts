import { readFileSync } from "node:fs";
import { compile, type NumericValue } from "../../../src/runtime/index.js";
import { readParameters } from "../../../src/runtime/parameters.js";
import { buildBatch, prepareProblem } from "../../../src/runtime/problem.js";
import type { QPBatch } from "../../../src/solver/index.js";
import { matrix, normal, seededRandom, spd, vector } from "./random.js";

export const EXAMPLES_DIR = new URL("../../../examples/", import.meta.url);

export function exampleSource(file: string): string {
  return readFileSync(new URL(file, EXAMPLES_DIR), "utf8");
}

type Params = Record<string, NumericValue>;

/** The QPBatch an example's layer builds for the parameter sets of these seeds (EXAMPLE_PARAMS). */
export function exampleBatch(file: string, seeds: readonly number[]): QPBatch {
  const layer = compile(exampleSource(file), { file });
  const members = seeds.map((seed) => EXAMPLE_PARAMS[file](seed));
  const params = Object.fromEntries(
    Object.keys(members[0]).map((name) => [name, members.map((values) => values[name])]),
  );
  const { parameters, parameterSize } = layer.canonical;
  return buildBatch(
    prepareProblem(layer.canonical),
    readParameters(parameters, parameterSize, params),
  );
}

/**
 * Parameter values for each example at its default dims: feasible, with a unique solution, and
 * respecting the attributes (nonneg, psd). Keyed by file name; a new example must be added here.
 */
export const EXAMPLE_PARAMS: Record<string, (seed: number) => Params> = {
  "box-least-squares.qp": (seed) => {
    const r = seededRandom(seed);
    return { A: matrix(r, 8, 4), y: vector(r, 8) };
  },
  "box-projection.qp": (seed) => ({ x: vector(seededRandom(seed), 5) }),
  "control.qp": (seed) => ({ x0: 3 * normal(seededRandom(seed)) }),
  "huber.qp": (seed) => {
    const r = seededRandom(seed);
    return { A: matrix(r, 8, 3), y: vector(r, 8, 2) };
  },
  "lasso.qp": (seed) => {
    const r = seededRandom(seed);
    return { A: matrix(r, 10, 5), y: vector(r, 10), lam: 0.5 + r() };
  },
  "norm-inf.qp": (seed) => ({ x: vector(seededRandom(seed), 4) }),
  "portfolio.qp": (seed) => {
    const r = seededRandom(seed);
    return { mu: vector(r, 6, 0.1), Sigma: spd(r, 6) };
  },
  "qp-dense.qp": (seed) => {
    const r = seededRandom(seed);
    const G = matrix(r, 10, 10);
    const z0 = vector(r, 10);
    const h = G.map((row) => row.reduce((s, v, j) => s + v * z0[j], 0) + r());
    return { Q: spd(r, 10, 0.5), q: vector(r, 10), G, h };
  },
  "relu.qp": (seed) => ({ x: vector(seededRandom(seed), 5) }),
  "simplex-oneline.qp": (seed) => ({ x: vector(seededRandom(seed), 3) }),
  "simplex.qp": (seed) => ({ x: vector(seededRandom(seed), 3) }),
  "sudoku.qp": (seed) => {
    const r = seededRandom(seed);
    const A = matrix(r, 40, 64);
    const z0 = Array.from({ length: 64 }, () => 0.1 + r());
    const b = A.map((row) => row.reduce((s, v, j) => s + v * z0[j], 0));
    return { p: vector(r, 64), A, b };
  },
  "tv-denoise.qp": (seed) => {
    const r = seededRandom(seed);
    const x = Array.from(
      { length: 100 },
      (_, i) => (i < 40 ? 1 : i < 70 ? -0.5 : 2) + 0.3 * normal(r),
    );
    return { x, lam: 0.2 + 0.3 * r() };
  },
};

/** Closed-form solutions, as independent references where one exists. */
export const CLOSED_FORMS: Record<string, (params: Params) => Record<string, number[]>> = {
  "simplex.qp": (params) => ({ z: simplexProjection(params.x as number[]) }),
  "simplex-oneline.qp": (params) => ({ z: simplexProjection(params.x as number[]) }),
  "relu.qp": (params) => ({ z: (params.x as number[]).map((v) => Math.max(v, 0)) }),
  "box-projection.qp": (params) => ({
    z: (params.x as number[]).map((v) => Math.min(1, Math.max(0, v))),
  }),
};

/** Projection onto {z ≥ 0, Σz = 1} by sorting (Held, Wolfe & Crowder; Duchi et al. 2008). */
export function simplexProjection(x: readonly number[]): number[] {
  const sorted = [...x].sort((a, b) => b - a);
  let sum = 0;
  let tau = 0;
  for (let k = 0; k < sorted.length; k++) {
    sum += sorted[k];
    const candidate = (sum - 1) / (k + 1);
    if (sorted[k] - candidate > 0) tau = candidate;
  }
  return x.map((v) => Math.max(v - tau, 0));
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const matvec = (A: readonly number[][], z: readonly number[]) => A.map((row) => dot(row, z));
const sumSquares = (a: readonly number[]) => dot(a, a);
const minus = (a: readonly number[], b: readonly number[]) => a.map((v, i) => v - b[i]);
const norm1 = (a: readonly number[]) => a.reduce((s, v) => s + Math.abs(v), 0);
/** CVXPY's huber: r² for |r| ≤ M, 2M|r| − M² beyond. */
const huber = (r: number, M: number) => (Math.abs(r) <= M ? r * r : 2 * M * Math.abs(r) - M * M);

/** Each example's objective, written directly from its source text, at the output variables. */
export const OBJECTIVES: Record<string, (params: Params, v: Record<string, number[]>) => number> = {
  "simplex.qp": (p, v) => sumSquares(minus(v.z, p.x as number[])),
  "simplex-oneline.qp": (p, v) => sumSquares(minus(v.z, p.x as number[])),
  "relu.qp": (p, v) => sumSquares(minus(v.z, p.x as number[])),
  "box-projection.qp": (p, v) => sumSquares(minus(v.z, p.x as number[])),
  "box-least-squares.qp": (p, v) =>
    sumSquares(minus(matvec(p.A as number[][], v.z), p.y as number[])),
  "huber.qp": (p, v) =>
    minus(matvec(p.A as number[][], v.z), p.y as number[]).reduce((s, r) => s + huber(r, 1), 0),
  "lasso.qp": (p, v) =>
    sumSquares(minus(matvec(p.A as number[][], v.z), p.y as number[])) +
    (p.lam as number) * norm1(v.z),
  "norm-inf.qp": (p, v) =>
    Math.max(...minus(v.z, p.x as number[]).map(Math.abs)) + 0.5 * sumSquares(v.z),
  "portfolio.qp": (p, v) =>
    dot(p.mu as number[], v.w) - dot(v.w, matvec(p.Sigma as number[][], v.w)),
  "qp-dense.qp": (p, v) =>
    0.5 * dot(v.z, matvec(p.Q as number[][], v.z)) + dot(p.q as number[], v.z),
  "sudoku.qp": (p, v) => 0.05 * sumSquares(v.z) - dot(p.p as number[], v.z),
  "tv-denoise.qp": (p, v) =>
    0.5 * sumSquares(minus(v.z, p.x as number[])) +
    (p.lam as number) * norm1(v.z.slice(1).map((value, i) => value - v.z[i])),
};
