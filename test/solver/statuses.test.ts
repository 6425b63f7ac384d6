import { describe, expect, it } from "vitest";
import { solveBatch, solveQP, type QPBatch } from "../../src/solver/index.js";
import { maxAbs } from "./helpers/dense.js";
import { kktResiduals } from "./helpers/kkt-residuals.js";
import { member, randomProblem, stackBatch } from "./helpers/problems.js";

const allFinite = (r: { z: number[][]; lam: number[][]; nu: number[][]; s: number[][] }) =>
  [r.z, r.lam, r.nu, r.s].every((rows) => rows.every((row) => row.every(Number.isFinite)));

describe("statuses", () => {
  it.each([
    ["inequalities that contradict each other", { Q: [[1]], q: [0], G: [[1], [-1]], h: [-1, -1] }],
    [
      "inconsistent equalities (rank-deficient A)",
      {
        Q: [
          [1, 0],
          [0, 1],
        ],
        q: [0, 0],
        A: [
          [1, 1],
          [2, 2],
        ],
        b: [1, 3],
      },
    ],
    [
      "an LP whose equality misses the nonnegative orthant",
      {
        Q: [
          [0, 0],
          [0, 0],
        ],
        q: [1, 1],
        A: [[1, 1]],
        b: [-1],
        G: [
          [-1, 0],
          [0, -1],
        ],
        h: [0, 0],
      },
    ],
    [
      "a zero row of G with a negative bound",
      {
        Q: [
          [1, 0],
          [0, 1],
        ],
        q: [-1, -1],
        G: [
          [0, 0],
          [1, 0],
        ],
        h: [-1, 0.5],
      },
    ],
  ])("reports infeasible for %s", (_, args) => {
    const r = solveQP(args);
    expect(r.status).toEqual(["infeasible"]);
    expect(allFinite(r)).toBe(true);
  });

  it.each([
    [
      "an LP unbounded below along a free direction",
      {
        Q: [
          [0, 0],
          [0, 0],
        ],
        q: [1, 0],
        A: [[0, 1]],
        b: [1],
      },
    ],
    [
      "a linear objective without constraints",
      {
        Q: [
          [0, 0],
          [0, 0],
        ],
        q: [1, -1],
      },
    ],
    [
      "an LP over the nonnegative orthant with negative costs",
      {
        Q: [
          [0, 0],
          [0, 0],
        ],
        q: [-1, -1],
        G: [
          [-1, 0],
          [0, -1],
        ],
        h: [0, 0],
      },
    ],
    [
      "a PSD objective flat along a feasible ray",
      {
        Q: [
          [1, 0],
          [0, 0],
        ],
        q: [0, -1],
        G: [[-1, 0]],
        h: [5],
      },
    ],
  ])("reports unbounded for %s", (_, args) => {
    const r = solveQP(args);
    expect(r.status).toEqual(["unbounded"]);
    expect(allFinite(r)).toBe(true);
  });

  it("solves a PSD problem whose linear term lies in the range of Q", () => {
    const r = solveQP({
      Q: [
        [1, 0],
        [0, 0],
      ],
      q: [1, 0],
    });
    expect(r.status).toEqual(["solved"]);
    expect(r.z[0][0]).toBeCloseTo(-1, 10);
    expect(r.objective[0]).toBeCloseTo(-0.5, 10);
  });

  it("solves Q = 0, q = 0 without constraints (any z is optimal) with finite output", () => {
    const r = solveQP({
      Q: [
        [0, 0],
        [0, 0],
      ],
      q: [0, 0],
    });
    expect(r.status).toEqual(["solved"]);
    expect(allFinite(r)).toBe(true);
  });

  it("solves with a rank-deficient A (a repeated equality) and duplicated inequalities", () => {
    const r = solveQP({
      Q: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
      q: [0, 0, -4],
      A: [
        [1, 1, 0],
        [2, 2, 0],
        [0, 0, 0],
      ],
      b: [1, 2, 0],
      G: [
        [0, 0, 1],
        [0, 0, 1],
        [0, 0, 2],
      ],
      h: [3, 3, 6],
    });
    expect(r.status).toEqual(["solved"]);
    expect(maxAbs(r.z[0].map((v, i) => v - [0.5, 0.5, 3][i]))).toBeLessThan(1e-8);
    // the duals are not unique, but Qz + q + A'nu + G'lam = 0 must hold
    const [nu, lam] = [r.nu[0], r.lam[0]];
    expect(Math.abs(r.z[0][0] + nu[0] + 2 * nu[1])).toBeLessThan(1e-8);
    expect(Math.abs(r.z[0][2] - 4 + lam[0] + lam[1] + 2 * lam[2])).toBeLessThan(1e-8);
  });

  it("solves an equality-only problem in one Newton step", () => {
    const r = solveQP({
      Q: [
        [2, 0],
        [0, 2],
      ],
      q: [0, 0],
      A: [[1, 1]],
      b: [1],
    });
    expect(r.status).toEqual(["solved"]);
    expect(r.z[0][0]).toBeCloseTo(0.5, 12);
    expect(r.nu[0][0]).toBeCloseTo(-1, 12);
    expect(r.iterations[0]).toBeLessThanOrEqual(1);
  });

  it("solves a degenerate vertex (more active constraints than variables)", () => {
    // min (z1−1)² + (z2−1)² s.t. z1 ≤ 0, z2 ≤ 0, z1 + z2 ≤ 0: z = 0 with three active rows
    const r = solveQP({
      Q: [
        [2, 0],
        [0, 2],
      ],
      q: [-2, -2],
      G: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      h: [0, 0, 0],
    });
    expect(r.status).toEqual(["solved"]);
    expect(maxAbs(r.z[0])).toBeLessThan(1e-8);
    const d = r.vjp([1, 1]);
    for (const g of Object.values(d))
      expect((g as number[][]).flat().every(Number.isFinite)).toBe(true);
  });

  it("reports max_iterations when the cap is reached first, with a finite iterate", () => {
    const r = solveQP(
      {
        Q: [
          [1, 0],
          [0, 1],
        ],
        q: [-1, -1],
        G: [[1, 1]],
        h: [0],
      },
      { maxIter: 2 },
    );
    expect(r.status).toEqual(["max_iterations"]);
    expect(r.iterations).toEqual([2]);
    expect(allFinite(r)).toBe(true);
  });

  it("never claims a solution, nor NaN, where the only feasible z would be ~3e156", () => {
    // 3.4e-157·z = 1 needs z ≈ 3e156 (beyond what the start can square), and z ≤ 0 forbids it:
    // infeasible, or no claim at all (numerical_error, max_iterations) where the certificate is
    // out of float64's reach
    const r = solveQP({
      Q: [[0]],
      q: [1],
      A: [[3.4202866251253667e-157]],
      b: [1],
      G: [[0], [1]],
      h: [0, 0],
    });
    expect(["infeasible", "numerical_error", "max_iterations"]).toContain(r.status[0]);
    expect(allFinite(r)).toBe(true);
    expect(Number.isNaN(r.raw.gap[0])).toBe(false);
  });

  it("solves badly scaled data (entries near 1e8 and 1e-8)", () => {
    for (const scale of [1e8, 1e-8]) {
      const r = solveQP({
        Q: [
          [scale, 0],
          [0, scale],
        ],
        q: [-scale, -scale],
        G: [[Math.sqrt(scale), Math.sqrt(scale)]],
        h: [Math.sqrt(scale)],
      });
      expect(r.status).toEqual(["solved"]);
      expect(maxAbs(r.z[0].map((v) => v - 0.5))).toBeLessThan(1e-7);
    }
  });
});

