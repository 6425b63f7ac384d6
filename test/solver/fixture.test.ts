import { describe, expect, it } from "vitest";
import { solveBatch } from "../../src/solver/index.js";
import { maxAbs, relativeError } from "./helpers/dense.js";
import { kktResiduals } from "./helpers/kkt-residuals.js";
import { stackBatch } from "./helpers/problems.js";
import { loadQPVectors, qpVectorProblem } from "../../bench/lib/qp-vectors.js";

const cases = loadQPVectors();

const solvable = cases.filter((c) => c.status === undefined);
const strictlyConvex = solvable.filter((c) => c.name.startsWith("pd_"));
const notStrictlyConvex = solvable.filter((c) => !c.name.startsWith("pd_"));
const withGradients = solvable.filter((c) => c.grad_of_w_dot_z && c.grad_of_w_dot_z.q);
const withoutSolution = cases.filter((c) => c.status !== undefined);

// Every test runs on both kernel sets: the default picks by size, and these cases are small.
describe.each(["typescript", "wasm"] as const)(
  "the qp-vectors fixture (cvxopt references), %s kernels",
  (kernels) => {
    it("covers every case of the fixture in one of the tables below", () => {
      expect(strictlyConvex.length + notStrictlyConvex.length + withoutSolution.length).toBe(
        cases.length,
      );
    });

    // Stopping at relative residuals and gap of 1e-9 leaves z off by a few 1e-9 on the worse
    // conditioned cases; the stated 1e-9 agreement needs a tolerance two digits tighter.
    it.each(strictlyConvex)("$name: z, duals and objective match cvxopt", (c) => {
      const tolerance = c.tolerance!;
      const r = solveBatch(stackBatch([qpVectorProblem(c)]), { eps: 1e-11, kernels });
      expect(r.status[0]).toBe("solved");
      expect(maxAbs(Array.from(r.z, (v, i) => v - c.z![i]))).toBeLessThanOrEqual(tolerance);
      expect(maxAbs(Array.from(r.nu, (v, i) => v - c.nu![i]))).toBeLessThanOrEqual(1e3 * tolerance);
      expect(maxAbs(Array.from(r.lam, (v, i) => v - c.lam![i]))).toBeLessThanOrEqual(
        1e3 * tolerance,
      );
      const Qz = c.Q.map((row) => row.reduce((sum, v, j) => sum + v * r.z[j], 0));
      const objective = Qz.reduce((sum, v, i) => sum + r.z[i] * (0.5 * v + c.q[i]), 0);
      expect(Math.abs(objective - c.objective!)).toBeLessThanOrEqual(
        tolerance * Math.max(1, Math.abs(c.objective!)),
      );
    });

    it.each(strictlyConvex)("$name: default options reach z within 1e-8", (c) => {
      const r = solveBatch(stackBatch([qpVectorProblem(c)]), { kernels });
      expect(r.status[0]).toBe("solved");
      expect(maxAbs(Array.from(r.z, (v, i) => v - c.z![i]))).toBeLessThanOrEqual(1e-8);
    });

    it.each(notStrictlyConvex)("$name: objective matches and KKT conditions hold", (c) => {
      const problem = qpVectorProblem(c);
      const r = solveBatch(stackBatch([problem]), { kernels });
      expect(r.status[0]).toBe("solved");
      const objective =
        0.5 *
          c.Q.reduce(
            (sum, row, i) => sum + r.z[i] * row.reduce((s, v, j) => s + v * r.z[j], 0),
            0,
          ) +
        c.q.reduce((sum, v, i) => sum + v * r.z[i], 0);
      expect(Math.abs(objective - c.objective!)).toBeLessThanOrEqual(
        c.tolerance! * Math.max(1, Math.abs(c.objective!)),
      );
      const residuals = kktResiduals(problem, r.z, r.lam, r.nu);
      for (const value of Object.values(residuals)) expect(value).toBeLessThan(1e-8);
    });

    it.each(withGradients)("$name: gradients of w'z match the finite differences", (c) => {
      const r = solveBatch(stackBatch([qpVectorProblem(c)]), { kernels });
      const grads = r.backward(new Float64Array(c.w!));
      for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
        const reference = (c.grad_of_w_dot_z![key] ?? []).flat();
        const got = grads[key]!;
        expect(got.length).toBe(reference.length);
        // The fixture's Q gradient is along (E_ij + E_ji)/2, which is our symmetric dQ_ij. Its
        // finite differences are themselves only good to about 1e-6 (its "about" note; on
        // pd_n12_m0_p30 our own float64 differences agree with backward() to 6e-9 but differ
        // from the fixture's by 1.6e-6), so the bound here is 3e-6; gradients.test.ts holds
        // backward() to 1e-6 against tighter differences.
        expect(relativeError(got, reference), key).toBeLessThanOrEqual(3e-6);
      }
    });

    it.each(withoutSolution)("$name: status is $status", (c) => {
      const r = solveBatch(stackBatch([qpVectorProblem(c)]), { kernels });
      expect(r.status[0]).toBe(c.status);
      for (const v of [...r.z, ...r.lam, ...r.nu, ...r.s]) expect(Number.isFinite(v)).toBe(true);
    });
  },
);
