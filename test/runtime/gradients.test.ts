import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/runtime/index.js";
import { EXAMPLES_DIR, EXAMPLE_PARAMS, exampleSource } from "./helpers/examples.js";
import {
  TIGHT,
  along,
  finiteDifferences,
  probes,
  weightedSum,
} from "./helpers/finite-differences.js";
import { seededRandom, vector } from "./helpers/random.js";

const files = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".qp"))
  .sort();

describe.each(files)("gradients of examples/%s", (file) => {
  it("match central finite differences of solve for every parameter", () => {
    const layer = compile(exampleSource(file), { file });
    const params = EXAMPLE_PARAMS[file](3);
    const rand = seededRandom(11);
    const weights = Object.fromEntries(
      layer.outputs.map((o) => [
        o.name,
        vector(
          rand,
          o.shape.reduce((a, b) => a * b, 1),
        ),
      ]),
    );
    const out = layer.solve(params, TIGHT);
    expect(out.status).toEqual(["solved"]);
    const upstream = Object.fromEntries(Object.entries(weights).map(([k, w]) => [k, [w]]));
    const gradients = layer.vjp(out, upstream);

    const list = probes(layer, 12, 5);
    const numeric = finiteDifferences(layer, params, weights, list);
    for (const p of layer.canonical.parameters) {
      const mine = list.flatMap((probe, k) => (probe.parameter === p.name ? [k] : []));
      const scale = Math.max(1, ...mine.map((k) => Math.abs(numeric[k])));
      const worst = Math.max(
        ...mine.map((k) => Math.abs(along(gradients[p.name], list[k]) - numeric[k])),
      );
      expect(worst, `parameter ${p.name}`).toBeLessThanOrEqual(1e-5 * scale);
    }
  });
});

describe("gradients of a batch", () => {
  const layer = compile(exampleSource("lasso.qp"), { file: "lasso.qp" });
  const one = EXAMPLE_PARAMS["lasso.qp"](1);
  const two = EXAMPLE_PARAMS["lasso.qp"](2);
  const params = { A: [one.A, two.A] as number[][][], y: [one.y, two.y] as number[][], lam: 0.7 };
  const rand = seededRandom(4);
  const w = [vector(rand, 5), vector(rand, 5)];

  it("has each parameter's shape: per member when batched, summed over the batch when shared", () => {
    const out = layer.solve(params, TIGHT);
    expect(out.status).toEqual(["solved", "solved"]);
    const g = layer.vjp(out, { z: w });
    expect(typeof g.lam).toBe("number");
    expect((g.A as number[][][]).length).toBe(2);
    expect((g.A as number[][][])[1].length).toBe(10);
    expect((g.y as number[][])[0].length).toBe(10);

    // d/dlam of Σ_b ⟨w_b, z_b⟩: the shared scalar's gradient is the sum over members.
    const step = 1e-6;
    const at = (lam: number) => {
      const o = layer.solve({ ...params, lam }, TIGHT);
      return o.variables.z.reduce<number>(
        (s, z, b) => s + (z as number[]).reduce((t, v, i) => t + v * w[b][i], 0),
        0,
      );
    };
    const numeric = (at(0.7 + step) - at(0.7 - step)) / (2 * step);
    expect(Math.abs((g.lam as number) - numeric)).toBeLessThanOrEqual(
      1e-5 * Math.max(1, Math.abs(numeric)),
    );

    // A batched parameter's gradient for member 1 is that of member 1's problem alone.
    const alone = layer.solve({ A: two.A, y: two.y, lam: 0.7 }, TIGHT);
    const gAlone = layer.vjp(alone, { z: [w[1]] });
    const diff = Math.max(
      ...(gAlone.A as number[][])
        .flat()
        .map((v, i) => Math.abs(v - (g.A as number[][][])[1].flat()[i])),
    );
    expect(diff).toBeLessThan(1e-9);
  });

  it("returns typed arrays for parameters given as typed arrays", () => {
    const out = layer.solve(
      { ...params, y: Float64Array.from((params.y as number[][]).flat()) },
      TIGHT,
    );
    const g = layer.vjp(out, { z: w });
    expect(g.y).toBeInstanceOf(Float64Array);
    expect((g.y as Float64Array).length).toBe(20);
  });

  it("treats a missing output variable's upstream gradient as zero", () => {
    const out = layer.solve(params, TIGHT);
    const g = layer.vjp(out, {});
    expect(g.lam).toBe(0);
    expect((g.A as number[][][]).flat(2).every((v) => v === 0)).toBe(true);
  });

  it("rejects an upstream gradient for a variable that is not an output, with a suggestion", () => {
    const out = layer.solve(params, TIGHT);
    expect(() => layer.vjp(out, { zz: w })).toThrow(
      /"zz", which is not an output variable \(did you mean "z"\?\)/,
    );
    expect(() => layer.vjp(out, { z: [w[0]] })).toThrow(/expected a batch of 2/);
  });
});

const entries = (value: unknown): number[] =>
  value instanceof Float64Array ? Array.from(value) : ([value].flat(3) as number[]);

describe("gradients of a batch whose parameters are whole operands", () => {
  // In qp-dense.qp G and h are the QP's G and h: their batched gradient is the solver's own
  // array; it must still equal each member's gradient computed alone (finite-difference-checked
  // above for one member).
  const layer = compile(exampleSource("qp-dense.qp"), { file: "qp-dense.qp" });
  const members = [1, 2, 3].map((seed) => EXAMPLE_PARAMS["qp-dense.qp"](seed));
  const stack = (name: string) => members.map((m) => m[name]);
  const rand = seededRandom(8);
  const w = members.map(() => vector(rand, 10));

  it.each([
    ["nested arrays", (values: unknown[]) => values],
    [
      "typed arrays",
      (values: unknown[]) => Float64Array.from((values as number[][]).flat(2) as number[]),
    ],
  ])("equal each member's own gradients, given as %s", (_, form) => {
    const params = Object.fromEntries(
      ["Q", "q", "G", "h"].map((name) => [name, form(stack(name) as unknown[])]),
    );
    const out = layer.solve(params as never, TIGHT);
    expect(out.status).toEqual(["solved", "solved", "solved"]);
    const batched = layer.vjp(out, { z: w });
    members.forEach((member, b) => {
      const alone = layer.vjp(layer.solve(member, TIGHT), { z: [w[b]] });
      for (const name of ["Q", "q", "G", "h"]) {
        const size = name === "Q" || name === "G" ? 100 : 10;
        const slice = entries(batched[name]).slice(b * size, (b + 1) * size);
        const expected = entries(alone[name]);
        slice.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 9));
      }
    });
  });
});