describe("a batch with failing members", () => {
  it("solves the feasible members exactly as alone while others are infeasible or unbounded", () => {
    const [n, m, p] = [5, 1, 6];
    const good = [randomProblem(n, m, p, 1), randomProblem(n, m, p, 2)];
    // infeasible: the first inequality row demands g'z ≤ −1 and the second g'z ≥ 1
    const infeasible = randomProblem(n, m, p, 3);
    for (let j = 0; j < n; j++) infeasible.G[n + j] = -infeasible.G[j];
    infeasible.h[0] = -1;
    infeasible.h[1] = -1;
    // unbounded: an LP without inequalities
    const unbounded = { ...randomProblem(n, m, 0, 4), Q: new Float64Array(n * n) };
    const unboundedFull = {
      ...unbounded,
      p,
      G: new Float64Array(p * n),
      h: new Float64Array(p).fill(1),
    };
    const problems = [good[0], infeasible, unboundedFull, good[1]];
    const r = solveBatch(stackBatch(problems));
    expect(r.status).toEqual(["solved", "infeasible", "unbounded", "solved"]);
    for (const v of [...r.z, ...r.lam, ...r.nu, ...r.s]) expect(Number.isFinite(v)).toBe(true);
    [0, 3].forEach((k, index) => {
      const alone = solveBatch(stackBatch([good[index]]));
      expect(Array.from(member(r.z, k, n))).toEqual(Array.from(alone.z));
      expect(r.iterations[k]).toBe(alone.iterations[0]);
      const residuals = kktResiduals(
        good[index],
        member(r.z, k, n),
        member(r.lam, k, p),
        member(r.nu, k, m),
      );
      for (const value of Object.values(residuals)) expect(value).toBeLessThan(1e-8);
    });
  });

  it("stops converged members: each member's iteration count is its own", () => {
    const easy = randomProblem(4, 0, 0, 1);
    const hard = randomProblem(12, 2, 30, 2);
    const padded = { ...easy, n: 12, m: 2, p: 30 } as typeof hard;
    // the same sizes are needed for one batch: embed the easy problem as an unconstrained one
    padded.Q = new Float64Array(144);
    for (let i = 0; i < 12; i++) padded.Q[i * 13] = 1;
    padded.q = new Float64Array(12).fill(1);
    padded.A = new Float64Array(24);
    padded.b = new Float64Array(2);
    padded.G = new Float64Array(360);
    padded.h = new Float64Array(30).fill(1);
    const r = solveBatch(stackBatch([padded, hard]));
    expect(r.status).toEqual(["solved", "solved"]);
    expect(r.iterations[0]).toBeLessThan(r.iterations[1]);
  });

  it("rejects a QPBatch whose operand lengths do not match its sizes", () => {
    const problem: QPBatch = stackBatch([randomProblem(3, 0, 2, 1)]);
    expect(() =>
      solveBatch({ ...problem, G: { data: new Float64Array(5), shared: false } }),
    ).toThrow(/G has 5 entries, expected 6/);
  });
});

