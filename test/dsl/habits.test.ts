import { describe, expect, it } from "vitest";
import { CompileError, parse, printExpr, printProgram, type Expr } from "../../src/dsl/index.js";
import { parseExpr, withoutSpans } from "./helpers.js";

const NO_SPAN = { line: 1, column: 1, offset: 0, length: 0 };

/** The first diagnostic of a program that must not parse: position, message and hint. */
function firstSyntaxError(source: string): { at: string; message: string; hint?: string } {
  try {
    parse(source, "test.qp");
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    const d = e.diagnostics[0]!;
    return {
      at: `${d.span.line}:${d.span.column}`,
      message: d.message,
      ...(d.hint === undefined ? {} : { hint: d.hint }),
    };
  }
  throw new Error(`expected a syntax error in:\n${source}`);
}

describe("habits from textbooks, Python, MATLAB and CVXPY get a message that names the fix", () => {
  it.each([
    [
      "minimize sum(z)\nsubject to:\n  z >= 0",
      "2:11",
      "unexpected `:` after `subject to`",
      "drop the `:`: constraints follow `subject to` (or `s.t.`) directly",
    ],
    [
      "minimize sum(z) s.t.: z >= 0",
      "1:21",
      "unexpected `:` after `s.t.`",
      "drop the `:`: constraints follow `subject to` (or `s.t.`) directly",
    ],
    [
      "minimize sum(x**2)",
      "1:15",
      "`**` is not an operator: use `^` for powers",
      "write `x^2` (or `square(x)`)",
    ],
    ["minimize sum(x ** 3)", "1:16", "`**` is not an operator: use `^` for powers", "write `x^3`"],
    [
      "cp.Minimize(cp.sum_squares(z))",
      "1:3",
      "unexpected `.`: `cp.Minimize` is CVXPY; here the objective is a statement",
      "write `minimize EXPR`",
    ],
    [
      "minimize cp.sum_squares(z)",
      "1:12",
      "unexpected `.`: `cp.sum_squares` is CVXPY; here names take no prefix",
      "write `sum_squares`",
    ],
    [
      "x = cp.Variable(3)",
      "1:7",
      "unexpected `.`: `cp.Variable` is CVXPY; here a variable is declared by a statement",
      "write `variable z[n]`",
    ],
    [
      "minimize np.sqrt(2) * sum(z)",
      "1:12",
      "unexpected `.`: names have no module prefix (`np.sqrt`)",
      "write `sqrt`",
    ],
    [
      "minimize sum(z) s.t z >= 0",
      "1:18",
      "unexpected `.`: `s.t.` is written with two dots",
      "write `s.t.`",
    ],
    [
      "minimize ||z||^2 2",
      "1:18",
      "a number cannot follow `||z||^2` as a factor: write `*`",
      "write `||z||^2 * 2` (a number is never a right factor)",
    ],
    [
      "dim n = 1 0",
      "1:11",
      "a number cannot follow `1` as a factor: write `*` or remove the space",
      "`1 * 0` is a product, `10` one number",
    ],
    [
      "constant A = [1 2 3]",
      "1:17",
      "missing `,` between entries? `2` follows `1` with no operator",
      "separate entries with `,`: `[1, 2]`",
    ],
    [
      "constant w = [1, -1 -2]",
      "1:21",
      "missing `,` between entries? `-1 -2` reads as one difference",
      "put `,` before `-2` to start a new entry; for a difference write `-1 - 2`",
    ],
    [
      "minimize huber(z -1, 2)",
      "1:18",
      "missing `,` between arguments? `z -1` reads as one difference",
      "put `,` before `-1` to start a new argument; for a difference write `z - 1`",
    ],
  ])("%j", (source, at, message, hint) => {
    expect(firstSyntaxError(source)).toEqual({ at, message, hint });
  });

  it("says `@` is written `*` or by juxtaposition", () => {
    expect(firstSyntaxError("minimize sum(A @ z)")).toEqual({
      at: "1:16",
      message: "unexpected `@`: use `*` or juxtaposition for the matrix product (`A * z` or `A z`)",
    });
  });

  it("still reads the constraints after `subject to:`", () => {
    try {
      parse("minimize sum(z)\nsubject to:\n  z >= 0 +");
      expect.unreachable();
    } catch (e) {
      expect((e as CompileError).diagnostics.map((d) => d.span.line)).toEqual([2, 3]);
    }
  });

  it("keeps `2.*z`, `2 .* z` and `z * 2`", () => {
    expect(() => parse("minimize sum(2.*z) + sum(2 .* z) + sum(z * 2)")).not.toThrow();
  });
});

describe("printing keeps to the juxtaposition rules, so printed text parses back", () => {
  it("parenthesizes a number juxtaposed on the right", () => {
    const x: Expr = { kind: "name", name: "x", span: NO_SPAN };
    const two: Expr = { kind: "number", value: 2, text: "2", span: NO_SPAN };
    const product: Expr = {
      kind: "binary",
      op: "*",
      implicit: true,
      left: x,
      right: two,
      span: NO_SPAN,
    };
    const printed = printExpr(product);
    expect(printed).toBe("(x) (2)");
    expect(withoutSpans(parseExpr(printed))).toEqual(withoutSpans(product));
  });

  it("parenthesizes a juxtaposition inside brackets", () => {
    const program = parse("variable X[(m n), k]\nminimize sum(X[(i j), 0]) + [(a b), 1]'z");
    const printed = printProgram(program);
    expect(printed).toBe("variable X[(m n), k]\nminimize sum(X[(i j), 0]) + [(a b), 1]' z\n");
    expect(withoutSpans(parse(printed))).toEqual(withoutSpans(program));
  });
});
