import { describe, expect, it } from "vitest";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { randomBatch, randomQP } from "../../bench/lib/generator.js";
import { solveWithQuadprog } from "../../bench/lib/quadprog.js";
import { maxAbs } from "./helpers/dense.js";

const operand = (data: Float64Array) => ({ data, shared: false });

/** The paper's problem of this seed with the objective scaled by c and G, h by √c: same z. */
function scaledProblem(seed: number, c: number): { problem: QPBatch; z: Float64Array } {
  const qp = randomQP(10, 10, seed);
  const root = Math.sqrt(c);
  const problem: QPBatch = {
    batch: 1,
    n: 10,
    m: 0,
    p: 10,
    Q: operand(qp.Q.map((v) => v * c)),
    q: operand(qp.q.map((v) => v * c)),
    A: operand(new Float64Array(0)),
    b: operand(new Float64Array(0)),
    G: operand(qp.G.map((v) => v * root)),
    h: operand(qp.h.map((v) => v * root)),
  };
  const reference = solveWithQuadprog(qp);
  expect(reference.status).toBe("solved");
  return { problem, z: Float64Array.from(reference.z) };
}

describe("the step to the boundary near the solution", () => {
  it("ends in a median of 3 iterations once every measure is below 1e-2 (a fixed 0.99 step takes 4)", () => {
    const batch = 32;
    const problem = randomBatch(batch, 10, 10, 3);
    // The measures after t iterations are those a solve stopped by maxIter = t returns.
    const truncated = Array.from({ length: 15 }, (_, t) => solveBatch(problem, { maxIter: t }));
    const full = truncated[truncated.length - 1];
    const tails: number[] = [];
    for (let k = 0; k < batch; k++) {
      expect(full.status[k]).toBe("solved");
      const below = truncated.findIndex(
        (r) => Math.max(r.primalResidual[k], r.dualResidual[k], r.gap[k]) < 1e-2,
      );
      expect(below).toBeGreaterThanOrEqual(0);
      tails.push(full.iterations[k] - below);
    }
    tails.sort((a, b) => a - b);
    expect(tails[batch >> 1]).toBeLessThanOrEqual(3);
  });

  it.each([1e-3, 1, 1e3, 1e8])(
    "keeps z of the paper's problems when the data is scaled by %s (against quadprog)",
    (c) => {
      for (const seed of [1, 2, 3]) {
        const { problem, z } = scaledProblem(seed, c);
        const r = solveBatch(problem);
        expect(r.status[0]).toBe("solved");
        expect(maxAbs(z.map((v, i) => v - r.z[i]))).toBeLessThan(1e-6 * Math.max(1, maxAbs(z)));
      }
    },
  );
});
