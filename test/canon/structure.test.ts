import { describe, expect, it } from "vitest";
import {
  canonicalize,
  compileToCanonical,
  evaluateObjective,
  instantiate,
} from "../../src/canon/index.js";
import { parse } from "../../src/dsl/index.js";
import { compile, readExample } from "./helpers/compile.js";

describe("the canonical form of the simplex projection", () => {
  const { canon } = compile(readExample("simplex.qp"));
  const x = [0.2, 0.5, 0.9];
  const qp = instantiate(canon, Float64Array.from(x));

  it("has Q = 2I, q = -2x, A = [1 1 1], b = 1, G = -I (bounds), h = 0", () => {
    expect([canon.n, canon.m, canon.p]).toEqual([3, 1, 3]);
    expect([...qp.Q]).toEqual([2, 0, 0, 0, 2, 0, 0, 0, 2]);
    expect([...qp.q]).toEqual(x.map((v) => -2 * v));
    expect([...qp.A]).toEqual([1, 1, 1]);
    expect([...qp.b]).toEqual([1]);
    expect([...qp.G]).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, -1]);
    expect([...qp.h]).toEqual([0, 0, 0]);
  });

  it("records where each row came from", () => {
    expect(canon.inequalityRows).toMatchObject([
      {
        start: 0,
        count: 3,
        origin: "constraint",
        constraint: 0,
        text: "z >= 0",
        structure: "bound",
        dependsOn: [],
      },
    ]);
    expect(canon.equalityRows).toMatchObject([
      {
        start: 0,
        count: 1,
        origin: "constraint",
        constraint: 1,
        text: "1'z = 1",
        structure: "general",
      },
    ]);
    expect(canon.constraints).toMatchObject([
      { text: "z >= 0", relation: ">=", shape: [3], equality: false, start: 0, count: 3 },
      { text: "1'z = 1", relation: "==", shape: [], equality: true, start: 0, count: 1 },
    ]);
    expect(canon.inequalityRows[0].span.line).toBe(7);
  });

  it("keeps x'x in the objective offset so the objective is the user's", () => {
    const z = Float64Array.from([0.1, 0.3, 0.6]);
    const direct = z.reduce((s, zi, i) => s + (zi - x[i]) ** 2, 0);
    expect(evaluateObjective(canon, Float64Array.from(x), z)).toBeCloseTo(direct, 14);
    expect(canon.objective.terms).toMatchObject([{ text: "||z - x||^2", dependsOn: ["x"] }]);
  });
});

describe("total variation denoising", () => {
  const { canon } = compile(readExample("tv-denoise.qp"));

  it("puts z first and the 99 auxiliaries of ||D z||_1 after it", () => {
    expect(canon.n).toBe(199);
    expect(canon.variables).toMatchObject([
      { name: "z", shape: [100], column: 0, size: 100, output: true },
    ]);
    expect(canon.auxiliaries).toMatchObject([
      { column: 100, size: 99, atom: "norm1", text: "||D z||_1" },
    ]);
  });

  it("bounds each auxiliary by ±(D z)_i in rows of the atom, with lam on the auxiliaries in q", () => {
    expect([canon.m, canon.p]).toEqual([0, 198]);
    expect(canon.inequalityRows).toMatchObject([
      {
        start: 0,
        count: 198,
        origin: "atom",
        atom: "norm1",
        constraint: null,
        structure: "general",
      },
    ]);
    const theta = new Float64Array(101).map((_, i) => i / 10);
    const lam = theta[100];
    const qp = instantiate(canon, theta);
    expect([...qp.q.slice(0, 100)]).toEqual([...theta.slice(0, 100)].map((v) => 0 - v));
    expect([...qp.q.slice(100)]).toEqual(new Array(99).fill(lam));
    // row 0: (D z)_0 − t_0 <= 0, i.e. z_0 − z_1 − t_0 <= 0
    const row0 = [...qp.G.slice(0, 199)];
    expect(row0.filter((v) => v !== 0)).toEqual([1, -1, -1]);
    expect([row0[0], row0[1], row0[100]]).toEqual([1, -1, -1]);
    expect(canon.q.terms.param.filter((p) => p === 100)).toHaveLength(99);
  });
});

describe("row structure", () => {
  const HEAD =
    "dim n = 3\nparameter x[n]\nparameter A[n, n]\nvariable z[n]\nminimize ||z||^2\ns.t. ";
  it.each([
    ["z >= 0", ["bound"]],
    ["0 <= z <= 1", ["bound", "bound"]],
    ["z[1] <= 4", ["bound"]],
    ["z >= x", ["bound"]],
    ["2 z >= 0", ["general"]],
    ["A z <= 1", ["general"]],
    ["z[0] + z[1] <= 1", ["general"]],
  ])("tags `%s` as %j", (constraint, structures) => {
    const { canon } = compile(HEAD + constraint);
    expect(canon.inequalityRows.map((r) => r.structure)).toEqual(structures);
  });

  it("tags an equality that fixes a contiguous run of variables as identity", () => {
    const { canon } = compile(HEAD + "z[0:2] == x[0:2]");
    expect(canon.equalityRows).toMatchObject([
      { count: 2, structure: "identity", dependsOn: ["x"] },
    ]);
  });

  it("lowers abs(e) <= t directly, without auxiliaries", () => {
    const { canon } = compile(HEAD + "abs(z - x) <= 1");
    expect(canon.auxiliaries).toEqual([]);
    expect(canon.constraints).toMatchObject([{ text: "abs(z - x) <= 1", shape: [3], count: 6 }]);
    expect(canon.inequalityRows).toMatchObject([
      { origin: "constraint", count: 6, dependsOn: ["x"] },
    ]);
  });

  it("records which parameters each block of rows depends on", () => {
    const { canon } = compile(HEAD + "A z <= 1\n  z >= x");
    expect(canon.inequalityRows.map((r) => r.dependsOn)).toEqual([["A"], ["x"]]);
  });
});

