import { describe, expect, it } from "vitest";
import {
  parse,
  printExpr,
  type ConstraintsStatement,
  type Statement,
} from "../../src/dsl/index.js";
import { statementKinds, withoutSpans } from "./helpers.js";

const simplex = `# projection onto the probability simplex
dim n = 3
parameter x[n]
variable z[n]
minimize ||z - x||^2
subject to
  z >= 0
  1'z = 1
`;

const simplexOneLine = `dim n = 3; parameter x[n]; variable z[n]
minimize ||z-x||^2 s.t. z>=0, 1'z=1`;

function only<K extends Statement["kind"]>(
  source: string,
  kind: K,
): Extract<Statement, { kind: K }> {
  const found = parse(source).statements.filter((s) => s.kind === kind);
  expect(found).toHaveLength(1);
  return found[0] as Extract<Statement, { kind: K }>;
}

function constraintTexts(source: string): string[] {
  return parse(source)
    .statements.filter((s): s is ConstraintsStatement => s.kind === "constraints")
    .flatMap((s) => s.constraints)
    .map((c) =>
      c.operands.map((o, i) => (i === 0 ? "" : ` ${c.relations[i - 1]} `) + printExpr(o)).join(""),
    );
}

describe("statements", () => {
  it("reads the simplex program of LANGUAGE.md §1", () => {
    const program = parse(simplex);
    expect(statementKinds(program)).toEqual([
      "dim",
      "parameter",
      "variable",
      "objective",
      "constraints",
    ]);
    expect(constraintTexts(simplex)).toEqual(["z >= 0", "1'z == 1"]);
  });

  it("reads the one-line form as the same program as the multi-line form", () => {
    const multiLine = withoutSpans(parse(simplex));
    expect(withoutSpans(parse(simplexOneLine))).toEqual(multiLine);
  });

  it("reads `dim n = 10` and `dim n` without a default", () => {
    expect(only("dim n = 10", "dim")).toMatchObject({ name: { name: "n" }, value: { value: 10 } });
    expect(only("dim n", "dim")).toMatchObject({ name: { name: "n" }, value: null });
  });

  it("reads parameter shapes and attributes", () => {
    const p = only("parameter D[n-1, n] nonneg", "parameter");
    expect(p.name.name).toBe("D");
    expect(p.shape.map((e) => printExpr(e))).toEqual(["n - 1", "n"]);
    expect(p.attributes.map((a) => a.name)).toEqual(["nonneg"]);
    expect(only("parameter lam", "parameter")).toMatchObject({ shape: [], attributes: [] });
    expect(only("parameter P[n,n] psd", "parameter").attributes.map((a) => a.name)).toEqual([
      "psd",
    ]);
  });

  it("reads variables: vector, matrix and scalar", () => {
    expect(only("variable z[n]", "variable").shape).toHaveLength(1);
    expect(only("variable X[m, n]", "variable").shape).toHaveLength(2);
    expect(only("variable t", "variable").shape).toHaveLength(0);
  });

  it("reads a constant defined by a built-in", () => {
    const c = only("constant D = diff(n)", "constant");
    expect(c.name.name).toBe("D");
    expect(printExpr(c.value)).toBe("diff(n)");
  });

  it("reads minimize and maximize", () => {
    expect(only("minimize sum(z)", "objective").sense).toBe("minimize");
    expect(only("maximize mu'w", "objective").sense).toBe("maximize");
  });

  it("reads output lists with or without commas", () => {
    expect(only("output z", "output").names.map((n) => n.name)).toEqual(["z"]);
    expect(only("output z, t", "output").names.map((n) => n.name)).toEqual(["z", "t"]);
    expect(only("output z t", "output").names.map((n) => n.name)).toEqual(["z", "t"]);
  });

  it("parses an empty program (or one with only comments) to no statements", () => {
    expect(parse("").statements).toEqual([]);
    expect(parse("# nothing here\n\n   \n").statements).toEqual([]);
  });
});

