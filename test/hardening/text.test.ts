import { describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import {
  MAX_NAME_LENGTH,
  MAX_NESTING,
  MAX_REPORTED_DIAGNOSTICS,
  MAX_SOURCE_LENGTH,
  MAX_STATEMENT_TOKENS,
  MAX_STATEMENTS,
  MAX_TOKENS,
} from "../../src/dsl/index.js";
import { compileError } from "./helpers.js";

/**
 * Bad program text: every one ends in a CompileError that says where (line:column and a caret)
 * and, for a limit, states the limit. Never a crash, a hang or a RangeError.
 */

const simplex =
  "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0, 1'z = 1\n";

describe("bad text is refused with a located CompileError", () => {
  it.each([
    ["an empty file", "", "1:1", /the program has no objective/],
    ["only blank lines and comments", "\n \t\n# nothing\n", "1:1", /no objective/],
    ["binary garbage", "\u0000\u0001\u00ff\ufffd", "1:1", /unexpected character U\+0000/],
    ["an unterminated `||`", "variable z[3]\nminimize ||z + 1", "2:10", /unterminated norm/],
    ["an unclosed parenthesis", "variable z\nminimize (z + 1", "2:", /expected `\)`/],
    [
      "dim 0",
      "dim n = 0\nvariable z[n]\nminimize sum(z)",
      "1:9",
      /positive integer, but this is 0/,
    ],
    ["a negative dim", "dim n = -2\nvariable z[n]\nminimize sum(z)", "1:9", /this is -2/],
    ["a fractional dim", "dim n = 1.5\nvariable z[n]\nminimize sum(z)", "1:9", /this is 1.5/],
    [
      "a dim of 10^9",
      "dim n = 1000000000\nvariable z[n]\nminimize sum(z)",
      "1:9",
      /the size 1000000000 exceeds the limit of 10000000 entries/,
    ],
    [
      "a size expression that overflows",
      "dim n = 100000\nvariable z[n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n*n]\nminimize sum(z)",
      "2:12",
      /exceeds the limit of 10000000 entries/,
    ],
    ["a duplicate name", "variable z\nvariable z\nminimize z^2", "2:10", /already declared/],
    ["two objectives", "variable z\nminimize z^2\nminimize z^2", "3:1", /a second objective/],
    ["no objective", "variable z\ns.t. z >= 0", "1:1", /no objective/],
    ["1e999", "variable z\nminimize 1e999 * z^2", "2:10", /number too large: `1e999`/],
    ["an overflowing constant", "variable z\nminimize 1e200 * 1e200 * z^2", "2:10", /not a finite/],
    ["division by zero", "variable z\nminimize z^2 + z / 0", "2:", /division by zero/],
    ["0/0", "variable z\nminimize z^2 + (0/0) * z", "2:", /division by zero/],
    ["a non-ASCII name", "variable zé\nminimize zé^2", "1:11", /names use only ASCII/],
    ["a Greek name", "variable λ\nminimize λ^2", "1:10", /`λ` \(U\+03BB\)/],
    [
      "a name starting with _",
      "parameter __proto__\nvariable z\nminimize z^2",
      "1:11",
      /unexpected `_`/,
    ],
    ["a string", 'variable z\nminimize "z"^2', "2:10", /no strings/],
    ["three dimensions", "variable z[2, 2, 2]\nminimize sum(z)", "1:18", /at most two dimensions/],
  ])("%s", (_, source, where, message) => {
    const error = compileError(source);
    expect(error.message).toMatch(message);
    expect(error.message.split("\n")[0]).toContain(`<input>:${where}`);
    expect(error.message).toMatch(/\n\s*\| *\^/);
  });

  it("reports a bad character once, without the syntax errors it causes on its line", () => {
    const error = compileError("variable λ\nminimize z^2");
    expect(error.diagnostics.map((d) => d.message)).toEqual([
      "unexpected character `λ` (U+03BB): names use only ASCII letters, digits and `_`",
    ]);
  });
});

describe("valid text in unusual forms compiles", () => {
  it.each([
    ["CRLF line ends and tabs", simplex.replace(/\n/g, "\r\n").replace(/ /g, "\t")],
    ["old Mac CR line ends", simplex.replace(/\n/g, "\r")],
    ["a byte order mark", `\ufeff${simplex}`],
    [
      "names that are JavaScript built-ins",
      simplex.replace(/\bx\b/g, "constructor").replace(/\bz\b/g, "toString"),
    ],
    ["a name at the length limit", simplex.replace(/\bz\b/g, "z".repeat(MAX_NAME_LENGTH))],
    [
      "nesting at the limit",
      `variable z\nminimize ${"(".repeat(MAX_NESTING - 1)}z${")".repeat(MAX_NESTING - 1)}^2`,
    ],
  ])("%s", (_, source) => {
    const layer = compile(source);
    expect(layer.canonical.n).toBeGreaterThan(0);
  });

  it("solves a CRLF-and-tabs program exactly like the plain one", () => {
    const x = [0.2, 0.5, 0.9];
    const plain = compile(simplex).solve({ x });
    const crlf = compile(simplex.replace(/\n/g, "\r\n").replace(/ /g, "\t")).solve({ x });
    expect(crlf.variables.z).toEqual(plain.variables.z);
  });
});

describe("limits on text, each stated in its message", () => {
  it("refuses a name longer than the limit", () => {
    const error = compileError(`variable ${"a".repeat(100_000)}\nminimize 1`);
    expect(error.message).toMatch(
      new RegExp(`this name is 100000 characters long, over the limit of ${MAX_NAME_LENGTH}`),
    );
    // The quoted source line is cut around the caret, not printed whole.
    expect(error.message.length).toBeLessThan(2_000);
  });

  it("refuses a source over the size limit before reading it", () => {
    const error = compileError(
      `${"# padding\n".repeat(MAX_SOURCE_LENGTH / 10)}variable z\nminimize z^2`,
    );
    expect(error.message).toMatch(
      new RegExp(
        `characters long, over the limit of ${MAX_SOURCE_LENGTH} characters \\(about 1 MB\\)`,
      ),
    );
    expect(error.message.length).toBeLessThan(2_000);
  });

  it("refuses parentheses, norms and calls nested thousands deep", () => {
    for (const deep of [
      `${"(".repeat(5000)}z${")".repeat(5000)}`,
      `${"||".repeat(3000)}z${"||".repeat(3000)}`,
      `${"sum(".repeat(3000)}z${")".repeat(3000)}`,
    ]) {
      expect(compileError(`variable z\nminimize ${deep}`).message).toMatch(
        new RegExp(`more than ${MAX_NESTING} levels`),
      );
    }
  });

  it("refuses a statement with too many tokens", () => {
    const long = Array(MAX_STATEMENT_TOKENS).fill("z").join(" + ");
    expect(compileError(`variable z\nminimize ${long}`).message).toMatch(
      new RegExp(`over the limit of ${MAX_STATEMENT_TOKENS} \\(split it into several\\)`),
    );
  });

  it("refuses a program with too many tokens", () => {
    const line = Array(2_000).fill("z").join("+");
    const source = `variable z\nminimize z^2\ns.t.\n${Array(70).fill(`${line} >= 0`).join("\n")}`;
    expect(compileError(source).message).toMatch(new RegExp(`over the limit of ${MAX_TOKENS}`));
  });

  it("refuses more statements and constraints than the limit, at the first one too many", () => {
    const constraints = Array.from({ length: MAX_STATEMENTS }, (_, i) => `z >= ${i}`).join("\n");
    const error = compileError(`variable z\nminimize z^2\ns.t.\n${constraints}`);
    expect(error.diagnostics).toHaveLength(1);
    expect(error.message).toMatch(
      new RegExp(`more than ${MAX_STATEMENTS} statements and constraints, the limit`),
    );
    expect(error.diagnostics[0]!.span.line).toBe(MAX_STATEMENTS + 2);
  });

  it("prints at most the first diagnostics of a garbage file, and counts the rest", () => {
    const garbage = Array.from({ length: 2_000 }, () => "@ ! ? $").join("\n");
    const error = compileError(garbage);
    expect(error.diagnostics.length).toBeGreaterThan(MAX_REPORTED_DIAGNOSTICS);
    expect(error.message.match(/: error: /g)).toHaveLength(MAX_REPORTED_DIAGNOSTICS);
    expect(error.message).toMatch(/more errors not shown \(at most 50 are printed\)/);
  });

  it("refuses a long relation chain without overflowing the stack", () => {
    const chain = Array(5_000).fill("z").join(" <= ");
    // A chain has two relations at most; the point is a CompileError, not a RangeError.
    const error = compileError(`variable z\nminimize z^2\ns.t. ${chain}`);
    expect(error.diagnostics[0]?.message).toBe(
      "a chain is only `lo <= e <= hi` or `hi >= e >= lo`, with `lo` and `hi` free of variables",
    );
    expect(error.diagnostics[0]?.hint).toBe(
      "write the relations as separate constraints: `z <= z, z <= z, z <= z, …`",
    );
  });
});

describe("dims given as options", () => {
  const program = "dim n = 3\nvariable z[n]\nminimize sum_squares(z)";
  it.each([
    [0, /set dim `n` to 0, but a size must be a positive integer/],
    [-4, /to -4, but/],
    [2.5, /to 2.5, but/],
    [Number.NaN, /to NaN, but/],
    [Number.POSITIVE_INFINITY, /to Infinity, but/],
    [1e9, /set dim `n` to 1000000000, which exceeds the limit of 10000000 entries/],
    ["3" as unknown as number, /set dim `n` to "3", but a size must be a positive integer/],
  ])("refuses n = %s", (value, message) => {
    const error = compileError(program, { dims: { n: value } });
    expect(error.message).toMatch(message);
    expect(error.message.split("\n")[0]).toMatch(/^<input>:1:1: error: the compile options/);
  });

  it("treats __proto__ and constructor as plain (undeclared) dim names", () => {
    const dims = JSON.parse('{"__proto__": 3, "constructor": 2}') as Record<string, number>;
    const error = compileError(program, { dims });
    expect(error.diagnostics.map((d) => d.message)).toEqual([
      "the compile options give dim `__proto__`, which the program does not declare",
      "the compile options give dim `constructor`, which the program does not declare",
    ]);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
