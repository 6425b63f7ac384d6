/**
 * Small problems (n below the size where the KKT layer tries its savings) take the plain path: K formed
 * from every row, forward directions solved once without a residual pass (kkt/schur-block.ts,
 * solveDirectionOnce). Checked end to end against quadprog, against central differences in
 * float64, and for bitwise agreement of a member alone and in a batch, with and without
 * equality rows (which put rows in the Schur block of every factorization).
 */
import { describe, expect, it } from "vitest";
import { solveWithQuadprog } from "../../bench/lib/quadprog.js";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { matTVec, matVec, maxAbs, relativeError } from "./helpers/dense.js";
import {
  createRandom,
  member,
  randomProblem,
  stackBatch,
  type DenseProblem,
} from "./helpers/problems.js";

const n = 10;

describe.each([0, 3])("the paper's problems at n = p = 10 with m = %i equality rows", (m) => {
  const problems = [31, 32, 33, 34, 35, 36].map((seed) => randomProblem(n, m, n, seed));
  const batch: QPBatch = stackBatch(problems);

  it("agrees with quadprog and satisfies the KKT conditions to the solver's tolerance", () => {
    const solution = solveBatch(batch);
    problems.forEach((qp, k) => {
      expect(solution.status[k]).toBe("solved");
      const z = member(solution.z, k, n);
      const reference = solveWithQuadprog(qp);
      expect(reference.status).toBe("solved");
      expect(relativeError(z, reference.z)).toBeLessThan(1e-7);
      // stationarity Qz + q + A'nu + G'lam = 0, recomputed here in plain loops
      const lam = member(solution.lam, k, n);
      const nu = member(solution.nu, k, m);
      const Qz = matVec(qp.Q, z, n, n);
      const Glam = matTVec(qp.G, lam, n, n);
      const Anu = matTVec(qp.A, nu, m, n);
      const stationarity = Qz.map((v, i) => v + qp.q[i] + Glam[i] + (m > 0 ? Anu[i] : 0));
      expect(maxAbs(stationarity)).toBeLessThan(1e-7);
      if (m > 0) {
        const Az = matVec(qp.A, z, m, n);
        expect(maxAbs(Az.map((v, i) => v - qp.b[i]))).toBeLessThan(1e-8);
      }
    });
  });

  it("gives each member alone bitwise the same solution and gradients as in the batch", () => {
    const together = solveBatch(batch);
    const random = createRandom(8);
    const g = Float64Array.from({ length: problems.length * n }, random.normal);
    const gradients = together.backward(g);
    problems.forEach((qp, k) => {
      const alone = solveBatch(stackBatch([qp]));
      expect(Array.from(alone.z)).toEqual(Array.from(member(together.z, k, n)));
      expect(Array.from(alone.lam)).toEqual(Array.from(member(together.lam, k, n)));
      expect(Array.from(alone.nu)).toEqual(Array.from(member(together.nu, k, m)));
      const aloneGradients = alone.backward(member(g, k, n).slice());
      expect(Array.from(aloneGradients.q!)).toEqual(Array.from(member(gradients.q!, k, n)));
      expect(Array.from(aloneGradients.h!)).toEqual(Array.from(member(gradients.h!, k, n)));
    });
  });

  it("gives gradients of g'z* in q and h that match central differences", () => {
    const qp = problems[0];
    const solve = (data: DenseProblem) =>
      solveBatch(stackBatch([data]), { eps: 1e-12, maxIter: 80 });
    const random = createRandom(9);
    const g = Float64Array.from({ length: n }, random.normal);
    const loss = (data: DenseProblem) => solve(data).z.reduce((sum, zi, i) => sum + g[i] * zi, 0);
    const grads = solve(qp).backward(g);
    const step = 1e-5;
    const difference = (perturb: (data: DenseProblem, sign: number) => DenseProblem) =>
      (loss(perturb(qp, 1)) - loss(perturb(qp, -1))) / (2 * step);
    for (let j = 0; j < n; j++) {
      const expected = difference((data, sign) => {
        const q = data.q.slice();
        q[j] += sign * step;
        return { ...data, q };
      });
      expect(Math.abs(grads.q![j] - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected)));
    }
    for (let i = 0; i < n; i++) {
      const expected = difference((data, sign) => {
        const h = data.h.slice();
        h[i] += sign * step;
        return { ...data, h };
      });
      expect(Math.abs(grads.h![i] - expected)).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected)));
    }
  });
});
