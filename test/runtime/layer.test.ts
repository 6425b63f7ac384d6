import { describe, expect, it } from "vitest";
import { Layer, compile } from "../../src/runtime/index.js";
import { solutionOf } from "../../src/runtime/layer.js";
import { prepareProblem } from "../../src/runtime/problem.js";
import { simplexProjection } from "./helpers/examples.js";
import { seededRandom, vector } from "./helpers/random.js";
import { simplexCanon } from "./helpers/simplex-canon.js";

const n = 5;
const layer = new Layer(simplexCanon(n));
const rand = seededRandom(3);
const xs = Array.from({ length: 4 }, () => vector(rand, n));
const sumSquaredDistance = (z: number[], x: number[]) =>
  z.reduce((s, v, i) => s + (v - x[i]) ** 2, 0);

describe("a Layer built from a hand-written CanonicalQP", () => {
  it("solves a batch to the sorting closed form of the simplex projection", () => {
    const out = layer.solve({ x: xs });
    expect(out.batch).toBe(4);
    expect(out.status).toEqual(["solved", "solved", "solved", "solved"]);
    out.variables.z.forEach((z, b) => {
      const expected = simplexProjection(xs[b]);
      (z as number[]).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-7));
    });
  });

  it("reports the user's objective with its constant part, and negated for maximize", () => {
    const out = layer.solve({ x: xs });
    out.objective.forEach((value, b) => {
      expect(value).toBeCloseTo(sumSquaredDistance(out.variables.z[b] as number[], xs[b]), 8);
    });
    const maximized = new Layer(simplexCanon(n, "maximize")).solve({ x: xs });
    maximized.objective.forEach((value, b) => expect(value).toBeCloseTo(-out.objective[b], 8));
  });

  it("returns duals per source constraint in the constraint's shape, satisfying stationarity", () => {
    const out = layer.solve({ x: [xs[0]] });
    const [bounds, sum] = out.duals;
    expect(bounds).toMatchObject({ text: "z >= 0", line: 7, column: 1, relation: ">=" });
    expect(sum).toMatchObject({ text: "1'z = 1", line: 8, column: 1, relation: "==" });
    const lam = bounds.values[0] as number[];
    const nu = sum.values[0] as number;
    const z = out.variables.z[0] as number[];
    // 2(z − x) + ν·1 − λ = 0 (G = −I), λ ≥ 0
    z.forEach((zi, i) => expect(2 * (zi - xs[0][i]) + nu - lam[i]).toBeCloseTo(0, 7));
    lam.forEach((l) => expect(l).toBeGreaterThanOrEqual(0));
  });

  it("returns a parameter's gradient as the closed-form Jacobian of the projection applied to it", () => {
    // On the support S of z, dz/dx = I − 11'/|S| (restricted to S), zero elsewhere.
    const x = xs[1];
    const out = layer.solve({ x });
    const w = vector(rand, n);
    const g = layer.vjp(out, { z: [w] }).x as number[];
    const z = out.variables.z[0] as number[];
    const support = z.map((v) => v > 1e-9);
    const size = support.filter(Boolean).length;
    const mean = w.reduce((s, v, i) => s + (support[i] ? v : 0), 0) / size;
    g.forEach((gi, i) => expect(gi).toBeCloseTo(support[i] ? w[i] - mean : 0, 7));
  });

  it("warm-starts from a previous output or from the last solve, to the same answer", () => {
    const cold = layer.solve({ x: xs });
    const fromOutput = layer.solve({ x: xs }, { warmStart: cold });
    const fromLast = layer.solve({ x: xs }, { warmStart: true });
    for (const warm of [fromOutput, fromLast]) {
      expect(warm.status).toEqual(cold.status);
      warm.variables.z
        .flat()
        .forEach((v, i) => expect(v).toBeCloseTo(cold.variables.z.flat()[i] as number, 7));
    }
  });

  it("rejects vjp of an output that another layer produced", () => {
    const other = new Layer(simplexCanon(n));
    const out = other.solve({ x: xs[0] });
    expect(() => layer.vjp(out, { z: [xs[0]] })).toThrow(/output returned by this layer's solve/);
  });

  it("describes its parameters and outputs", () => {
    expect(layer.parameters).toEqual([{ name: "x", shape: [n] }]);
    expect(layer.outputs).toEqual([{ name: "z", shape: [n] }]);
  });

  it("sums the duals of a bounded piecewise linear atom's pieces per entry", () => {
    // min ||z − x||² s.t. |z| ≤ 1: z = clamp(x), and the multiplier of entry i is 2|x_i − z_i|.
    const clamp = compile(
      "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. abs(z) <= 1\n",
    );
    const out = clamp.solve({ x: [2, 0.5, -3] });
    expect(out.status).toEqual(["solved"]);
    const [bound] = out.duals;
    expect(bound.relation).toBe("<=");
    (bound.values[0] as number[]).forEach((v, i) => expect(v).toBeCloseTo([2, 0, 4][i], 6));
  });

  it("treats parameters named like Object.prototype members as plain names", () => {
    const layer = compile(
      "parameter constructor\nparameter toString\nvariable z\nminimize (z - constructor)^2 + (z - toString)^2",
    );
    const out = layer.solve(
      JSON.parse('{"constructor": 2, "toString": 4}') as { constructor: number },
    );
    expect(out.variables.z[0]).toBeCloseTo(3, 7);
    const g = layer.vjp(out, { z: [1] });
    expect(Object.keys(g)).toEqual(["constructor", "toString"]);
    expect(g.constructor).toBeCloseTo(0.5, 7);
    expect(() => layer.solve({ toString: 1 })).toThrow(/missing value for parameter constructor/);
  });

  it("solves with either kernel implementation to the same answer", () => {
    const wasm = layer.solve({ x: xs }, { kernels: "wasm" });
    const typescript = layer.solve({ x: xs }, { kernels: "typescript" });
    wasm.variables.z
      .flat()
      .forEach((v, i) => expect(v).toBeCloseTo(typescript.variables.z.flat()[i] as number, 8));
  });
});

