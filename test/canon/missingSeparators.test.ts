import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileToCanonical } from "../../src/canon/index.js";
import { CompileError } from "../../src/dsl/index.js";
import { compile, diagnosticsOf, firstError, positionOf } from "./helpers/compile.js";

const HEAD = `dim n = 3
dim m = 2
parameter x[n]
parameter p[n]
parameter c
variable z[n]
variable y[n]
`;

function at(source: string, needle: string, from = 0): string {
  const { line, column } = positionOf(source, needle, from);
  return `${line}:${column}`;
}

describe("a dropped `,` is a located compile error, never a different program", () => {
  // [what, program tail, the text the caret must point at (searched after `s.t.` or the
  //  statement's keyword), message, hint]
  const CASES: [string, string, string, string, string][] = [
    [
      "a number after a constraint's bound (z>=0 2 z<=1)",
      "minimize ||z-x||^2 s.t. z>=0 2 z<=1",
      "2 z",
      "missing `,` between constraints? A number cannot follow `0` as a factor",
      "put `,` before `2` to start a new constraint; for a product write `0 * 2`",
    ],
    [
      "a ones row after a constraint's bound (z>=0 1'z=1)",
      "minimize ||z-x||^2 s.t. z>=0 1'z=1",
      "1'z",
      "missing `,` between constraints? A number cannot follow `0` as a factor",
      "put `,` before `1` to start a new constraint; for a product write `0 * 1'`",
    ],
    [
      "two sizes without a comma (variable X[m n])",
      "variable X[m n]\nminimize sum(z) + sum(X)",
      "n]",
      "missing `,` between sizes? `n` follows `m` with no operator",
      "a matrix is `[m, n]`; a vector of m·n entries is `[m*n]`",
    ],
    [
      "two indices without a comma (X[0 1])",
      "variable X[m, n]\nminimize sum(z) + X[0 1]",
      "1]",
      "missing `,` between indices? `1` follows `0` with no operator",
      "separate indices with `,`: `[0, 1]`; a product is written `0*1`",
    ],
    [
      "two arguments without a comma (max(x - z 0))",
      "minimize sum(max(x - z 0))",
      "0)",
      "missing `,` between arguments? A number cannot follow `z` as a factor",
      "put `,` before `0` to start a new argument; for a product write `z * 0`",
    ],
    [
      "a space inside a number (0 .05)",
      "minimize 0 .05 * ||z||^2 - p'z",
      ".05",
      "a number cannot follow `0` as a factor: write `*` or remove the space",
      "`0 * .05` is a product, `0.05` one number",
    ],
    [
      "a number after a variable (z 2)",
      "minimize sum(z 2)",
      "2)",
      "missing `,` between arguments? A number cannot follow `z` as a factor",
      "put `,` before `2` to start a new argument; for a product write `z * 2`",
    ],
    [
      "a negative bound that starts the next constraint (z <= 1 -1 <= z)",
      "minimize sum(z) s.t. z <= 1 -1 <= z",
      "-1 <=",
      "missing `,` between constraints? `1 -1` reads as one difference",
      "put `,` before `-1` to start a new constraint; for a difference write `1 - 1`",
    ],
    [
      "a constraint of the other direction (x >= 1 y <= 2)",
      "minimize sum(z) s.t. z >= 1 y <= 2",
      "y <=",
      "missing `,` between constraints? This reads as one chain, but a chain is only `lo <= e <= hi` or `hi >= e >= lo`, with `lo` and `hi` free of variables",
      "write `z >= 1, y <= 2`",
    ],
    [
      "two equalities (z == x y == p)",
      "minimize sum(z) s.t. z == x y == p",
      "y ==",
      "missing `,` between constraints? This reads as one chain, but a chain is only `lo <= e <= hi` or `hi >= e >= lo`, with `lo` and `hi` free of variables",
      "write `z == x, y == p`",
    ],
    [
      "a negative bound written with spaces (z <= 1 - 1 <= z)",
      "minimize sum(z) s.t. z <= 1 - 1 <= z",
      "- 1 <=",
      "missing `,` between constraints? This reads as one chain, but a chain is only `lo <= e <= hi` or `hi >= e >= lo`, with `lo` and `hi` free of variables",
      "write `z <= 1, - 1 <= z`",
    ],
    [
      "a coefficient that follows a variable (0 <= z c + y <= 1)",
      "minimize sum(z) s.t. 0 <= z c + y <= 1",
      "c +",
      "a coefficient cannot follow the variables it multiplies: `z` has variables, `c` has none",
      "missing `,` between constraints before `c`? Otherwise write the coefficient first (`c z`) or use `*` (`z * c`)",
    ],
    [
      "a coefficient that follows a variable, then `*` (0 <= z c * 2 + y <= 1)",
      "minimize sum(z) s.t. 0 <= z c * 2 + y <= 1",
      "c *",
      "a coefficient cannot follow the variables it multiplies: `z` has variables, `c` has none",
      "missing `,` between constraints before `c`? Otherwise write the coefficient first (`c z`) or use `*` (`z * c`)",
    ],
  ];

  it.each(CASES)("%s", (_what, tail, pointsAt, message, hint) => {
    const source = HEAD + tail;
    const after = source.indexOf(tail) + Math.max(0, tail.indexOf("s.t."));
    expect(firstError(source)).toEqual({ at: at(source, pointsAt, after), message, hint });
  });

  it("refuses the control dynamics with the comma between its equalities dropped", () => {
    const source = `dim T = 5
parameter x0
parameter A
parameter B
variable u[T]
variable x[T+1]
minimize ||x||^2 + 0.1 * ||u||^2
subject to
  x[0] == x0 x[1:T+1] == A x[0:T] + B u
`;
    const error = firstError(source);
    expect(error.at).toBe(at(source, "x[1:T+1]"));
    expect(error.message).toMatch(/^missing `,` between constraints\? /);
    expect(error.hint).toBe("write `x[0] == x0, x[1:T+1] == A x[0:T] + B u`");
    const [d] = diagnosticsOf(source);
    expect(d.span.length).toBe("x[1:T+1]".length);
  });

  it("refuses a chain with more than two relations or of mixed direction, naming the rule", () => {
    const source = HEAD + "minimize sum(z) s.t. 0 <= z <= 1 <= 3";
    expect(firstError(source)).toEqual({
      at: at(source, "0 <= z"),
      message:
        "a chain is only `lo <= e <= hi` or `hi >= e >= lo`, with `lo` and `hi` free of variables",
      hint: "write the relations as separate constraints: `0 <= z, z <= 1, 1 <= 3`",
    });
    expect(firstError(HEAD + "minimize sum(z) s.t. 0 <= z >= -1").message).toMatch(/^a chain is/);
    expect(firstError(HEAD + "minimize sum(z) s.t. x <= z <= y").hint).toBe(
      "write the relations as separate constraints: `x <= z, z <= y`",
    );
  });

  it("keeps the chains it allows: constant or parameter ends, variables in the middle", () => {
    for (const chain of ["0 <= z <= 1", "1 >= z >= -1", "x <= z + y <= x + c", "-c <= 2 z <= c"]) {
      const { canon } = compile(HEAD + `minimize sum(z) + sum(y) s.t. ${chain}`);
      expect(canon.p).toBe(6);
    }
  });
});

