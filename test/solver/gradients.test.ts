import { describe, expect, it } from "vitest";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { relativeError } from "./helpers/dense.js";
import {
  createRandom,
  member,
  randomProblem,
  stackBatch,
  type DenseProblem,
} from "./helpers/problems.js";

type Operand = "Q" | "q" | "A" | "b" | "G" | "h";
const OPERANDS: Operand[] = ["Q", "q", "A", "b", "G", "h"];
const STEP = 1e-5;

/**
 * Central differences of w'z* for every entry of every operand, all perturbed problems solved
 * as one batch (2 members per entry). Q is perturbed symmetrically, (E_ij + E_ji)/2, because
 * the gradient of a symmetric argument is taken within symmetric matrices.
 */
function finiteDifferences(problem: DenseProblem, w: Float64Array): Record<Operand, Float64Array> {
  const { n } = problem;
  const perturbed: DenseProblem[] = [];
  const entries: [Operand, number][] = [];
  for (const key of OPERANDS) {
    for (let index = 0; index < problem[key].length; index++) {
      entries.push([key, index]);
      for (const sign of [1, -1]) {
        const copy = { ...problem, [key]: problem[key].slice() };
        if (key === "Q") {
          const [i, j] = [Math.floor(index / n), index % n];
          copy.Q[i * n + j] += (sign * STEP) / 2;
          copy.Q[j * n + i] += (sign * STEP) / 2;
        } else {
          copy[key][index] += sign * STEP;
        }
        perturbed.push(copy);
      }
    }
  }
  const r = solveBatch(stackBatch(perturbed), { eps: 1e-12, maxIter: 80 });
  const result = Object.fromEntries(
    OPERANDS.map((key) => [key, new Float64Array(problem[key].length)]),
  ) as Record<Operand, Float64Array>;
  entries.forEach(([key, index], e) => {
    const objective = (k: number) => member(r.z, k, n).reduce((sum, v, i) => sum + v * w[i], 0);
    result[key][index] = (objective(2 * e) - objective(2 * e + 1)) / (2 * STEP);
  });
  return result;
}

/** Smallest max(lam_i, s_i): far from 0 means strict complementarity, a differentiable point. */
function complementarityMargin(lam: Float64Array, s: Float64Array): number {
  let margin = Infinity;
  for (let i = 0; i < lam.length; i++) margin = Math.min(margin, Math.max(lam[i], s[i]));
  return margin;
}

const cases: [number, number, number, number][] = [
  [6, 2, 8, 1],
  [6, 2, 8, 2],
  [10, 0, 15, 3],
  [5, 3, 0, 4],
  [8, 1, 4, 5],
  [12, 4, 20, 6],
];

/** The differences of each case, computed once for both kernel sets (they cost a batch solve). */
const differencesBySeed = new Map<number, Record<Operand, Float64Array>>();
function cachedDifferences(seed: number, problem: DenseProblem, w: Float64Array) {
  let reference = differencesBySeed.get(seed);
  if (reference === undefined) {
    reference = finiteDifferences(problem, w);
    differencesBySeed.set(seed, reference);
  }
  return reference;
}

