import { describe, expect, it } from "vitest";
import { solveBatch } from "../../src/solver/index.js";
import { maxAbs } from "./helpers/dense.js";
import { kktResiduals } from "./helpers/kkt-residuals.js";
import { member, randomProblem, stackBatch } from "./helpers/problems.js";
import { solveWithQuadprog } from "../../bench/lib/quadprog.js";

describe.each(["typescript", "wasm"] as const)(
  "random problems built as in the OptNet paper, against quadprog, %s kernels",
  (kernels) => {
    it.each([
      [5, 0, 5, 8],
      [10, 0, 10, 8],
      [20, 3, 20, 4],
      [30, 0, 60, 3],
      [50, 5, 50, 2],
    ])("n=%i m=%i p=%i, batch of %i: same z, KKT residuals ≤ 1e-8", (n, m, p, batch) => {
      const problems = Array.from({ length: batch }, (_, k) =>
        randomProblem(n, m, p, 1000 * n + k),
      );
      const r = solveBatch(stackBatch(problems), { kernels });
      problems.forEach((problem, k) => {
        expect(r.status[k]).toBe("solved");
        const z = member(r.z, k, n);
        const reference = solveWithQuadprog(problem);
        expect(reference.status).toBe("solved");
        // Q is badly conditioned (cond ~1e4–1e6): compare relative to the size of z
        expect(maxAbs(reference.z.map((v, i) => v - z[i]))).toBeLessThan(
          1e-6 * Math.max(1, maxAbs(z)),
        );
        const residuals = kktResiduals(problem, z, member(r.lam, k, p), member(r.nu, k, m));
        expect(residuals.stationarity).toBeLessThan(1e-8 * Math.max(1, maxAbs(problem.q)));
        expect(residuals.equality).toBeLessThan(1e-8);
        expect(residuals.inequality).toBeLessThan(1e-8);
        expect(residuals.dualSign).toBe(0);
        // the gap is relative to the objective: sum_i lam_i s_i ≤ 1e-9 (1 + |1/2 z'Qz + q'z|)
        let objective = 0;
        for (let i = 0; i < n; i++) {
          let Qz = 0;
          for (let j = 0; j < n; j++) Qz += problem.Q[i * n + j] * z[j];
          objective += z[i] * (0.5 * Qz + problem.q[i]);
        }
        expect(residuals.complementarity).toBeLessThan(1.01e-9 * (1 + Math.abs(objective)));
      });
    });

    it("needs about 8–15 iterations on the paper's problems", () => {
      const problems = Array.from({ length: 8 }, (_, k) => randomProblem(40, 0, 40, 77 + k));
      const r = solveBatch(stackBatch(problems), { kernels });
      expect(r.status.every((s) => s === "solved")).toBe(true);
      for (const iterations of r.iterations) {
        expect(iterations).toBeGreaterThanOrEqual(5);
        expect(iterations).toBeLessThanOrEqual(15);
      }
    });

    it("meets the default tolerance on relative residuals and gap", () => {
      const problems = Array.from({ length: 4 }, (_, k) => randomProblem(15, 2, 25, 500 + k));
      const r = solveBatch(stackBatch(problems), { kernels });
      for (let k = 0; k < 4; k++) {
        expect(r.primalResidual[k]).toBeLessThanOrEqual(1e-9);
        expect(r.dualResidual[k]).toBeLessThanOrEqual(1e-9);
        expect(r.gap[k]).toBeLessThanOrEqual(1e-9);
      }
    });
  },
);
