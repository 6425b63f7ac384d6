import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompileError, parse, printExpr, printProgram } from "../../src/dsl/index.js";
import { parseExpr, withoutSpans } from "./helpers.js";

/** A generated expression: its source text and its tree in printExpr's parenthesized form. */
interface Sample {
  source: string;
  shape: string;
}

const same = (text: string): Sample => ({ source: text, shape: text });
const name = fc.constantFrom("x", "z", "A", "lam", "n", "D", "y1", "w_2").map(same);
const number = fc.constantFrom("0", "1", "2", "0.5", "1e-3", "3.25", ".5").map(same);
const atom = fc.oneof(name, number);

const expressions = fc.letrec<{ expr: Sample; juxtaposable: Sample }>((tie) => ({
  expr: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc
      .tuple(tie("expr"), fc.constantFrom("+", "-", "*", ".*", "/"), tie("expr"))
      .map(([l, op, r]) => ({
        source: `(${l.source} ${op} ${r.source})`,
        shape: `(${l.shape} ${op} ${r.shape})`,
      })),
    // Juxtaposition shows as `*` in the parenthesized form.
    fc.tuple(tie("expr"), tie("juxtaposable")).map(([l, r]) => ({
      source: `(${l.source} ${r.source})`,
      shape: `(${l.shape} * ${r.shape})`,
    })),
    fc.tuple(fc.constantFrom("-", "+"), tie("expr")).map(([op, e]) => ({
      source: `(${op}${e.source})`,
      shape: `(${op}${e.shape})`,
    })),
    fc.tuple(tie("expr"), tie("expr")).map(([b, e]) => ({
      source: `(${b.source} ^ ${e.source})`,
      shape: `(${b.shape} ^ ${e.shape})`,
    })),
    tie("expr").map((e) => ({ source: `${e.source}'`, shape: `${e.shape}'` })),
    tie("juxtaposable"),
    fc
      .tuple(
        tie("expr"),
        fc.array(
          fc.oneof(
            tie("expr"),
            fc.tuple(fc.option(tie("expr")), fc.option(tie("expr"))).map(([a, b]) => ({
              source: `${a?.source ?? ""}:${b?.source ?? ""}`,
              shape: `${a?.shape ?? ""}:${b?.shape ?? ""}`,
            })),
          ),
          { minLength: 1, maxLength: 2 },
        ),
      )
      .map(([base, items]) => ({
        source: `${base.source}[${items.map((i) => i.source).join(", ")}]`,
        shape: `${base.shape}[${items.map((i) => i.shape).join(", ")}]`,
      })),
  ),
  // What may follow an operand directly: a juxtaposed factor (never a number: `x 2` is refused).
  juxtaposable: fc.oneof(
    { depthSize: "small" },
    name,
    fc
      .tuple(tie("expr"), fc.constantFrom("", "_1", "_2", "_inf"))
      .map(([e, p]) => ({ source: `||${e.source}||${p}`, shape: `||${e.shape}||${p}` })),
    fc
      .tuple(fc.constantFrom("sum", "max", "quad_form"), fc.array(tie("expr"), { maxLength: 3 }))
      .map(([f, args]) => ({
        source: `${f}(${args.map((a) => a.source).join(", ")})`,
        shape: `${f}(${args.map((a) => a.shape).join(", ")})`,
      })),
  ),
}));
const expr = expressions.expr;

describe("random well-formed expressions", () => {
  it("parse to the tree they describe", () => {
    fc.assert(
      fc.property(expr, (sample) => {
        expect(printExpr(parseExpr(sample.source), { parens: true })).toBe(sample.shape);
      }),
      { numRuns: 300 },
    );
  });

  it("print to text that parses back to the same tree", () => {
    fc.assert(
      fc.property(expr, (sample) => {
        const tree = parseExpr(sample.source);
        const printed = printExpr(tree);
        expect(withoutSpans(parseExpr(printed))).toEqual(withoutSpans(tree));
      }),
      { numRuns: 300 },
    );
  });
});

