import { describe, expect, it } from "vitest";
import { compile, solveQP } from "../../src/index.js";
import { allFinite } from "./helpers.js";

/**
 * Members of a batch that cannot be solved each get their own status; the other members get the
 * same answer as when solved alone; gradients of a failed member are zero, never NaN.
 */

const STATUSES = ["solved", "infeasible", "unbounded", "max_iterations", "numerical_error"];
const I2 = [
  [1, 0],
  [0, 1],
];

/** minimize 1/2 z'Qz + q'z s.t. Gz <= h: one problem of each kind, with what it must give. */
const members = [
  // -1 <= z0 <= 1, z1 <= 1 with the unconstrained minimum -q = (-0.5, -0.5) inside.
  {
    name: "an ordinary QP",
    Q: I2,
    q: [0.5, 0.5],
    G: [
      [1, 0],
      [-1, 0],
      [0, 1],
    ],
    h: [1, 1, 1],
  },
  // z0 <= -1 and z0 >= 1.
  {
    name: "an infeasible QP",
    Q: I2,
    q: [0, 0],
    G: [
      [1, 0],
      [-1, 0],
      [0, 1],
    ],
    h: [-1, -1, 1],
  },
  // Q = 0 and q = (-1, 0): z0 free to +∞.
  {
    name: "an unbounded QP",
    Q: [
      [0, 0],
      [0, 0],
    ],
    q: [-1, 0],
    G: [
      [0, 1],
      [0, -1],
      [0, 1],
    ],
    h: [1, 1, 1],
  },
  // The unconstrained minimum (1, 1) lies on all three constraints with zero multipliers.
  {
    name: "a degenerate QP",
    Q: I2,
    q: [-1, -1],
    G: [
      [1, 0],
      [0, 1],
      [1, 1],
    ],
    h: [1, 1, 2],
  },
];
const expected: Record<string, number[] | null> = {
  "an ordinary QP": [-0.5, -0.5],
  "a degenerate QP": [1, 1],
};

describe("solveQP: a batch with failing members", () => {
  const r = solveQP({
    Q: members.map((m) => m.Q),
    q: members.map((m) => m.q),
    G: members.map((m) => m.G),
    h: members.map((m) => m.h),
  });

  it("gives each member its own status", () => {
    expect(r.status).toEqual(["solved", "infeasible", "unbounded", "solved"]);
  });

  it("solves the other members as if alone", () => {
    members.forEach((m, b) => {
      const z = expected[m.name];
      if (z === undefined) return;
      const alone = solveQP({ Q: m.Q, q: m.q, G: m.G, h: m.h });
      expect(alone.status).toEqual(["solved"]);
      r.z[b]!.forEach((v, j) => {
        expect(v).toBeCloseTo(alone.z[0]![j]!, 9);
        // A degenerate optimum is reached to about the square root of the tolerance.
        expect(v).toBeCloseTo(z![j]!, 4);
      });
    });
  });

  it("returns finite numbers everywhere, and zero gradients for the failed members", () => {
    expect(allFinite([r.z, r.lam, r.nu, r.s])).toBe(true);
    const g = r.vjp(members.map(() => [1, -1]));
    expect(allFinite(g)).toBe(true);
    for (const b of [1, 2]) {
      for (const key of ["Q", "q", "G", "h"] as const) {
        const member = (g[key] as number[][] | number[][][])[b]!;
        expect([member].flat(2).every((v) => v === 0)).toBe(true);
      }
    }
    // The ordinary member's q-gradient: z = -q inside the box, so dℓ/dq = -(1, -1).
    expect((g.q as number[][])[0]![0]).toBeCloseTo(-1, 6);
    expect((g.q as number[][])[0]![1]).toBeCloseTo(1, 6);
  });
});

describe("solveQP: ill-conditioned objectives", () => {
  it.each([1e4, 1e6, 1e8, 1e10, 1e12])(
    "Q = diag(%d, 1): solved to the closed form, or a status that says it was not",
    (k) => {
      // Constraints far from the minimum z = (-1/k, -1).
      const r = solveQP({
        Q: [
          [k, 0],
          [0, 1],
        ],
        q: [1, 1],
        G: I2,
        h: [10, 10],
      });
      expect(STATUSES).toContain(r.status[0]);
      expect(allFinite([r.z, r.lam])).toBe(true);
      if (r.status[0] === "solved") {
        expect(r.z[0]![0]).toBeCloseTo(-1 / k, 9);
        expect(r.z[0]![1]).toBeCloseTo(-1, 6);
      }
      expect(allFinite(r.vjp([1, 1]))).toBe(true);
    },
  );

  it("a batch mixing condition numbers 1 to 1e12 leaves the well-conditioned members exact", () => {
    const ks = [1, 1e12, 1e3];
    const r = solveQP({
      Q: ks.map((k) => [
        [k, 0],
        [0, 1],
      ]),
      q: [1, 1],
      G: I2,
      h: [10, 10],
    });
    for (const b of [0, 2]) {
      expect(r.status[b]).toBe("solved");
      expect(r.z[b]![0]).toBeCloseTo(-1 / ks[b]!, 9);
      expect(r.z[b]![1]).toBeCloseTo(-1, 9);
    }
    expect(STATUSES).toContain(r.status[1]);
  });
});