describe("a constraint whose coefficients on the variables are all zero is refused", () => {
  it.each([
    ["0*z <= 1", "0*z <= 1"],
    ["0 z <= 1", "0 z <= 1"],
    ["z - z >= x", "z - z >= x"],
    ["c * (y - y) == 1", "c * (y - y) == 1"],
  ])("%s", (constraint, pointsAt) => {
    const source = HEAD + `minimize sum(z) s.t. z >= 0, ${constraint}`;
    expect(firstError(source)).toEqual({
      at: at(source, pointsAt),
      message:
        "this constraint involves no variable: its coefficients on the variables are all zero",
      hint: "a constraint must restrict a variable: look for a factor that is zero or terms that cancel",
    });
  });

  it.each(["p >= 1", "0 <= 1", "c <= x"])("%s (no variable written at all)", (constraint) => {
    const source = HEAD + `minimize sum(z) s.t. ${constraint}`;
    expect(firstError(source).message).toBe("this constraint involves no variable");
  });

  it("keeps a constraint whose coefficients depend on a parameter (reported per member at solve time)", () => {
    const { canon } = compile(HEAD + "minimize sum(z) s.t. c * z <= 1, p .* y >= 0");
    expect(canon.p).toBe(6);
  });
});

describe("juxtaposition keeps the products users write", () => {
  it.each([
    "2 z",
    "1'z",
    "c z",
    "x'z",
    "z'(2 * eye(n)) z",
    "z'(2 * eye(n)) * z",
    "0.5 ||z - x||^2",
    "(2) z",
  ])("%s", (term) => {
    expect(() => compile(HEAD + `minimize sum(${term}) + ||z||^2`)).not.toThrow();
  });

  it("keeps `*` where a number is the right factor", () => {
    expect(() => compile(HEAD + "minimize sum(z * 2) + z' * 1 + ||z||^2")).not.toThrow();
  });
});

