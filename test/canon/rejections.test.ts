import { describe, expect, it } from "vitest";
import { diagnosticsOf, positionOf } from "./helpers/compile.js";

const HEAD = `dim n = 3
parameter x[n]
parameter lam
parameter P[n, n]
parameter A[n, n]
variable z[n]
`;

// [what, program tail, expected message fragment, text the error points at]
const REJECTIONS: [string, string, string, string][] = [
  [
    "a convex function bounded below",
    "minimize sum(z)\ns.t. abs(z) >= 1",
    "non-convex: a convex function can only be bounded above",
    "abs(z)",
  ],
  [
    "a concave function bounded above",
    "minimize sum(z)\ns.t. min(z) <= 0",
    "a concave function can only be bounded below",
    "min(z)",
  ],
  [
    "a quadratic constraint",
    "minimize sum(z)\ns.t. z'z <= 1",
    "a QP allows only linear constraints",
    "z'z",
  ],
  [
    "a squared norm in a constraint",
    "minimize sum(z)\ns.t. 1 >= ||z||^2",
    "a QP allows only linear constraints",
    "||z||^2",
  ],
  [
    "maximizing a convex quadratic",
    "maximize ||z||^2",
    "non-convex objective: maximizing",
    "||z||^2",
  ],
  [
    "minimizing a concave expression",
    "minimize sum(-abs(z))",
    "non-convex objective: minimizing",
    "sum(-abs(z))",
  ],
  [
    "parameter × parameter",
    "minimize x'x + sum(z)",
    "compute the product outside the layer and pass it as one parameter",
    "x'x",
  ],
  [
    "parameter × parameter × variable",
    "minimize lam * (x'z)",
    "compute the product outside the layer",
    "lam * (x'z)",
  ],
  [
    "parameter × variable × variable",
    "minimize (x .* z)' z",
    "parameter × variable × variable",
    "(x .* z)' z",
  ],
  [
    "a parameter of unknown sign times a convex quadratic",
    "minimize lam * ||z||^2",
    "declare `parameter lam nonneg`",
    "lam * ||z||^2",
  ],
  ["quad_form with a parameter not declared psd", "minimize quad_form(z, P)", "add `psd`", "P)"],
  ["e' P e with a parameter not declared psd", "minimize z' P z", "add `psd`", "P z"],
  ["the unsquared 2-norm", "minimize ||z - x||", "not QP-representable", "||z - x||"],
  [
    "division by a variable",
    "minimize sum(z / z[0])",
    "division by an expression with variables",
    "z[0]",
  ],
  ["division by zero", "minimize sum(z / 0)", "division by zero", "0)"],
  [
    "a non-finite constant",
    "minimize sum(z) + 1e200 * 1e200",
    "not a finite number",
    "1e200 * 1e200",
  ],
  ["an exponent other than 2", "minimize sum(z^3)", "only `^2` is allowed", "3)"],
  [
    "a shape mismatch",
    "minimize sum(z + ones(4))",
    "vector [3] but `ones(4)` is a vector [4]",
    "z + ones(4)",
  ],
  ["a slice out of bounds", "minimize sum(z[1:4])", "out of bounds", "1:4"],
  ["an index out of bounds", "minimize z[3]", "out of bounds", "3]"],
  ["a vector objective", "minimize abs(z)", "the objective must be a scalar", "abs(z)"],
  [
    "an equality with a convex side",
    "minimize sum(z)\ns.t. abs(z) == 1",
    "equality constraint needs affine expressions",
    "abs(z)",
  ],
  ["abs of a quadratic", "minimize sum(abs(square(z)))", "not QP-representable", "square(z)"],
  [
    "convex minus convex",
    "minimize sum(abs(z)) - sum(abs(z - 1))",
    "no known curvature",
    "sum(abs(z)) - sum(abs(z - 1))",
  ],
  [
    "an unknown function, with a suggestion",
    "minimize sum(sqaure(z))",
    "unknown function `sqaure`",
    "sqaure",
  ],
  [
    "a constraint without variables",
    "minimize sum(z)\ns.t. 1 <= 2",
    "involves no variable",
    "1 <= 2",
  ],
  [
    "a constraint whose variables cancel",
    "minimize sum(z)\ns.t. z - z <= 1",
    "this constraint involves no variable: its coefficients on the variables are all zero",
    "z - z <= 1",
  ],
  [
    "a constraint whose variables are multiplied by zero",
    "minimize sum(z)\ns.t. z >= 0, 0 z >= 1",
    "its coefficients on the variables are all zero",
    "0 z >= 1",
  ],
  [
    "a second objective",
    "minimize sum(z)\nmaximize sum(z)",
    "a second objective",
    "maximize sum(z)",
  ],
  [
    "a nonlinear function of a parameter",
    "minimize sum(z) + sum(abs(x))",
    "not affine in the parameters",
    "abs(x)",
  ],
  [
    "a non-constant huber threshold",
    "minimize sum(huber(z, lam))",
    "must be a numeric constant",
    "lam)",
  ],
];

