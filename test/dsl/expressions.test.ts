import { describe, expect, it } from "vitest";
import { printExpr } from "../../src/dsl/index.js";
import { parseExpr } from "./helpers.js";

const shape = (source: string): string => printExpr(parseExpr(source), { parens: true });

describe("expression precedence and associativity", () => {
  it.each([
    ["a + b - c", "((a + b) - c)"],
    ["a - b - c", "((a - b) - c)"],
    ["a + b * c", "(a + (b * c))"],
    ["a * b + c", "((a * b) + c)"],
    ["a / b * c", "((a / b) * c)"],
    ["a .* b * c", "((a .* b) * c)"],
    ["-a * b", "((-a) * b)"],
    ["a * -b", "(a * (-b))"],
    ["-x^2", "(-(x ^ 2))"],
    ["x^2^3", "(x ^ (2 ^ 3))"],
    ["x^-2", "(x ^ (-2))"],
    ["(a + b) * c", "((a + b) * c)"],
    ["--a", "(-(-a))"],
    ["a - -b", "(a - (-b))"],
    ["x'^2", "(x' ^ 2)"],
    ["x^2'", "(x ^ 2')"],
    ["(a + b)'", "(a + b)'"],
    ["z[1:n]'", "z[1:n]'"],
    ["D[0:n-1, :]", "D[0:(n - 1), :]"],
    ["z[:3]", "z[:3]"],
    ["z[2:]", "z[2:]"],
    ["z[i][j]", "z[i][j]"],
    [
      "1/2 ||z - x||^2 + lam * ||D z||_1",
      "(((1 / 2) * (||(z - x)|| ^ 2)) + (lam * ||(D * z)||_1))",
    ],
    ["2.*z", "(2 .* z)"],
    ["2.5*z", "(2.5 * z)"],
    ["1e-3 z", "(1e-3 * z)"],
    [".5 z", "(.5 * z)"],
  ])("%s parses as %s", (source, expected) => {
    expect(shape(source)).toBe(expected);
  });
});

describe("juxtaposition is a product", () => {
  it.each([
    ["A z", "(A * z)"],
    ["2 z", "(2 * z)"],
    ["2z", "(2 * z)"],
    ["1'z", "(1' * z)"],
    ["z'z", "(z' * z)"],
    ["e' P e", "((e' * P) * e)"],
    ["lam ||D z||_1", "(lam * ||(D * z)||_1)"],
    ["A z - y", "((A * z) - y)"],
    ["2 x^2", "(2 * (x ^ 2))"],
    ["2 (x + y)", "(2 * (x + y))"],
    ["A B'z", "((A * B') * z)"],
    ["||x|| ||y||", "(||x|| * ||y||)"],
    ["(lam) (x + y)", "(lam * (x + y))"],
  ])("%s parses as %s", (source, expected) => {
    expect(shape(source)).toBe(expected);
  });

  it.each([
    ["x -1", "(x - 1)"],
    ["x - 1", "(x - 1)"],
    ["x +1", "(x + 1)"],
    ["2 -z", "(2 - z)"],
  ])("a sign after an operand is subtraction or addition: %s", (source, expected) => {
    expect(shape(source)).toBe(expected);
  });

  it("marks juxtaposition as an implicit product and `*` as an explicit one", () => {
    const implicit = parseExpr("A z");
    const explicit = parseExpr("A * z");
    expect(implicit).toMatchObject({ kind: "binary", op: "*", implicit: true });
    expect(explicit).toMatchObject({ kind: "binary", op: "*", implicit: false });
  });

  it("reads a name followed by `(` as a call, not a product", () => {
    expect(parseExpr("f (x)")).toMatchObject({ kind: "call", callee: { name: "f" } });
  });
});

describe("norms", () => {
  it.each([
    ["||x||", "2", false],
    ["||x||_2", "2", true],
    ["||x||_1", "1", true],
    ["||x||_inf", "inf", true],
  ])("%s has p = %s (subscript written: %s)", (source, p, written) => {
    expect(parseExpr(source)).toMatchObject({ kind: "norm", p, subscriptWritten: written });
  });

  it("reads ||e||^2 and ||e||_2^2 as a power of a norm", () => {
    expect(parseExpr("||e||^2")).toMatchObject({
      kind: "power",
      base: { kind: "norm", p: "2" },
      exponent: { kind: "number", value: 2 },
    });
    expect(parseExpr("||e||_2^2")).toMatchObject({ kind: "power", base: { kind: "norm", p: "2" } });
  });

  it.each([
    ["||a - b||", "||(a - b)||"],
    ["||x||_1 + ||y||^2", "(||x||_1 + (||y|| ^ 2))"],
    ["||A z - y||^2", "(||((A * z) - y)|| ^ 2)"],
    ["||x + ||y||_1||", "||(x + ||y||_1)||"],
    ["||(lam ||x||) y||", "||((lam * ||x||) * y)||"],
    ["||max(a, b)||_inf", "||max(a, b)||_inf"],
    ["||z[0:2]||", "||z[0:2]||"],
  ])("the closing `||` ends the norm: %s is %s", (source, expected) => {
    expect(shape(source)).toBe(expected);
  });
});

describe("calls and literals", () => {
  it.each([
    ["sum(z)", "sum(z)"],
    ["quad_form(w, Sigma)", "quad_form(w, Sigma)"],
    ["huber(A z - y, 1)", "huber(((A * z) - y), 1)"],
    ["max(a, b)", "max(a, b)"],
    ["eye(n)", "eye(n)"],
    ["ones(m, n)", "ones(m, n)"],
    ["f()", "f()"],
    ["sum(abs(x - 1))", "sum(abs((x - 1)))"],
  ])("%s parses as %s", (source, expected) => {
    expect(shape(source)).toBe(expected);
  });

  it.each([
    ["3", 3],
    ["0.05", 0.05],
    ["1e-3", 0.001],
    ["2.5E+2", 250],
    [".5", 0.5],
    ["10.", 10],
  ])("reads the number %s as %d and keeps its text", (source, value) => {
    expect(parseExpr(source)).toEqual(
      expect.objectContaining({ kind: "number", value, text: source }),
    );
  });
});

describe("printExpr", () => {
  it.each([
    "||D z||_1",
    "A z - y",
    "1'z",
    "z'z",
    "e'P e",
    "1 / 2 ||z - x||^2 + lam * ||D z||_1",
    "mu'w - gamma * quad_form(w, Sigma)",
    "-x^2",
    "(-x)^2",
    "x^-2",
    "a - (b - c)",
    "a * (b * c)",
    "2 (x + y)",
    "D[0:n - 1, :]",
    "(a + b)'",
    "||x||_inf",
  ])("prints %s back as written", (source) => {
    expect(printExpr(parseExpr(source))).toBe(source);
  });

  it("prints juxtaposition as `*` in parenthesized mode", () => {
    expect(printExpr(parseExpr("A z - y"), { parens: true })).toBe("((A * z) - y)");
  });
});
