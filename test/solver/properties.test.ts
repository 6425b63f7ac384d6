import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { maxAbs } from "./helpers/dense.js";
import { kktResiduals } from "./helpers/kkt-residuals.js";
import { member, randomProblem, stackBatch } from "./helpers/problems.js";
import { solveWithQuadprog } from "../../bench/lib/quadprog.js";

const shapes = fc.record({
  n: fc.integer({ min: 1, max: 12 }),
  m: fc.integer({ min: 0, max: 4 }),
  p: fc.integer({ min: 0, max: 20 }),
  batch: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  sharedQ: fc.boolean(),
  sharedG: fc.boolean(),
});

describe("properties over random sizes and batch shapes", () => {
  it("solves every feasible paper-style problem to the KKT conditions and agrees with quadprog", () => {
    fc.assert(
      fc.property(shapes, ({ n, m: rawM, p, batch, seed, sharedQ, sharedG }) => {
        // m < n keeps A (Gaussian) of full row rank with probability one, so z0 stays interior
        const m = Math.min(rawM, n - 1);
        const base = randomProblem(n, m, p, seed);
        const problems = Array.from({ length: batch }, (_, k) => {
          const own = randomProblem(n, m, p, seed + 7919 * (k + 1));
          // sharing G also shares h, A and b: the constraints stay those built around base's z0
          const constraints = sharedG ? { A: base.A, b: base.b, G: base.G, h: base.h } : {};
          return { ...own, Q: sharedQ ? base.Q : own.Q, ...constraints };
        });
        const stacked = stackBatch(problems);
        const problem: QPBatch = {
          ...stacked,
          Q: sharedQ ? { data: base.Q, shared: true } : stacked.Q,
          A: sharedG ? { data: base.A, shared: true } : stacked.A,
          b: sharedG ? { data: base.b, shared: true } : stacked.b,
          G: sharedG ? { data: base.G, shared: true } : stacked.G,
          h: sharedG ? { data: base.h, shared: true } : stacked.h,
        };
        const r = solveBatch(problem);
        problems.forEach((qp, k) => {
          expect(r.status[k]).toBe("solved");
          const z = member(r.z, k, n);
          const residuals = kktResiduals(qp, z, member(r.lam, k, p), member(r.nu, k, m));
          expect(residuals.stationarity).toBeLessThan(1e-7);
          expect(residuals.equality).toBeLessThan(1e-7);
          expect(residuals.inequality).toBeLessThan(1e-7);
          const reference = solveWithQuadprog(qp);
          if (reference.status === "solved") {
            expect(maxAbs(reference.z.map((v, i) => v - z[i]))).toBeLessThan(
              1e-5 * Math.max(1, maxAbs(z)),
            );
          }
        });
        for (const v of r.z) expect(Number.isFinite(v)).toBe(true);
      }),
      { numRuns: 40, seed: 20261129 },
    );
  });

  it("never returns NaN, whatever the (finite) data: iterates stay finite, gradients not NaN", () => {
    const entry = fc.oneof(
      fc.double({ min: -10, max: 10, noNaN: true }),
      fc.constant(0),
      fc.constant(1),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.infiniteStream(entry),
        fc.boolean(),
        (n, m, p, batch, stream, psd) => {
          const take = (count: number) =>
            Float64Array.from({ length: count }, () => stream.next().value as number);
          // Q = U'U (PSD, singular when psd is true), the rest arbitrary: any status may come out
          const U = take(batch * n * n);
          const Q = new Float64Array(batch * n * n);
          for (let k = 0; k < batch; k++) {
            for (let i = 0; i < n; i++) {
              for (let j = 0; j < n; j++) {
                let sum = 0;
                for (let r = psd ? 1 : 0; r < n; r++)
                  sum += U[k * n * n + r * n + i] * U[k * n * n + r * n + j];
                Q[k * n * n + i * n + j] = sum;
              }
            }
          }
          const op = (data: Float64Array) => ({ data, shared: false });
          const r = solveBatch({
            batch,
            n,
            m,
            p,
            Q: op(Q),
            q: op(take(batch * n)),
            A: op(take(batch * m * n)),
            b: op(take(batch * m)),
            G: op(take(batch * p * n)),
            h: op(take(batch * p)),
          });
          for (const v of [...r.z, ...r.lam, ...r.nu, ...r.s])
            expect(Number.isFinite(v)).toBe(true);
          for (const v of [...r.primalResidual, ...r.dualResidual, ...r.gap]) {
            expect(Number.isNaN(v)).toBe(false);
          }
          // A gradient can exceed float64's range when the solution is near it (z ~ 1e155 from
          // a coefficient of 1e-155): it may be ±Infinity then, never NaN.
          const grads = r.backward(Float64Array.from({ length: batch * n }, (_, i) => (i % 3) - 1));
          for (const g of Object.values(grads)) {
            for (const v of g as Float64Array) expect(Number.isNaN(v)).toBe(false);
          }
        },
      ),
      { numRuns: 150, seed: 42 },
    );
  });
});
