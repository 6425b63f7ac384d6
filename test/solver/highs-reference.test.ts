import { describe, expect, it } from "vitest";
import { solveBatch } from "../../src/solver/index.js";
import { matVec } from "./helpers/dense.js";
import { solveWithHighs } from "./helpers/highs.js";
import { kktResiduals } from "./helpers/kkt-residuals.js";
import { createRandom, member, stackBatch, type DenseProblem } from "./helpers/problems.js";

/**
 * A feasible, bounded problem with a singular objective: Q = V'V with V of rank r < n (r = 0 is
 * an LP), random rows Gz ≤ Gz0 + s0 and Az = Az0, and a box |z_j| ≤ 3 + |z0_j| that keeps it
 * bounded.
 */
function singularProblem(
  n: number,
  m: number,
  p: number,
  rank: number,
  seed: number,
): DenseProblem {
  const random = createRandom(seed);
  const V = Array.from({ length: rank * n }, random.normal);
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let r = 0; r < rank; r++) Q[i * n + j] += V[r * n + i] * V[r * n + j];
    }
  }
  const z0 = Array.from({ length: n }, random.normal);
  const rowsG = Array.from({ length: p * n }, random.normal);
  const G = new Float64Array((p + 2 * n) * n);
  G.set(rowsG);
  const h = new Float64Array(p + 2 * n);
  const Gz0 = matVec(rowsG, z0, p, n);
  for (let i = 0; i < p; i++) h[i] = Gz0[i] + random.uniform();
  for (let j = 0; j < n; j++) {
    G[(p + 2 * j) * n + j] = 1;
    G[(p + 2 * j + 1) * n + j] = -1;
    h[p + 2 * j] = 3 + Math.abs(z0[j]);
    h[p + 2 * j + 1] = 3 + Math.abs(z0[j]);
  }
  const A = Float64Array.from({ length: m * n }, random.normal);
  const b = Float64Array.from(matVec(A, z0, m, n));
  const q = Float64Array.from({ length: n }, random.normal);
  return { n, m, p: p + 2 * n, Q, q, A, b, G, h };
}

function objective(problem: DenseProblem, z: ArrayLike<number>): number {
  const Qz = matVec(problem.Q, z, problem.n, problem.n);
  return Qz.reduce((sum, v, i) => sum + z[i] * (0.5 * v + problem.q[i]), 0);
}

describe("LPs and PSD QPs against HiGHS", () => {
  it.each([
    [6, 0, 4, 0],
    [8, 2, 6, 0],
    [10, 3, 5, 4],
    [12, 0, 10, 6],
    [15, 4, 12, 0],
  ])(
    "n=%i m=%i p=%i+box, rank(Q)=%i: HiGHS's optimal objective, KKT residuals ≤ 1e-8",
    async (n, m, p, rank) => {
      const problems = [1, 2, 3].map((seed) => singularProblem(n, m, p, rank, 100 * n + seed));
      const r = solveBatch(stackBatch(problems));
      for (const [k, problem] of problems.entries()) {
        expect(r.status[k]).toBe("solved");
        const reference = await solveWithHighs(problem);
        expect(reference.Status).toBe("Optimal");
        const z = member(r.z, k, n);
        const ours = objective(problem, z);
        expect(Math.abs(ours - reference.ObjectiveValue)).toBeLessThan(
          1e-6 * Math.max(1, Math.abs(reference.ObjectiveValue)),
        );
        const residuals = kktResiduals(problem, z, member(r.lam, k, problem.p), member(r.nu, k, m));
        for (const value of Object.values(residuals)) expect(value).toBeLessThan(1e-8);
      }
    },
  );

  it("agrees with HiGHS that an LP with contradictory rows is infeasible", async () => {
    const problem = singularProblem(5, 1, 3, 0, 9);
    // the first row asks g'z ≤ −1 and the second, its negation, g'z ≥ 1
    for (let j = 0; j < 5; j++) problem.G[5 + j] = -problem.G[j];
    problem.h[0] = -1;
    problem.h[1] = -1;
    const reference = await solveWithHighs(problem);
    expect(reference.Status).toBe("Infeasible");
    expect(solveBatch(stackBatch([problem])).status).toEqual(["infeasible"]);
  });
});