const statement = fc.oneof(
  fc.tuple(fc.constantFrom("n", "m", "T"), fc.nat(50)).map(([n, v]) => `dim ${n} = ${v}`),
  fc
    .tuple(fc.constantFrom("parameter", "variable"), fc.constantFrom("x", "A", "t"))
    .chain(([kw, n]) =>
      fc
        .tuple(fc.array(expr, { maxLength: 2 }), fc.subarray(["nonneg", "psd"]))
        .map(([dims, attrs]) => {
          const shape = dims.length > 0 ? `[${dims.map((d) => d.source).join(", ")}]` : "";
          return [`${kw} ${n}${shape}`, ...attrs].join(" ");
        }),
    ),
  expr.map((e) => `constant C = ${e.source}`),
  fc.tuple(fc.constantFrom("minimize", "maximize"), expr).map(([s, e]) => `${s} ${e.source}`),
  fc
    .tuple(
      fc.constantFrom("subject to", "s.t."),
      fc.array(
        fc
          .tuple(
            expr,
            fc.array(fc.tuple(fc.constantFrom("==", "=", "<=", ">="), expr), {
              minLength: 1,
              maxLength: 2,
            }),
          )
          .map(([first, rest]) =>
            [first.source, ...rest.map(([r, e]) => `${r} ${e.source}`)].join(" "),
          ),
        { minLength: 1, maxLength: 3 },
      ),
      fc.constantFrom(", ", "\n  ", ",\n  "),
    )
    .map(([kw, constraints, sep]) => `${kw} ${constraints.join(sep)}`),
  fc.constantFrom("output z", "output z, t", "output z t"),
);

const separator = fc.constantFrom("\n", "; ", "\n\n", " # note\n", "\r\n", "\n\t");

describe("random well-formed programs", () => {
  it("parse, print and parse back to the same tree", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(statement, separator), { maxLength: 6 }), (parts) => {
        const source = parts.map(([s, sep]) => s + sep).join("");
        const program = parse(source);
        expect(withoutSpans(parse(printProgram(program)))).toEqual(withoutSpans(program));
      }),
      { numRuns: 200 },
    );
  });
});

const examplesDir = fileURLToPath(new URL("../../examples/", import.meta.url));
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith(".qp"))
  .map((f) => readFileSync(examplesDir + f, "utf8"));

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("delete" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.string({ maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.constantFrom(
      "||",
      "(",
      ")",
      "[",
      "]",
      "'",
      "^",
      "-",
      ",",
      ";",
      "\n",
      "s.t.",
      "_1",
      "=",
      "<",
      ":",
      "é",
    ),
  }),
  fc.record({
    kind: fc.constant("replace" as const),
    at: fc.nat(),
    text: fc.string({ unit: "binary", maxLength: 2 }),
  }),
);

type Mutation =
  | { kind: "delete"; at: number; length: number }
  | { kind: "insert" | "replace"; at: number; text: string };

function mutate(source: string, m: Mutation): string {
  const at = m.at % (source.length + 1);
  if (m.kind === "delete") return source.slice(0, at) + source.slice(at + m.length);
  if (m.kind === "insert") return source.slice(0, at) + m.text + source.slice(at);
  return source.slice(0, at) + m.text + source.slice(at + m.text.length);
}

describe("mutated examples", () => {
  it("either parse or throw a CompileError whose diagnostics point inside the source", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (source, ms) => {
          const mutated = ms.reduce((s, m) => mutate(s, m), source);
          try {
            parse(mutated);
          } catch (e) {
            expect(e).toBeInstanceOf(CompileError);
            for (const d of (e as CompileError).diagnostics) {
              expect(d.message).not.toMatch(/internal error/);
              expect(d.span.offset).toBeGreaterThanOrEqual(0);
              expect(d.span.offset).toBeLessThanOrEqual(mutated.length);
              expect(d.span.line).toBeGreaterThanOrEqual(1);
              expect(d.span.column).toBeGreaterThanOrEqual(1);
            }
            expect(() => (e as CompileError).message).not.toThrow();
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
