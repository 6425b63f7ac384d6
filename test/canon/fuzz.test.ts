import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileToCanonical } from "../../src/canon/index.js";
import { CompileError, parse } from "../../src/dsl/index.js";
import { compareWithSource, makeRng, sample } from "./helpers/numeric.js";

const HEAD = (attrs: { lam: string; P: string; x: string }) =>
  `dim n = 3
dim m = 2
parameter x[n] ${attrs.x}
parameter lam ${attrs.lam}
parameter A[m, n]
parameter P[n, n] ${attrs.P}
variable z[n]
variable t
`;

/** Random expressions over the declared names: well-formed text, often ill-typed or non-convex. */
const expr: fc.Memo<string> = fc.memo((depth) => {
  const leaf = fc.constantFrom(
    "z",
    "t",
    "x",
    "lam",
    "1",
    "2.5",
    "0",
    "1'z",
    "A z",
    "z[0]",
    "z[1:3]",
    "x'z",
    "A",
  );
  if (depth <= 1) return leaf;
  const sub = expr(depth - 1);
  return fc.oneof(
    { weight: 2, arbitrary: leaf },
    fc
      .tuple(sub, fc.constantFrom("+", "-", "*", ".*", " "), sub)
      .map(([a, op, b]) => `(${a}) ${op} (${b})`),
    sub.map((a) => `-(${a})`),
    sub.map((a) => `(${a})'`),
    fc
      .tuple(
        fc.constantFrom(
          "sum",
          "abs",
          "square",
          "pos",
          "max",
          "min",
          "norm1",
          "norm_inf",
          "sum_squares",
        ),
        sub,
      )
      .map(([f, a]) => `${f}(${a})`),
    fc.tuple(fc.constantFrom("max", "min", "dot"), sub, sub).map(([f, a, b]) => `${f}(${a}, ${b})`),
    sub.map((a) => `||${a}||^2`),
    fc.tuple(sub, fc.constantFrom("_1", "_inf", "_1", "_inf", "")).map(([a, p]) => `||${a}||${p}`),
    sub.map((a) => `huber(${a}, 1)`),
    sub.map((a) => `quad_form(z + ${a}, P)`),
    sub.map((a) => `(${a})^2`),
    sub.map((a) => `(${a}) / 2`),
  );
});

const program = fc
  .record({
    attrs: fc.record({
      lam: fc.constantFrom("", "nonneg", "nonpos"),
      P: fc.constantFrom("", "psd"),
      x: fc.constantFrom("", "nonneg"),
    }),
    sense: fc.constantFrom("minimize", "maximize"),
    objective: fc.oneof(
      expr(3),
      expr(3).map((e) => `sum(${e})`),
    ),
    constraints: fc.array(
      fc.tuple(
        expr(2),
        fc.constantFrom("<=", ">=", "=="),
        expr(2),
        fc.option(fc.tuple(fc.constantFrom("<=", ">="), expr(1))),
      ),
      { maxLength: 3 },
    ),
  })
  .map(({ attrs, sense, objective, constraints }) => {
    const st = constraints
      .map(([a, rel, b, chain]) => `  ${a} ${rel} ${b}${chain ? ` ${chain[0]} ${chain[1]}` : ""}`)
      .join("\n");
    return `${HEAD(attrs)}${sense} ${objective}\n${st ? `subject to\n${st}\n` : ""}`;
  });

describe("random programs", () => {
  it("either compile to data that agrees with the source, or are rejected with a CompileError", () => {
    let compiled = 0;
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(program, fc.integer({ min: 1, max: 1000 }), (source, seed) => {
        let canon;
        try {
          canon = compileToCanonical(source);
        } catch (e) {
          if (e instanceof CompileError) {
            expect(e.diagnostics.length).toBeGreaterThan(0);
            const key = e.diagnostics[0].message.slice(0, 40);
            reasons.set(key, (reasons.get(key) ?? 0) + 1);
            return;
          }
          throw e;
        }
        compiled++;
        const ast = parse(source, "<input>");
        expect(compareWithSource(canon, ast, sample(canon, ast, makeRng(seed)))).toEqual([]);
      }),
      { numRuns: 1000, seed: 20261129 },
    );
    if (process.env.FUZZ_REASONS)
      console.log(
        compiled,
        [...reasons].sort((a, b) => b[1] - a[1]),
      );
    // the generator must reach the lowering, not only the rejections
    expect(compiled).toBeGreaterThan(100);
  });
});