describe("rejections", () => {
  it.each(REJECTIONS)("rejects %s and points at it", (_what, tail, message, pointsAt) => {
    const source = HEAD + tail;
    const diags = diagnosticsOf(source);
    expect(diags).toHaveLength(1);
    const [d] = diags;
    expect(`${d.message} ${d.hint ?? ""}`).toContain(message);
    expect({ line: d.span.line, column: d.span.column }).toEqual(
      positionOf(source, pointsAt, HEAD.length),
    );
  });

  it("suggests `Q z` for the unknown name `Qz` when Q and z exist", () => {
    const source = "dim n = 2\nparameter Q[n, n] psd\nvariable z[n]\nminimize 1'Qz";
    const [d] = diagnosticsOf(source);
    expect(d.message).toContain("unknown name `Qz`");
    expect(d.hint).toBe("did you mean `Q z`?");
    expect(d.span).toMatchObject(positionOf(source, "Qz"));
  });

  it("suggests the closest name for a misspelt one", () => {
    const [d] = diagnosticsOf("dim n = 2\nparameter weights[n]\nvariable z[n]\nminimize weigths'z");
    expect(d.hint).toBe("did you mean `weights`?");
  });

  it("reports every independent error of a file, in source order", () => {
    const source = HEAD + "minimize sum(z) + 2^2000\ns.t. abs(z) >= 1\n  z'z <= 1\n  y >= 0";
    const diags = diagnosticsOf(source);
    expect(diags.map((d) => d.span.line)).toEqual([7, 8, 9, 10]);
    expect(diags[3].message).toContain("unknown name `y`");
  });

  it("reports a missing objective", () => {
    const [d] = diagnosticsOf("variable z\ns.t. z >= 0");
    expect(d.message).toContain("no objective");
  });

  it("rejects an output that is not a variable", () => {
    const source =
      "dim n = 2\nparameter x[n]\nvariable zeta[n]\noutput zeta, x, zeat\nminimize ||zeta - x||^2";
    const diags = diagnosticsOf(source);
    expect(diags.map((d) => [d.message, d.hint])).toEqual([
      ["`x` is a parameter; only variables can be output", undefined],
      ["unknown variable `zeat` in output", "did you mean `zeta`?"],
    ]);
  });

  it("rejects a duplicate name and says where the first one is", () => {
    const source = "dim n = 2\nparameter x[n]\nvariable x[n]\nminimize sum(x)";
    const [d] = diagnosticsOf(source);
    expect(d.message).toBe("`x` is already declared as a parameter on line 2");
    expect(d.span).toMatchObject({ line: 3, column: 10 });
  });

  it("rejects a variable name used as a size", () => {
    const [d] = diagnosticsOf("dim n = 2\nvariable k[n]\nvariable z[k]\nminimize sum(z)");
    expect(d.message).toContain("`k` is a variable, not a dim");
    expect(d.span).toMatchObject({ line: 3, column: 12 });
  });

  it("rejects an unknown attribute with a suggestion", () => {
    const [d] = diagnosticsOf("dim n = 2\nparameter x[n] nonnegative\nvariable z[n]\nminimize x'z");
    expect(d.message).toContain("unknown attribute `nonnegative`");
    expect(d.hint).toBe("did you mean `nonneg`?");
  });

  it("rejects a dim without a default that the options do not give", () => {
    const [d] = diagnosticsOf("dim n\nvariable z[n]\nminimize sum(z)");
    expect(d.message).toContain("dim `n` has no default");
    expect(d.span).toMatchObject({ line: 1, column: 1 });
  });

  it.each([
    ["0", "dim n = 0", "a size must be a positive integer, but this is 0"],
    ["a fraction", "dim n = 5/2", "sizes use only"],
    ["2.5", "dim n = 2.5", "a size must be a positive integer, but this is 2.5"],
    ["negative", "dim n = 2 - 3", "a size must be a positive integer, but this is -1"],
    ["over the limit", "dim n = 100000\nparameter B[n, n]", "exceeds the limit"],
  ])("rejects a size that is %s", (_what, decl, message) => {
    const diags = diagnosticsOf(`${decl}\nvariable z[n]\nminimize sum(z)`);
    expect(diags.map((d) => d.message).join("\n")).toContain(message);
  });

  it("rejects a program whose dense QP blocks would be too large", () => {
    const diags = diagnosticsOf("dim n = 4\nvariable z[n]\nminimize ||z||^2", { n: 8000 });
    expect(diags.map((d) => d.message)).toEqual([
      "the QP is too large: Q would be 8000×8000 = 64000000 entries, 512 MB of float64 for each " +
        "member of a batch (a batch of b members needs b times that); " +
        "the limit is 50000000 entries (400 MB) per dense block",
    ]);
  });

  it("counts auxiliary columns and rows towards that limit", () => {
    const [d] = diagnosticsOf("dim n = 4\nvariable z[n]\nminimize ||z||_1", { n: 5000 });
    expect(d.message).toContain("Q would be 10000×10000");
  });

  it("rejects dims overrides that are not positive integers or not declared", () => {
    const diags = diagnosticsOf("dim n = 2\nvariable z[n]\nminimize sum(z)", { n: 1.5, m: 3 });
    expect(diags.map((d) => d.message)).toEqual([
      "the compile options set dim `n` to 1.5, but a size must be a positive integer",
      "the compile options give dim `m`, which the program does not declare",
    ]);
  });

  it("stays silent about uses of a name whose declaration failed", () => {
    const diags = diagnosticsOf("dim n = 0\nvariable z[n]\nminimize sum(z)\ns.t. z >= 0");
    expect(diags).toHaveLength(1);
  });
});