describe("constraints", () => {
  it("normalises `=` to `==` and keeps chains together", () => {
    const [c] = only("subject to 0 <= z <= 1", "constraints").constraints;
    expect(c?.relations).toEqual(["<=", "<="]);
    expect(c?.operands.map((o) => printExpr(o))).toEqual(["0", "z", "1"]);
    expect(only("s.t. 1'z = 1", "constraints").constraints[0]?.relations).toEqual(["=="]);
  });

  it("separates constraints by commas and newlines, on the `subject to` line or after it", () => {
    const source = "minimize sum(z)\nsubject to z >= 0, z <= 1\n  A z == b\n\n  G z <= h, x >= 0";
    expect(constraintTexts(source)).toEqual(["z >= 0", "z <= 1", "A z == b", "G z <= h", "x >= 0"]);
  });

  it("continues the constraints after `;` until the next statement keyword", () => {
    const source = "minimize sum(z) s.t. z >= 0; 1'z = 1; output z";
    expect(statementKinds(parse(source))).toEqual(["objective", "constraints", "output"]);
    expect(constraintTexts(source)).toEqual(["z >= 0", "1'z == 1"]);
  });

  it("ignores a trailing comma after the last constraint of a line", () => {
    expect(constraintTexts("s.t. z >= 0,\n  z <= 1,\n")).toEqual(["z >= 0", "z <= 1"]);
  });

  it("keeps commas inside calls and brackets within one constraint", () => {
    expect(constraintTexts("s.t. max(a, b) <= t, D[0, 1] >= 0")).toEqual([
      "max(a, b) <= t",
      "D[0, 1] >= 0",
    ]);
  });

  it("ends the constraints at the next statement keyword", () => {
    const program = parse("s.t.\n  z >= 0\noutput z\n");
    expect(statementKinds(program)).toEqual(["constraints", "output"]);
  });

  it("accepts `subject to` with several spaces or a tab between the words", () => {
    expect(statementKinds(parse("subject  to z >= 0"))).toEqual(["constraints"]);
    expect(statementKinds(parse("subject\tto z >= 0"))).toEqual(["constraints"]);
  });
});

describe("lines", () => {
  it("continues a line after a binary operator or inside brackets", () => {
    const source =
      "minimize ||A z - y||^2 +\n  lam * ||z||_1\nsubject to huber(A z\n  - y, 1) <= t";
    expect(printExpr(only(source, "objective").expr)).toBe("||A z - y||^2 + lam * ||z||_1");
    expect(constraintTexts(source)).toEqual(["huber(A z - y, 1) <= t"]);
  });

  it("never juxtaposes across a newline", () => {
    expect(constraintTexts("s.t.\n  x >= 0\n  y >= 0")).toEqual(["x >= 0", "y >= 0"]);
  });

  it("treats CRLF and CR line ends like LF", () => {
    const crlf = simplex.replace(/\n/g, "\r\n");
    const cr = simplex.replace(/\n/g, "\r");
    expect(withoutSpans(parse(crlf))).toEqual(withoutSpans(parse(simplex)));
    expect(withoutSpans(parse(cr))).toEqual(withoutSpans(parse(simplex)));
  });

  it("ignores comments to the end of the line, also after code", () => {
    const program = parse("dim n = 3 # the size\n# a comment line\nvariable z[n] # z");
    expect(statementKinds(program)).toEqual(["dim", "variable"]);
  });

  it("accepts names up to the 256-character limit", () => {
    const name = "z".repeat(256);
    expect(only(`variable ${name}[3]`, "variable").name.name).toBe(name);
  });

  it("refuses a longer name with the limit in the message", () => {
    expect(() => parse(`variable ${"z".repeat(10_000)}[3]`)).toThrow(
      /this name is 10000 characters long, over the limit of 256/,
    );
  });
});
