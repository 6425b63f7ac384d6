import { describe, expect, it } from "vitest";
import { instantiate } from "../../src/canon/index.js";
import { compile, diagnosticsOf, firstError, positionOf } from "./helpers/compile.js";

/** The dense Q of a program without parameters. */
function denseQ(source: string): number[][] {
  const { canon } = compile(source);
  const qp = instantiate(canon, new Float64Array(0));
  const n = canon.n;
  return Array.from({ length: n }, (_, i) => Array.from(qp.Q.slice(i * n, (i + 1) * n)));
}

function at(source: string, needle: string): string {
  const { line, column } = positionOf(source, needle);
  return `${line}:${column}`;
}

describe("constants written as literals and with numeric functions", () => {
  it("a matrix literal multiplies a variable: ||A z||^2 has Q = 2 A'A", () => {
    const Q = denseQ("constant A = [[1, 0.1], [0, 1]]\nvariable z[2]\nminimize ||A z||^2");
    expect(Q[0][0]).toBeCloseTo(2, 12);
    expect(Q[0][1]).toBeCloseTo(0.2, 12);
    expect(Q[1][0]).toBeCloseTo(0.2, 12);
    expect(Q[1][1]).toBeCloseTo(2 * (0.01 + 1), 12);
  });

  it("a vector literal in a quad_form's matrix and a product", () => {
    const Q = denseQ(
      "constant w = [1, 2, 3]\nconstant P = [[2, 0], [0, 4]]\nvariable z[2]\nvariable t\n" +
        "minimize quad_form(z, P) + (w[0:2]'z)^2 + t^2",
    );
    // quad_form: 2P; (z0 + 2 z1)^2: 2·[1 2]'[1 2]; t^2: 2
    expect(Q).toEqual([
      [4 + 2, 4, 0],
      [4, 8 + 8, 0],
      [0, 0, 2],
    ]);
  });

  it("evaluates sqrt, exp, log, pi and ^ on numbers", () => {
    const { canon } = compile(
      "constant a = sqrt(2) * exp(-1) + log(10)^2 - pi + 2^-1\nvariable t\nminimize a * t^2",
    );
    const qp = instantiate(canon, new Float64Array(0));
    const a = Math.SQRT2 * Math.exp(-1) + Math.log(10) ** 2 - Math.PI + 0.5;
    expect(qp.Q[0]).toBeCloseTo(2 * a, 12);
  });

  it("lets a declared name shadow pi", () => {
    const { canon } = compile("constant pi = 3\nvariable t\nminimize pi * t^2");
    expect(instantiate(canon, new Float64Array(0)).Q[0]).toBe(6);
  });

  it.each([
    [
      "a ragged matrix",
      "constant A = [[1, 0.1], [0, 1, 2]]\nvariable t\nminimize t^2",
      "[0, 1, 2]",
      "ragged matrix: row 2 has 3 entries but row 1 has 2 entries",
      "every row of a matrix has the same number of entries",
    ],
    [
      "a number among rows",
      "constant A = [[1, 2], 3]\nvariable t\nminimize t^2",
      "3]",
      "ragged matrix: row 2 has a number but row 1 has 2 entries",
      "every row of a matrix has the same number of entries",
    ],
    [
      "three levels of brackets",
      "constant A = [[1, 2], [[1, 2], [3, 4]]]\nvariable t\nminimize t^2",
      "[[1, 2], [3, 4]]]",
      "an array literal has at most two levels of `[…]`, and this entry is a matrix [2×2]",
      undefined,
    ],
    [
      "a variable inside a literal",
      "variable t\nminimize t^2 s.t. [1, t] <= 1",
      "t] <=",
      "the entries of `[…]` must be numbers, and `t` has variables",
      "`[…]` builds a numeric constant; combine parameters and variables with operators instead",
    ],
  ])("refuses %s, pointing at the entry", (_what, source, pointsAt, message, hint) => {
    expect(firstError(source)).toEqual({
      at: at(source, pointsAt),
      message,
      ...(hint === undefined ? {} : { hint }),
    });
  });

  it.each([
    ["sqrt(-1)", "`sqrt` of the negative number -1 is not a real number"],
    ["log(0)", "`log` is defined for positive numbers only, not 0"],
    [
      "sqrt(t)",
      "`sqrt` applies to numbers only: of an expression with variables it is not QP-representable",
    ],
    [
      "exp(lam)",
      "`exp` applies to numbers only: of a parameter it is not affine in the parameters",
    ],
    ["sqrt(1, 2)", "`sqrt` takes 1 argument, not 2: sqrt(c)"],
  ])("refuses %s", (call, message) => {
    const source = `parameter lam\nvariable t\nminimize t^2 + ${call}`;
    expect(firstError(source)).toMatchObject({ at: at(source, call), message });
  });

  it("names the signature of an atom called with the wrong number of arguments", () => {
    const source = "variable x[3]\nminimize sum_squares(x, 2)";
    expect(firstError(source)).toEqual({
      at: at(source, "sum_squares"),
      message: "`sum_squares` takes 1 argument, not 2: sum_squares(e)",
    });
  });
});

describe("a typo hint is itself a program that compiles", () => {
  it("does not suggest `x x` for a product of parameters; suggests the name instead", () => {
    const source = "parameter x[3]\nvariable z[3]\nminimize ||z - xx||^2";
    expect(firstError(source)).toEqual({
      at: at(source, "xx"),
      message: "unknown name `xx`",
      hint: "did you mean `x`?",
    });
  });

  it("still suggests `Q z` where that product compiles", () => {
    const source = "parameter Q[3, 3]\nvariable z[3]\nminimize sum(Qz)";
    expect(firstError(source).hint).toBe("did you mean `Q z`?");
  });

  it("does not suggest `z c` (a coefficient after a variable)", () => {
    const source = "parameter c\nvariable z[3]\nminimize sum(zc)";
    expect(firstError(source).hint).not.toBe("did you mean `z c`?");
  });
});
