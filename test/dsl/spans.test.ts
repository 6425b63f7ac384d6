import { describe, expect, it } from "vitest";
import { describeSpan, parse, spanText, type BinaryExpr, type Span } from "../../src/dsl/index.js";

const source = [
  "dim n = 3",
  "parameter x[n]",
  "variable z[n]",
  "minimize ||z - x||^2 + lam * ||D z||_1",
  "subject to",
  "\t0 <= z <= 1, 1'z = 1",
].join("\n");

const program = parse(source);
const at = (span: Span): [number, number, string] => [
  span.line,
  span.column,
  spanText(source, span),
];

describe("spans", () => {
  it("gives each statement its line, column and exact text", () => {
    expect(program.statements.map((s) => at(s.span))).toEqual([
      [1, 1, "dim n = 3"],
      [2, 1, "parameter x[n]"],
      [3, 1, "variable z[n]"],
      [4, 1, "minimize ||z - x||^2 + lam * ||D z||_1"],
      [5, 1, "subject to\n\t0 <= z <= 1, 1'z = 1"],
    ]);
  });

  it("gives names and shapes their own spans", () => {
    const parameter = program.statements[1];
    if (parameter?.kind !== "parameter") throw new Error("expected a parameter");
    expect(at(parameter.name.span)).toEqual([2, 11, "x"]);
    expect(at(parameter.shape[0]!.span)).toEqual([2, 13, "n"]);
  });

  it("gives every operand of an expression the text it came from", () => {
    const objective = program.statements[3];
    if (objective?.kind !== "objective") throw new Error("expected the objective");
    const sum = objective.expr as BinaryExpr;
    expect(at(sum.span)).toEqual([4, 10, "||z - x||^2 + lam * ||D z||_1"]);
    expect(at(sum.left.span)).toEqual([4, 10, "||z - x||^2"]);
    expect(at(sum.right.span)).toEqual([4, 24, "lam * ||D z||_1"]);
    const product = sum.right as BinaryExpr;
    expect(at(product.right.span)).toEqual([4, 30, "||D z||_1"]);
  });

  it("counts a tab as one column", () => {
    const constraints = program.statements[4];
    if (constraints?.kind !== "constraints") throw new Error("expected constraints");
    expect(constraints.constraints.map((c) => at(c.span))).toEqual([
      [6, 2, "0 <= z <= 1"],
      [6, 15, "1'z = 1"],
    ]);
  });

  it("includes the parentheses of a parenthesized expression", () => {
    const text = "minimize 2 * (a + b)'";
    const objective = parse(text).statements[0];
    if (objective?.kind !== "objective") throw new Error("expected the objective");
    const product = objective.expr as BinaryExpr;
    expect(spanText(text, product.right.span)).toBe("(a + b)'");
  });

  it("counts offsets and lines across CRLF line ends", () => {
    const text = "dim n = 3\r\nvariable z[n]\r\nminimize sum(z)";
    const last = parse(text).statements[2]!;
    expect(last.span).toEqual({ line: 3, column: 1, offset: 26, length: 15 });
  });

  it("covers the whole source with the program's span", () => {
    expect(program.span).toEqual({ line: 1, column: 1, offset: 0, length: source.length });
  });

  it("describes a span in words", () => {
    expect(describeSpan({ line: 3, column: 7, offset: 20, length: 2 })).toBe("line 3, column 7");
  });
});
