import { describe, expect, it } from "vitest";
import { solveBatch, solveQP } from "../../src/solver/index.js";
import { maxAbs } from "./helpers/dense.js";
import { member, randomProblem, stackBatch } from "./helpers/problems.js";

const rows = (data: Float64Array, count: number, size: number) =>
  Array.from({ length: count }, (_, k) => Array.from(member(data, k, size)));
const matrix = (data: Float64Array, r: number, c: number) => rows(data, r, c);

const [n, m, p] = [4, 1, 5];
const problems = [1, 2, 3].map((seed) => randomProblem(n, m, p, seed));
// A shared problem: Q, A, b, G, h of problems[0]; each member its own q
const shared = problems[0];
const qs = problems.map((problem) => Array.from(problem.q));

describe("solveQP", () => {
  it("solves one problem given as nested arrays as a batch of one", () => {
    const r = solveQP({
      Q: matrix(shared.Q, n, n),
      q: qs[0],
      A: matrix(shared.A, m, n),
      b: Array.from(shared.b),
      G: matrix(shared.G, p, n),
      h: Array.from(shared.h),
    });
    const direct = solveBatch(stackBatch([shared]));
    expect(r.status).toEqual(["solved"]);
    expect(r.z).toEqual([Array.from(direct.z)]);
    expect(r.lam).toEqual([Array.from(direct.lam)]);
    expect(r.nu).toEqual([Array.from(direct.nu)]);
    expect(r.s).toEqual([Array.from(direct.s)]);
    expect(r.iterations).toEqual([direct.iterations[0]]);
    const Qz = matrix(shared.Q, n, n).map((row) =>
      row.reduce((sum, v, j) => sum + v * r.z[0][j], 0),
    );
    expect(r.objective[0]).toBeCloseTo(
      Qz.reduce((sum, v, i) => sum + r.z[0][i] * (0.5 * v + qs[0][i]), 0),
      12,
    );
  });

  it("broadcasts arguments without a batch axis over the batched ones", () => {
    const r = solveQP({
      Q: matrix(shared.Q, n, n),
      q: qs,
      G: matrix(shared.G, p, n),
      h: Array.from(shared.h),
      A: matrix(shared.A, m, n),
      b: Array.from(shared.b),
    });
    expect(r.status).toEqual(["solved", "solved", "solved"]);
    qs.forEach((q, k) => {
      const alone = solveQP({
        Q: matrix(shared.Q, n, n),
        q,
        G: matrix(shared.G, p, n),
        h: Array.from(shared.h),
        A: matrix(shared.A, m, n),
        b: Array.from(shared.b),
      });
      expect(r.z[k]).toEqual(alone.z[0]);
    });
  });

  it("sums the gradient of a shared argument over the batch and keeps batched ones per member", () => {
    const args = {
      Q: matrix(shared.Q, n, n),
      q: qs,
      G: matrix(shared.G, p, n),
      h: Array.from(shared.h),
    };
    const r = solveQP(args);
    const dz = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 1],
    ];
    const d = r.vjp(dz);
    expect(Object.keys(d).sort()).toEqual(["G", "Q", "h", "q"]);
    const perMember = qs.map((q, k) => solveQP({ ...args, q }).vjp([dz[k]]));
    const G = d.G as number[][];
    expect(G.length).toBe(p);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < n; j++) {
        const sum = perMember.reduce((s, g) => s + (g.G as number[][])[i][j], 0);
        expect(G[i][j]).toBeCloseTo(sum, 12);
      }
    }
    const q = d.q as number[][];
    expect(q.length).toBe(3);
    q.forEach((row, k) =>
      expect(maxAbs(row.map((v, i) => v - (perMember[k].q as number[])[i]))).toBeLessThan(1e-12),
    );
  });

  it("takes Float64Arrays, infers their batch size and returns gradients as Float64Arrays", () => {
    const batch = stackBatch(problems);
    const r = solveQP({
      Q: batch.Q.data,
      q: batch.q.data,
      G: batch.G.data,
      h: batch.h.data,
      A: batch.A.data,
      b: batch.b.data,
    });
    const direct = solveBatch(batch);
    expect(r.z).toEqual(rows(direct.z, 3, n));
    const d = r.vjp(Float64Array.from({ length: 3 * n }, (_, i) => i));
    expect(d.G).toBeInstanceOf(Float64Array);
    expect((d.G as Float64Array).length).toBe(3 * p * n);
    // a shared Float64Array argument gets the summed gradient, of one member's size
    const mixed = solveQP({ Q: shared.Q, q: batch.q.data, G: shared.G, h: shared.h });
    const dm = mixed.vjp(rows(new Float64Array(3 * n).fill(1), 3, n));
    expect((dm.Q as Float64Array).length).toBe(n * n);
    expect((dm.q as Float64Array).length).toBe(3 * n);
  });

  it("asks for sizes when Float64Array lengths fit more than one reading, and uses them", () => {
    const args = {
      Q: [
        [2, 0],
        [0, 2],
      ],
      q: [0, 0],
      A: Float64Array.from([1, 1, 1, -1]),
      b: Float64Array.from([1, 0]),
    };
    // one member with two equality rows, or two members with one row each
    expect(() => solveQP(args)).toThrow(/could be 1 or 2 rows/);
    const twoRows = solveQP({ ...args, sizes: { m: 2 } });
    expect(twoRows.z.length).toBe(1);
    expect(twoRows.z[0][0]).toBeCloseTo(0.5, 10);
    expect(twoRows.z[0][1]).toBeCloseTo(0.5, 10);
    const twoMembers = solveQP({ ...args, sizes: { m: 1 } });
    expect(twoMembers.z.length).toBe(2);
    expect(twoMembers.z[1][0]).toBeCloseTo(0, 10);
    expect(twoMembers.z[1][1]).toBeCloseTo(0, 10);
  });

  it("solves unconstrained and inequality-only problems with A/b and G/h omitted", () => {
    const unconstrained = solveQP({
      Q: [
        [2, 0],
        [0, 4],
      ],
      q: [-2, -4],
    });
    expect(unconstrained.z[0][0]).toBeCloseTo(1, 12);
    expect(unconstrained.z[0][1]).toBeCloseTo(1, 12);
    expect(unconstrained.lam).toEqual([[]]);
    expect(unconstrained.nu).toEqual([[]]);
    const d = unconstrained.vjp([1, 0]);
    expect(Object.keys(d).sort()).toEqual(["Q", "q"]);
  });

  it.each([
    [
      { Q: [[1]], q: [[1], [2]], h: [[0], [0], [0]], G: [[1]] },
      /batch sizes disagree: q has 2 members, h has 3/,
    ],
    [
      {
        Q: [
          [1, 0],
          [0, 1],
        ],
        q: [1, 2, 3],
      },
      /q is 3×1, expected 2×1/,
    ],
    [{ Q: [[1, 0], [0]], q: [1, 2] }, /Q row 1 has 1 entries, expected 2/],
    [{ Q: [[1]], q: [Number.NaN] }, /q has a non-finite value \(NaN\) at entry 0/],
    [
      { Q: [[1]], q: [[0], [1]], G: [[[1]], [[Infinity]]], h: [0] },
      /G of member 1 has a non-finite value \(Infinity\) at row 0, column 0/,
    ],
    [{ Q: [[1]], q: [0], A: [[1]] }, /A and b must be given together/],
    [{ Q: [[1]], q: [0], G: [[1, 2]], h: [0] }, /G is 1×2, expected 1×1/],
    [{ Q: new Float64Array(5), q: new Float64Array(2) }, /cannot infer the sizes of Q and q/],
  ])("rejects bad input with a message naming the argument (%#)", (args, message) => {
    expect(() => solveQP(args as Parameters<typeof solveQP>[0])).toThrow(message);
  });

  it("rejects an upstream gradient of the wrong shape", () => {
    const r = solveQP({ Q: [[1]], q: [[0], [1]] });
    expect(() => r.vjp([1])).toThrow(/only allowed for a batch of one/);
    expect(() => r.vjp([[1], [2], [3]])).toThrow(/dz has 3 rows, expected 2/);
    expect(() => r.vjp(new Float64Array(3))).toThrow(/dz has 3 entries/);
  });
});