describe("the structure option", () => {
  const tv = compile(
    `dim n = 30
constant D = diff(n)
parameter x[n]
parameter lam nonneg
variable z[n]
minimize 1/2 ||z - x||^2 + lam * ||D z||_1
subject to
  z >= 0`,
  );
  const random = seededRandom(11);
  const signals = Array.from({ length: 6 }, () =>
    vector(random, 30).map((v, i) => (i < 15 ? 3 : 1) + 0.3 * v),
  );

  it("solves the dense KKT system when false, to the structured solve's answer and gradients", () => {
    const structured = tv.solve({ x: signals, lam: 0.5 });
    const dense = tv.solve({ x: signals, lam: 0.5 }, { structure: false });
    expect(Math.max(...solutionOf(structured)!.eliminatedColumns!)).toBeGreaterThan(0);
    expect(Math.max(...solutionOf(dense)!.eliminatedColumns!)).toBe(0);
    const zs = structured.variables.z.flat() as number[];
    (dense.variables.z.flat() as number[]).forEach((v, i) => expect(v).toBeCloseTo(zs[i]!, 6));
    const upstream = { z: signals.map((s) => s.map((_, i) => Math.sin(i))) };
    const gs = tv.vjp(structured, upstream);
    const gd = tv.vjp(dense, upstream);
    expect(gd.lam as number).toBeCloseTo(gs.lam as number, 5);
    const gx = (gs.x as number[][]).flat();
    (gd.x as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(gx[i]!, 5));
  });
});

describe("the structure a compiled layer states to the solver", () => {
  it("lists the columns the compiler added, and none where it added none", () => {
    const tv = compile(
      "dim n = 5\nconstant D = diff(n)\nparameter y[n]\nvariable x[n]\nminimize 1/2 ||x - y||^2 + 2 * ||D x||_1",
    );
    const aux = tv.canonical.auxiliaries;
    expect(aux.map((a) => [a.atom, a.column, a.size])).toEqual([["norm1", 5, 4]]);
    const stated = prepareProblem(tv.canonical).structure.auxiliaryColumns;
    expect(Array.from(stated!)).toEqual([5, 6, 7, 8]);
    const plain = compile("parameter y[3]\nvariable x[3]\nminimize sum_squares(x - y) s.t. x >= 0");
    expect(Array.from(prepareProblem(plain.canonical).structure.auxiliaryColumns!)).toEqual([]);
  });
});
