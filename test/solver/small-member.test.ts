/**
 * The small-member iteration (src/solver/kkt/small-wasm.ts): small dense members iterate in
 * WebAssembly by default and hand the rest to the general iteration. Checked against the
 * general path (kernels chosen explicitly: never the small-member path), quadprog, and finite
 * differences; and that it is taken exactly where it applies.
 */
import { describe, expect, it } from "vitest";
import { solveWithQuadprog } from "../../bench/lib/quadprog.js";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { smallMemberIterations } from "../../src/solver/kkt/small-wasm.js";
import { maxAbs, relativeError } from "./helpers/dense.js";
import { member, randomProblem, stackBatch } from "./helpers/problems.js";

/** Iterations the small-member path took during `run`. */
function takenDuring(run: () => void): number {
  const before = smallMemberIterations();
  run();
  return smallMemberIterations() - before;
}

describe("small dense members", () => {
  const n = 10;
  const problems = [1, 2, 3, 4, 5, 6].map((seed) => randomProblem(n, 0, n, seed));
  const batch = stackBatch(problems);

  it("iterate in WebAssembly, to the general path's iterates up to rounding", () => {
    let fast = solveBatch(batch);
    const taken = takenDuring(() => (fast = solveBatch(batch)));
    const general = solveBatch(batch, { kernels: "typescript" });
    // most iterations: the last ones (exact measures, weights above the split) are the general's
    expect(taken).toBeGreaterThan(problems.length * 3);
    expect(Array.from(fast.iterations)).toEqual(Array.from(general.iterations));
    expect(fast.status.every((s) => s === "solved")).toBe(true);
    expect(relativeError(fast.z, general.z)).toBeLessThan(1e-9);
    problems.forEach((qp, k) => {
      expect(relativeError(member(fast.z, k, n), solveWithQuadprog(qp).z)).toBeLessThan(1e-7);
    });
    const dz = Float64Array.from({ length: problems.length * n }, (_, i) => Math.sin(i + 1));
    const gradients = fast.backward(dz);
    const reference = general.backward(dz);
    for (const key of ["Q", "q", "G", "h"] as const) {
      const scale = 1 + maxAbs(reference[key]!);
      expect(maxAbs(gradients[key]!.map((v, i) => v - reference[key]![i])) / scale).toBeLessThan(
        1e-7,
      );
    }
  });

  it("give gradients of g'z* in q and h that match central differences", () => {
    const qp = problems[0];
    const single = stackBatch([qp]);
    const g = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const solution = solveBatch(single);
    const gradients = solution.backward(g);
    const objective = (problem: QPBatch) => {
      const z = solveBatch(problem, { eps: 1e-12 }).z;
      return z.reduce((sum, v, i) => sum + v * g[i], 0);
    };
    const step = 1e-6;
    for (const [key, length] of [
      ["q", n],
      ["h", n],
    ] as const) {
      for (let i = 0; i < length; i++) {
        const plus = stackBatch([
          { ...qp, [key]: qp[key].map((v, j) => (j === i ? v + step : v)) },
        ]);
        const minus = stackBatch([
          { ...qp, [key]: qp[key].map((v, j) => (j === i ? v - step : v)) },
        ]);
        const difference = (objective(plus) - objective(minus)) / (2 * step);
        expect(Math.abs(gradients[key]![i] - difference)).toBeLessThan(
          1e-5 * (1 + Math.abs(difference)),
        );
      }
    }
  });

  it("are left to the general path with equalities, bound rows, chosen kernels or structure: false", () => {
    const withEqualities = stackBatch([randomProblem(n, 2, n, 7)]);
    expect(takenDuring(() => solveBatch(withEqualities))).toBe(0);
    expect(takenDuring(() => solveBatch(batch, { kernels: "typescript" }))).toBe(0);
    expect(takenDuring(() => solveBatch(batch, { kernels: "wasm" }))).toBe(0);
    expect(takenDuring(() => solveBatch(batch, { structure: false }))).toBe(0);
    // a row −e_0 (z_0 ≥ −10) in G's values: a unit row, whose weight the general path keeps apart
    const qp = randomProblem(n, 0, n, 8);
    qp.G.fill(0, 0, n);
    qp.G[0] = -1;
    qp.h[0] = 10;
    expect(takenDuring(() => solveBatch(stackBatch([qp])))).toBe(0);
    // larger members take the WebAssembly kernels' general path
    expect(takenDuring(() => solveBatch(stackBatch([randomProblem(16, 0, 16, 9)])))).toBe(0);
  });

  it("end infeasible and unbounded members with the general path's certificates", () => {
    // 1'z ≤ −1 and −1'z ≤ −1 together: no z
    const infeasible = randomProblem(n, 0, 2, 10);
    infeasible.G.fill(0);
    for (let j = 0; j < n; j++) {
      infeasible.G[j] = 1;
      infeasible.G[n + j] = -1;
    }
    infeasible.h.set([-1, -1]);
    // Q = 0 and q pushing z_0 down, with rows z_1 + z_2 ≤ 1 and z_2 + z_3 ≤ 1 only: unbounded
    const unbounded = randomProblem(n, 0, 2, 11);
    unbounded.Q.fill(0);
    unbounded.q.fill(0);
    unbounded.q[0] = 1;
    unbounded.G.fill(0);
    unbounded.G.set([1, 1], 1);
    unbounded.G.set([1, 1], n + 2);
    unbounded.h.set([1, 1]);
    let solution = solveBatch(stackBatch([infeasible]));
    const taken = takenDuring(() => (solution = solveBatch(stackBatch([infeasible, unbounded]))));
    expect(taken).toBeGreaterThan(0);
    expect(solution.status).toEqual(["infeasible", "unbounded"]);
  });
});
