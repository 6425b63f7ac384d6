import { describe, expect, it } from "vitest";
import { equilibrate, unscaleIterate } from "../../src/solver/scaling.js";
import type { QPBatch } from "../../src/solver/index.js";

const operand = (values: number[]) => ({ data: Float64Array.from(values), shared: false });

/** A badly scaled QP: columns and rows 1e-3 … 1e5 apart, none of them powers of two. */
const badlyScaled: QPBatch = {
  batch: 1,
  n: 3,
  m: 1,
  p: 2,
  Q: operand([3e4, 7, 0, 7, 0.3, 0.01, 0, 0.01, 1.7e-3]),
  q: operand([1e3, -3, 0.7]),
  A: operand([1.3e2, 0.7, 3]),
  b: operand([11]),
  G: operand([0.1, 3e3, 0, 0, 0, -0.7]),
  h: operand([0.9, 2.1]),
};

describe("Ruiz equilibration in powers of two", () => {
  const { scaled, scaling } = equilibrate(badlyScaled);
  const isPowerOfTwo = (x: number) => Number.isInteger(Math.log2(x));

  it("chooses every factor D, E_A, E_G and c a power of two (but a bound row's 1/(|a|·D_j))", () => {
    expect(scaled).not.toBe(badlyScaled);
    // G's row 1, −0.7·z_2 ≤ 2.1, becomes exactly −e_2: its factor is 1/(0.7·D_2)
    expect(scaling.EG[1]).toBe(1 / (0.7 * scaling.D[2]));
    const factors = [...scaling.D, ...scaling.EA, scaling.EG[0], ...scaling.c];
    for (const f of factors) expect([f, isPowerOfTwo(f)]).toEqual([f, true]);
  });

  it("scales the data and unscales the point without rounding: undone, they are the caller's bits", () => {
    const { D, EA, EG, c } = scaling;
    const n = 3;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        expect(scaled.Q.data[i * n + j] / (c[0] * D[i] * D[j])).toBe(badlyScaled.Q.data[i * n + j]);
      }
      expect(scaled.q.data[i] / (c[0] * D[i])).toBe(badlyScaled.q.data[i]);
    }
    for (let j = 0; j < n; j++)
      expect(scaled.A.data[j] / (EA[0] * D[j])).toBe(badlyScaled.A.data[j]);
    // a point's z, s, lam, nu come back with the scaled solve's bits times the factors, exactly
    const z = Float64Array.from([0.1, 1 / 3, -2 / 7]);
    const s = Float64Array.from([1 / 3, 0]);
    // (lam and s of the bound row with its factor 1/(0.7·D_2) round; here they are 0)
    const lam = Float64Array.from([1 / 7, 0]);
    const nu = Float64Array.from([5 / 3]);
    const copies = [z, s, lam, nu].map((v) => v.slice());
    unscaleIterate(scaling, badlyScaled, z, s, lam, nu);
    unscaleIterate(
      {
        ...scaling,
        D: D.map((d) => 1 / d),
        EA: EA.map((e) => 1 / e),
        EG: EG.map((e) => 1 / e),
        c: c.map((x) => 1 / x),
      },
      badlyScaled,
      z,
      s,
      lam,
      nu,
    );
    expect([z, s, lam, nu]).toEqual(copies);
  });
});

describe("the right-hand sides after equilibration", () => {
  it("raises q̃, b̃, h̃ to ~1 where Ruiz leaves them small (all data ×1e-4)", () => {
    const small = (values: Float64Array) => ({ data: values.map((v) => v * 1e-4), shared: false });
    const { Q, q, A, b, G, h } = badlyScaled;
    const { scaled } = equilibrate({
      ...badlyScaled,
      Q: small(Q.data),
      q: small(q.data),
      A: small(A.data),
      b: small(b.data),
      G: small(G.data),
      h: small(h.data),
    });
    const largest = Math.max(
      ...[scaled.q, scaled.b, scaled.h].flatMap((o) => [...o.data].map(Math.abs)),
    );
    // α is a power of two: within a factor √2 of 1
    expect(largest).toBeGreaterThan(Math.SQRT1_2 - 1e-12);
    expect(largest).toBeLessThan(Math.SQRT2 + 1e-12);
  });
});
