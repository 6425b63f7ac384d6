/**
 * Rows of A and G that are zero, or near zero, with b and h at rounding level (what a caller's
 * arithmetic leaves behind), of either sign: feasible within tolerance, never a certificate of
 * infeasibility at the first iteration; and the same rows with a real right-hand side stay
 * infeasible.
 */
import { describe, expect, it } from "vitest";
import { solveQP } from "../../src/solver/index.js";

// min ½‖z‖² − z₁ − z₂ (z = (1, 1) unconstrained) with z₁ ≤ ½, plus the row under test
const base = {
  Q: [
    [1, 0],
    [0, 1],
  ],
  q: [-1, -1],
};

describe("zero and near-zero rows with right-hand sides at rounding level", () => {
  it.each([-1e-17, 1e-17, -1e-300, 0])("a zero row of G with h = %s is feasible", (h) => {
    const r = solveQP({
      ...base,
      G: [
        [0, 0],
        [1, 0],
      ],
      h: [h, 0.5],
    });
    expect(r.status).toEqual(["solved"]);
    expect(r.z[0]![0]).toBeCloseTo(0.5, 9);
    expect(r.z[0]![1]).toBeCloseTo(1, 9);
  });

  it.each([-1e-17, 1e-17])("a zero row of A with b = %s is feasible", (b) => {
    const r = solveQP({
      ...base,
      A: [
        [0, 0],
        [1, 1],
      ],
      b: [b, 1],
    });
    expect(r.status).toEqual(["solved"]);
    expect(r.z[0]![0]).toBeCloseTo(0.5, 9);
    expect(r.z[0]![1]).toBeCloseTo(0.5, 9);
  });

  it("a near-zero row of G states its bound: 1e-17·z₁ ≤ −1e-17 is z₁ ≤ −1", () => {
    const r = solveQP({
      ...base,
      G: [
        [1e-17, 0],
        [1, 0],
      ],
      h: [-1e-17, 0.5],
    });
    expect(r.status).toEqual(["solved"]);
    expect(r.z[0]![0]).toBeCloseTo(-1, 9);
    expect(r.z[0]![1]).toBeCloseTo(1, 9);
  });

  it("a near-zero row of A with b at rounding level holds within tolerance", () => {
    const r = solveQP({
      ...base,
      A: [
        [1e-17, 0],
        [1, 1],
      ],
      b: [1e-17, 1],
    });
    expect(r.status).toEqual(["solved"]);
    expect(Math.abs(1e-17 * r.z[0]![0]! - 1e-17)).toBeLessThan(1e-15);
    expect(r.z[0]![0]! + r.z[0]![1]!).toBeCloseTo(1, 9);
  });

  it("the same rows with a real right-hand side are infeasible", () => {
    expect(
      solveQP({
        ...base,
        G: [
          [0, 0],
          [1, 0],
        ],
        h: [-1, 0.5],
      }).status,
    ).toEqual(["infeasible"]);
    expect(
      solveQP({
        ...base,
        A: [
          [0, 0],
          [1, 1],
        ],
        b: [1, 1],
      }).status,
    ).toEqual(["infeasible"]);
  });
});