describe("a layer with failing members", () => {
  const clash = compile("parameter c\nvariable z\nminimize z^2\ns.t. z >= c, z <= 1");

  it("marks the infeasible member, solves the others as alone, and gives it zero gradient", () => {
    const out = clash.solve({ c: [0.5, 2, -3] });
    expect(out.status).toEqual(["solved", "infeasible", "solved"]);
    expect(allFinite(out.variables)).toBe(true);
    expect(Number.isFinite(out.objective[1])).toBe(false);
    // z = max(c, 0) on [c, 1].
    expect(out.variables.z![0]).toBeCloseTo(0.5, 8);
    expect(out.variables.z![2]).toBeCloseTo(0, 8);
    expect(out.variables.z![0]).toBe(clash.solve({ c: 0.5 }).variables.z![0]);
    const g = clash.vjp(out, { z: [1, 1, 1] });
    // dz/dc = 1 where the bound z >= c is active, 0 where it is not, 0 for the failed member.
    expect(g.c).toEqual([expect.closeTo(1, 6), 0, expect.closeTo(0, 6)]);
  });

  it("marks an unbounded member and keeps its gradient at zero", () => {
    const layer = compile("parameter c[2]\nvariable z[2]\nminimize z[0]^2 + c'z\ns.t. z[1] >= 0");
    const out = layer.solve({
      c: [
        [0, 1],
        [0, -1],
        [1, 1],
      ],
    });
    expect(out.status).toEqual(["solved", "unbounded", "solved"]);
    expect(out.objective[1]).toBe(-Infinity);
    // z0 = -c0/2, z1 = 0.
    expect(out.variables.z![2]).toEqual([expect.closeTo(-0.5, 8), expect.closeTo(0, 8)]);
    const g = layer.vjp(out, {
      z: [
        [1, 1],
        [1, 1],
        [1, 1],
      ],
    }).c as number[][];
    expect(g[1]).toEqual([0, 0]);
    expect(g[2]![0]).toBeCloseTo(-0.5, 6);
    expect(allFinite(g)).toBe(true);
  });

  it("an ill-conditioned member (k = 1e12) gets its status without disturbing the others", () => {
    const layer = compile(
      "parameter k nonneg\nvariable z[2]\nminimize k * z[0]^2 + z[1]^2 + sum(z)",
    );
    const out = layer.solve({ k: [1, 1e12, 100] });
    expect(allFinite(out.variables)).toBe(true);
    for (const b of [0, 2]) {
      const k = [1, 1e12, 100][b]!;
      expect(out.status[b]).toBe("solved");
      // Minimum of k z0² + z1² + z0 + z1: z = (-1/(2k), -1/2).
      expect(out.variables.z![b]).toEqual([
        expect.closeTo(-1 / (2 * k), 9),
        expect.closeTo(-0.5, 9),
      ]);
    }
    expect(STATUSES).toContain(out.status[1]);
    if (out.status[1] === "solved")
      expect((out.variables.z![1] as number[])[1]).toBeCloseTo(-0.5, 6);
    expect(
      allFinite(
        layer.vjp(out, {
          z: [
            [1, 1],
            [1, 1],
            [1, 1],
          ],
        }),
      ),
    ).toBe(true);
  });

  it("a degenerate member (a simplex vertex: active bounds with zero multipliers) is solved", () => {
    const simplex = compile(
      "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0, 1'z = 1",
    );
    const out = simplex.solve({
      x: [
        [1, 0, 0],
        [0.2, 0.5, 0.9],
      ],
    });
    expect(out.status).toEqual(["solved", "solved"]);
    // The projection of a point of the simplex is itself.
    (out.variables.z![0] as number[]).forEach((v, i) => expect(v).toBeCloseTo([1, 0, 0][i]!, 4));
    expect(out.variables.z![1]).toEqual(simplex.solve({ x: [0.2, 0.5, 0.9] }).variables.z![0]);
    const g = simplex.vjp(out, {
      z: [
        [1, -1, 0],
        [1, -1, 0],
      ],
    });
    expect(allFinite(g)).toBe(true);
  });
});