describe("warm start", () => {
  it("reaches the same solution from a previous solution in fewer iterations", () => {
    const problems = [randomProblem(10, 2, 15, 5), randomProblem(10, 2, 15, 6)];
    const cold = solveBatch(stackBatch(problems));
    const perturbed = problems.map((problem) => ({
      ...problem,
      q: problem.q.map((v) => v * 1.001),
    }));
    const reference = solveBatch(stackBatch(perturbed));
    const warm = solveBatch(stackBatch(perturbed), {
      warmStart: { z: cold.z, lam: cold.lam, nu: cold.nu, s: cold.s },
    });
    expect(warm.status).toEqual(["solved", "solved"]);
    expect(maxAbs(Array.from(warm.z, (v, i) => v - reference.z[i]))).toBeLessThan(1e-7);
    for (let k = 0; k < 2; k++) expect(warm.iterations[k]).toBeLessThan(reference.iterations[k]);
  });

  it("rejects a warm start of the wrong size", () => {
    const problem = stackBatch([randomProblem(3, 0, 2, 1)]);
    const start = {
      z: new Float64Array(2),
      lam: new Float64Array(2),
      nu: new Float64Array(0),
      s: new Float64Array(2),
    };
    expect(() => solveBatch(problem, { warmStart: start })).toThrow(
      /warmStart.z has 2 entries, expected 1×3/,
    );
  });
});