/**
 * A generated constraint, with what decides whether dropping the `,` after it (or before it) can
 * leave a valid program: `lo <= B, C <= hi` reads as the chain `lo <= B C <= hi` when B ends in
 * a variable-free term and C starts with a factor that has variables (`0 <= z + c, y <= 1` is
 * `0 <= z + c y <= 1`, which is also how one writes that chain on purpose: no rule can tell).
 */
interface Generated {
  text: string;
  /** the relation of `lo REL e` (constant written first), for a constraint of that form */
  constantFirst?: string;
  /** the relation of `e REL hi` (constant written last) */
  constantLast?: string;
  endsWithConstantTerm: boolean;
  startsWithVariableFactor: boolean;
}

const variableSide = fc
  .tuple(
    fc.constantFrom("", "-"),
    fc.constantFrom("", "2 ", "c ", "0.5 ", "D "),
    fc.constantFrom("z", "y", "(z - y)", "sum(z)"),
    fc.constantFrom("", " + y", " - z", " + 2 y", " + x", " + c"),
  )
  .map(([sign, coef, v, rest]) => ({
    text: `${sign}${coef}${v}${rest}`,
    endsWithConstantTerm: rest === " + x" || rest === " + c",
    startsWithVariableFactor: sign === "" && coef === "",
  }));
const constantSide = fc.constantFrom("0", "1", "x", "c", "-1", "2 x", "x + 1", "p - c");
const inequality = fc.constantFrom("<=", ">=");
const constraint: fc.Arbitrary<Generated> = fc.oneof(
  fc
    .tuple(variableSide, fc.constantFrom("<=", ">=", "==", "="), constantSide)
    .map(([e, r, hi]) => ({
      text: `${e.text} ${r} ${hi}`,
      constantLast: r === "=" ? "==" : r,
      endsWithConstantTerm: true,
      startsWithVariableFactor: e.startsWithVariableFactor,
    })),
  fc.tuple(constantSide, fc.constantFrom("<=", ">=", "=="), variableSide).map(([lo, r, e]) => ({
    text: `${lo} ${r} ${e.text}`,
    constantFirst: r,
    endsWithConstantTerm: e.endsWithConstantTerm,
    startsWithVariableFactor: false,
  })),
  fc.tuple(constantSide, variableSide, inequality, constantSide).map(([lo, e, r, hi]) => ({
    text: `${lo} ${r} ${e.text} ${r} ${hi}`,
    endsWithConstantTerm: true,
    startsWithVariableFactor: false,
  })),
  fc.tuple(variableSide, inequality, variableSide).map(([a, r, b]) => ({
    text: `${a.text} ${r} ${b.text}`,
    endsWithConstantTerm: b.endsWithConstantTerm,
    startsWithVariableFactor: a.startsWithVariableFactor,
  })),
  fc.constantFrom<Generated>(
    {
      text: "sum(z) <= c",
      constantLast: "<=",
      endsWithConstantTerm: true,
      startsWithVariableFactor: true,
    },
    {
      text: "sum(y) >= -c",
      constantLast: ">=",
      endsWithConstantTerm: true,
      startsWithVariableFactor: true,
    },
    {
      text: "1'y == 1",
      constantLast: "==",
      endsWithConstantTerm: true,
      startsWithVariableFactor: false,
    },
    { text: "z[0] >= y[1]", endsWithConstantTerm: false, startsWithVariableFactor: true },
    {
      text: "abs(z) <= 1",
      constantLast: "<=",
      endsWithConstantTerm: true,
      startsWithVariableFactor: true,
    },
    {
      text: "max(y) <= 2",
      constantLast: "<=",
      endsWithConstantTerm: true,
      startsWithVariableFactor: true,
    },
  ),
);