describe("names, dims and outputs", () => {
  it("applies dims overrides", () => {
    const { canon } = compile(readExample("simplex.qp"), { n: 5 });
    expect(canon.dims).toEqual({ n: 5 });
    expect([canon.n, canon.p, canon.parameterSize]).toEqual([5, 5, 5]);
  });

  it("takes a dim without a default from the options", () => {
    const { canon } = compile("dim n\ndim m = 2*n+1\nvariable z[m]\nminimize ||z||^2", { n: 2 });
    expect(canon.dims).toEqual({ n: 2, m: 5 });
    expect(canon.n).toBe(5);
  });

  it("treats names such as constructor and toString as plain names", () => {
    const { canon } = compile(
      "dim constructor = 2\nparameter toString[constructor]\nvariable hasOwnProperty[constructor]\nminimize toString'hasOwnProperty + ||hasOwnProperty||^2",
    );
    expect(canon.parameters.map((p) => p.name)).toEqual(["toString"]);
    expect(canon.variables.map((v) => v.name)).toEqual(["hasOwnProperty"]);
    expect(canon.dims).toEqual({ constructor: 2 });
  });

  it("lays out parameters in θ and variables in z in declaration order", () => {
    const { canon } = compile(
      "dim n = 2\nparameter a[n, 3]\nparameter b nonneg\nparameter P[n, n] psd\nvariable u[3]\nvariable V[n, 3]\nvariable t\noutput V, t\nminimize b*||V - a||^2 + ||u||^2 + t^2 + quad_form(V[:, 0], P)",
    );
    expect(canon.parameters.map((p) => [p.name, p.offset, p.size, p.nonneg, p.psd])).toEqual([
      ["a", 0, 6, false, false],
      ["b", 6, 1, true, false],
      ["P", 7, 4, false, true],
    ]);
    expect(canon.parameterSize).toBe(11);
    expect(canon.variables.map((v) => [v.name, v.column, v.size, v.output])).toEqual([
      ["u", 0, 3, false],
      ["V", 3, 6, true],
      ["t", 9, 1, true],
    ]);
  });
});

describe("shapes", () => {
  const HEAD = "dim n = 3\nparameter x[n]\nparameter M[2, n]\nvariable z[n]\nvariable s\n";
  it.each([
    ["1'z is the sum of z", "minimize 1'z", [1, 1, 1]],
    ["2 z sums with a scalar broadcast", "minimize 1'(2 z + 1)", [2, 2, 2]],
    ["x'z is a scalar", "minimize x'z", [0.5, -1, 2]],
    ["a row times a matrix", "minimize (1' M) z", [2, 2, 2]],
    ["z[1:n] is a slice", "minimize sum(z[1:n])", [0, 1, 1]],
    ["M[1, :] is a row", "minimize M[1, :] z", [1, 1, 1]],
  ])("%s", (_what, tail, q) => {
    const { canon } = compile(HEAD + tail);
    const theta = Float64Array.from([0.5, -1, 2, 1, 1, 1, 1, 1, 1]);
    expect([...instantiate(canon, theta).q.slice(0, 3)]).toEqual(q);
  });

  it("broadcasts a scalar side of a constraint against a vector", () => {
    const { canon } = compile(HEAD + "minimize ||z||^2\ns.t. s <= x");
    expect(canon.constraints).toMatchObject([{ shape: [3], count: 3 }]);
  });

  it("splits a chain into one source constraint per link", () => {
    const { canon } = compile(HEAD + "minimize ||z||^2\ns.t. 0 <= z <= x, s == 1");
    expect(canon.constraints.map((c) => [c.text, c.relation, c.equality])).toEqual([
      ["0 <= z", "<=", false],
      ["z <= x", "<=", false],
      ["s == 1", "==", true],
    ]);
  });

  it("rejects a matrix product with mismatched inner sizes, printing both shapes", () => {
    expect(() => compile(HEAD + "minimize sum(M M)")).toThrow("matrix [2×3] and matrix [2×3]");
  });
});

describe("instantiate", () => {
  it("refuses a θ of the wrong length", () => {
    const { canon } = compile(readExample("simplex.qp"));
    expect(() => instantiate(canon, new Float64Array(2))).toThrow("expected 3");
  });

  it("gives the user's (maximized) objective with evaluateObjective", () => {
    const { canon } = compile(
      "dim n = 2\nparameter mu[n]\nvariable w[n]\nmaximize mu'w - ||w||^2 + 1",
    );
    const theta = Float64Array.from([1, 2]);
    const w = Float64Array.from([0.5, -0.25]);
    const expected = 1 * 0.5 + 2 * -0.25 - (0.25 + 0.0625) + 1;
    expect(evaluateObjective(canon, theta, w)).toBeCloseTo(expected, 14);
  });
});

describe("entry points", () => {
  it("canonicalizes a parsed program the same as compiling its text", () => {
    const source = readExample("lasso.qp");
    const fromText = compileToCanonical(source, { dims: { n: 3 }, file: "lasso.qp" });
    const fromAst = canonicalize(parse(source, "lasso.qp"), source, {
      dims: { n: 3 },
      file: "lasso.qp",
    });
    expect(fromAst).toEqual(fromText);
    expect(fromText.file).toBe("lasso.qp");
  });

  it("names the file in its errors", () => {
    expect(() => compileToCanonical("variable z\nmaximize z^2", { file: "bad.qp" })).toThrow(
      /^bad\.qp:2:10: error: non-convex objective/,
    );
  });
});