describe.each(["typescript", "wasm"] as const)(
  "backward() against central finite differences in float64, %s kernels",
  (kernels) => {
    it.each(cases)(
      "n=%i m=%i p=%i (seed %i): every operand's gradient within 1e-6",
      (n, m, p, seed) => {
        const problem = randomProblem(n, m, p, seed);
        const w = Float64Array.from({ length: n }, createRandom(seed + 100).normal);
        const r = solveBatch(stackBatch([problem]), { kernels });
        expect(r.status[0]).toBe("solved");
        if (p > 0) expect(complementarityMargin(r.lam, r.s)).toBeGreaterThan(1e-4);
        const grads = r.backward(w);
        const reference = cachedDifferences(seed, problem, w);
        for (const key of OPERANDS) {
          expect(grads[key]!.length, key).toBe(reference[key].length);
          expect(relativeError(grads[key]!, reference[key]), key).toBeLessThanOrEqual(1e-6);
        }
      },
    );

    it("gives each member of a batch the gradient it has when solved alone", () => {
      const problems = [1, 2, 3].map((seed) => randomProblem(7, 2, 9, 40 + seed));
      const batch = solveBatch(stackBatch(problems), { kernels });
      const upstream = Float64Array.from({ length: 3 * 7 }, createRandom(9).normal);
      const grads = batch.backward(upstream);
      problems.forEach((problem, k) => {
        const alone = solveBatch(stackBatch([problem]), { kernels }).backward(
          member(upstream, k, 7),
        );
        expect(relativeError(member(grads.G!, k, 9 * 7), alone.G!)).toBeLessThan(1e-9);
        expect(relativeError(member(grads.Q!, k, 49), alone.Q!)).toBeLessThan(1e-9);
      });
    });

    it("returns only the requested gradients", () => {
      const r = solveBatch(stackBatch([randomProblem(4, 1, 5, 3)]), { kernels });
      const grads = r.backward(new Float64Array([1, 0, 0, 0]), { Q: false, A: false, G: false });
      expect(Object.keys(grads).sort()).toEqual(["b", "h", "q"]);
    });

    it("writes the gradients into the caller's arrays, zero for a member that did not solve", () => {
      // z ≥ 0 and z1 + z2 = −1 (infeasible) or 1 (solved); every array of `into` starts as NaN
      const problem = stackBatch([
        { ...randomProblem(2, 1, 2, 5), A: Float64Array.of(1, 1), b: Float64Array.of(-1) },
        { ...randomProblem(2, 1, 2, 6), A: Float64Array.of(1, 1), b: Float64Array.of(1) },
      ]);
      problem.G = { data: Float64Array.of(-1, 0, 0, -1, -1, 0, 0, -1), shared: false };
      problem.h = { data: new Float64Array(4), shared: false };
      const r = solveBatch(problem, { kernels });
      expect(r.status).toEqual(["infeasible", "solved"]);
      const upstream = Float64Array.of(1, 2, 3, 4);
      const fresh = r.backward(upstream);
      const sizes = { Q: 8, q: 4, A: 4, b: 2, G: 8, h: 4 };
      const into = Object.fromEntries(
        OPERANDS.map((key) => [key, new Float64Array(sizes[key]).fill(NaN)]),
      );
      const grads = r.backward(upstream, {}, into);
      for (const key of OPERANDS) {
        expect(grads[key], key).toBe(into[key]);
        expect(Array.from(grads[key]!), key).toEqual(Array.from(fresh[key]!));
      }
      expect(() => r.backward(upstream, {}, { Q: new Float64Array(3) })).toThrow(/into\.Q/);
    });

    it("gives zero gradients to a member that did not solve and finite ones at a degenerate point", () => {
      // member 0: infeasible (z1 + z2 = −1, z ≥ 0); member 1: min 1/2‖z‖² s.t. z ≥ 0 with q = 0,
      // whose solution z = 0 has lam = 0 and s = 0 on both rows (degenerate).
      const problem: QPBatch = {
        batch: 2,
        n: 2,
        m: 1,
        p: 2,
        Q: { data: Float64Array.from([1, 0, 0, 1]), shared: true },
        q: { data: new Float64Array(2), shared: true },
        A: { data: Float64Array.from([1, 1, 0, 0]), shared: false },
        b: { data: Float64Array.from([-1, 0]), shared: false },
        G: { data: Float64Array.from([-1, 0, 0, -1]), shared: true },
        h: { data: new Float64Array(2), shared: true },
      };
      const r = solveBatch(problem, { kernels });
      expect(r.status).toEqual(["infeasible", "solved"]);
      const grads = r.backward(Float64Array.from([1, 2, 1, 2]));
      for (const key of OPERANDS) {
        const g = grads[key]!;
        expect(
          g.every((v) => Number.isFinite(v)),
          key,
        ).toBe(true);
        const size = g.length / 2;
        expect(
          Array.from(g.subarray(0, size)).every((v) => v === 0),
          key,
        ).toBe(true);
      }
    });
  },
);
