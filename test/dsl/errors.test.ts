import { describe, expect, it } from "vitest";
import { CompileError, parse } from "../../src/dsl/index.js";
import { syntaxErrors } from "./helpers.js";

describe("syntax errors say what was expected, and where", () => {
  it.each([
    ["minimize z +", "1:13 expected an expression after `+`, found the end of the statement"],
    ["minimize (a + )", "1:15 expected an expression after `+`, found `)`"],
    ["minimize a ) b", "1:12 unexpected `)`: nothing to close"],
    ["minimize ||z - x\ns.t. z >= 0", "1:10 unterminated norm: `||` opened here is never closed"],
    ["parameter x[n", "1:14 expected `]` after `n`, found the end of the statement"],
    ["dim n =", "1:8 expected an expression after `=`, found the end of the statement"],
    ["dim = 3", "1:5 expected a name after `dim`, found `=`"],
    ["constant D diff(n)", "1:12 expected `=` after `D`, found `diff`"],
    ["variable", "1:9 expected a name after `variable`, found the end of the statement"],
    ["minimize sum(z", "1:15 expected `)` after `z`, found the end of the statement"],
    [
      "dim n = 3 parameter x",
      "1:11 unexpected `parameter`: each statement starts on a new line or after `;`",
    ],
    [
      "z >= 0",
      "1:1 a constraint outside `subject to`: constraints follow `subject to` (or `s.t.`)",
    ],
    [
      "lam = 3",
      "1:1 a constraint outside `subject to`: constraints follow `subject to` (or `s.t.`)",
    ],
    [
      "foo bar",
      "1:1 expected a statement (`dim`, `parameter`, `constant`, `variable`, `minimize`, `maximize`, `subject to` or `output`), found `foo`",
    ],
    ["minimize z = 1", "1:12 unexpected `=`: constraints go after `subject to` (or `s.t.`)"],
    ["s.t. z < 1", "1:8 strict inequality `<` is not allowed: a QP's feasible set is closed"],
    ["s.t. z > 1", "1:8 strict inequality `>` is not allowed: a QP's feasible set is closed"],
    ["s.t. z", "1:6 a constraint needs a relation: `==`, `<=` or `>=`"],
    ["s.t. z >=", "1:10 expected an expression after `>=`, found the end of the statement"],
    ["minimize z[]", "1:12 expected an index or a slice after `[`, found `]`"],
    ["minimize x _1", "1:12 unexpected `_1`: a norm subscript follows a closing `||`"],
    ["minimize z^", "1:12 expected an expression after `^`, found the end of the statement"],
    [
      "minimize |z|",
      "1:10 unexpected `|`: a norm is written `||x||` and an absolute value `abs(x)`",
    ],
    [
      "minimize A @ z",
      "1:12 unexpected `@`: use `*` or juxtaposition for the matrix product (`A * z` or `A z`)",
    ],
    [
      "minimize 1e999 z",
      "1:10 number too large: `1e999` is beyond the largest double (about 1.8e308)",
    ],
    [
      "variable λ[3]",
      "1:10 unexpected character `λ` (U+03BB): names use only ASCII letters, digits and `_`",
    ],
  ])("%j → %s", (source, expected) => {
    expect(syntaxErrors(source)[0]).toBe(expected);
  });

  it("suggests the lowercase keyword for a capitalized one", () => {
    try {
      parse("Minimize sum(z)");
      expect.unreachable();
    } catch (e) {
      expect((e as CompileError).diagnostics[0]?.hint).toBe("keywords are lowercase: `minimize`");
    }
  });

  it("reports every error in a file, in source order", () => {
    const source = [
      "dim n = ",
      "parameter x[n",
      "variable z[n]",
      "minimize ||z - x||^2 + * 2",
      "subject to",
      "  z >= 0, 1'z = 1)",
      "  z < 3",
    ].join("\n");
    expect(syntaxErrors(source)).toEqual([
      "1:8 expected an expression after `=`, found the end of the statement",
      "2:14 expected `]` after `n`, found the end of the statement",
      "4:24 expected an expression after `+`, found `*`",
      "6:18 unexpected `)`: nothing to close",
      "7:5 strict inequality `<` is not allowed: a QP's feasible set is closed",
    ]);
  });

  it("does not let an unclosed bracket swallow the statements after it", () => {
    const errors = syntaxErrors("minimize sum(z\nsubject to z >= 0\noutput z )");
    expect(errors).toEqual([
      "1:15 expected `)` after `z`, found the end of the statement",
      "3:10 unexpected `)`: nothing to close",
    ]);
  });

  it("renders errors with the file, the source line and a caret", () => {
    try {
      parse("variable z[3]\nminimize ||z + 1", "prog.qp");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CompileError);
      expect((e as CompileError).message).toBe(
        [
          "prog.qp:2:10: error: unterminated norm: `||` opened here is never closed",
          "  |",
          "2 | minimize ||z + 1",
          "  |          ^^",
          "  = help: close it with `||`, e.g. `||z - x||`",
        ].join("\n"),
      );
    }
  });
});

describe("hostile input ends in a CompileError, never a crash", () => {
  it("refuses parentheses nested deeper than the limit, with the limit in the message", () => {
    const deep = `minimize ${"(".repeat(5000)}x${")".repeat(5000)}`;
    expect(syntaxErrors(deep)).toEqual([
      "1:110 expressions nest too deeply: more than 100 levels of parentheses, norms, calls or brackets",
    ]);
  });

  it("accepts nesting up to the limit", () => {
    const n = 100;
    expect(() => parse(`minimize ${"(".repeat(n)}x${")".repeat(n)}`)).not.toThrow();
    expect(() => parse(`minimize ${"||".repeat(n)}x${"||".repeat(n)}`)).not.toThrow();
    expect(() => parse(`minimize ${"f(".repeat(n)}x${")".repeat(n)}`)).not.toThrow();
  });

  it.each([
    ["norms", `minimize ${"||".repeat(3000)}x${"||".repeat(3000)}`],
    ["calls", `minimize ${"f(".repeat(3000)}x${")".repeat(3000)}`],
    ["indexing", `minimize ${"z[".repeat(3000)}0${"]".repeat(3000)}`],
  ])("refuses %s nested thousands deep", (_, source) => {
    expect(syntaxErrors(source)[0]).toMatch(/nest too deeply/);
  });

  it.each([
    ["signs", `minimize ${"-".repeat(5000)}x`],
    ["powers", `minimize x${"^x".repeat(5000)}`],
    ["sums", `minimize ${Array(2000).fill("x").join(" + ")}`],
  ])("refuses an expression tree of thousands of %s", (_, source) => {
    expect(syntaxErrors(source)[0]).toMatch(/too long or too deeply nested/);
  });

  it("reports binary garbage as unexpected characters", () => {
    const bytes = String.fromCharCode(0, 1, 2, 0x7f, 0xff, 0xfffd) + "\u{1F600}";
    const errors = syntaxErrors(bytes);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^1:1 unexpected character U\+0000/);
  });
});