/**
 * `lo REL … + t, F … REL hi`: the one way a dropped `,` leaves a valid (chained) constraint, where
 * F is a name (a variable, or a constant such as `D` in `c D z`) that t can multiply.
 */
function readsAsChain(first: Generated, second: Generated): boolean {
  return (
    first.constantFirst !== undefined &&
    first.constantFirst !== "==" &&
    first.constantFirst === second.constantLast &&
    first.endsWithConstantTerm &&
    /^[A-Za-z_]/.test(second.text)
  );
}

const PROPERTY_HEAD = `dim n = 3
parameter x[n]
parameter p[n]
parameter c
constant D = diff(n + 1)[:, 0:n] + eye(n)
variable z[n]
variable y[n]
minimize ||z - x||^2 + ||y||^2 s.t. `;

function compiles(source: string): boolean {
  try {
    compileToCanonical(source);
    return true;
  } catch (e) {
    if (e instanceof CompileError) return false;
    throw e;
  }
}

describe("property: deleting the `,` or `;` between two constraints never compiles", () => {
  it("random constraint lists on one line, except `lo <= B, C <= hi` that reads as a chain", () => {
    let chains = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(constraint, fc.constantFrom(", ", "; ")), {
          minLength: 2,
          maxLength: 4,
        }),
        fc.nat(),
        (items, pick) => {
          const list = items.map(([c]) => c.text);
          const separators = items.slice(0, -1).map(([, s]) => s);
          const source = PROPERTY_HEAD + list.map((c, i) => c + (separators[i] ?? "")).join("");
          // Only well-formed programs count: each constraint must compile.
          fc.pre(compiles(source));
          const k = pick % separators.length;
          const cut =
            PROPERTY_HEAD.length +
            list.slice(0, k + 1).join("").length +
            separators.slice(0, k).join("").length;
          const mutated = source.slice(0, cut) + source.slice(cut + 1);
          expect(mutated.length).toBe(source.length - 1);
          if (compiles(mutated)) {
            chains++;
            expect(readsAsChain(items[k]![0], items[k + 1]![0]), mutated).toBe(true);
          }
        },
      ),
      { numRuns: 400, seed: 13 },
    );
    // The exception is rare: most deletions must have been refused.
    expect(chains).toBeLessThan(40);
  });

  it("the exception, as a user writes it on purpose: `0 <= z + c y <= 1`", () => {
    const apart = compile(PROPERTY_HEAD + "0 <= z + c, y <= 1").canon;
    const merged = compile(PROPERTY_HEAD + "0 <= z + c y <= 1").canon;
    expect([apart.p, merged.p]).toEqual([6, 6]);
  });

  const examplesDir = new URL("../../examples/", import.meta.url);
  const examples = readdirSync(examplesDir).filter((f) => f.endsWith(".qp"));

  it.each(examples)("examples/%s: every `,` and `;` deleted, one at a time", (file) => {
    const source = readFileSync(new URL(file, examplesDir), "utf8");
    expect(() => compileToCanonical(source)).not.toThrow();
    for (let i = 0; i < source.length; i++) {
      if (source[i] !== "," && source[i] !== ";") continue;
      const lineStart = source.lastIndexOf("\n", i) + 1;
      if (source.slice(lineStart, i).includes("#")) continue;
      const mutated = source.slice(0, i) + source.slice(i + 1);
      expect(() => compileToCanonical(mutated), `${file} without the separator at ${i}`).toThrow(
        CompileError,
      );
    }
  });
});
