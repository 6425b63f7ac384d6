import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, CompileError, solveQP } from "../../src/index.js";
import { allFinite } from "./helpers.js";

/**
 * Property tests: whatever text the compiler is given, it either compiles or throws a
 * CompileError (never another error); whatever numbers the solver is given, every member gets a
 * status from the documented set and no NaN comes out, in the solution or its gradients.
 */

const STATUSES = ["solved", "infeasible", "unbounded", "max_iterations", "numerical_error"];

const examples = readdirSync("examples")
  .filter((f) => f.endsWith(".qp"))
  .map((f) => readFileSync(`examples/${f}`, "utf8"));

/** Compiles; true when it compiled, false for a CompileError; rethrows anything else. */
function compiles(source: string): boolean {
  try {
    compile(source);
    return true;
  } catch (error) {
    if (error instanceof CompileError) {
      expect(error.diagnostics.length).toBeGreaterThan(0);
      for (const d of error.diagnostics) {
        expect(d.span.line).toBeGreaterThanOrEqual(1);
        expect(d.span.column).toBeGreaterThanOrEqual(1);
      }
      return false;
    }
    throw error;
  }
}

const pieces = [
  "||",
  "|",
  "(",
  ")",
  "[",
  "]",
  "'",
  ",",
  ";",
  "\n",
  "\r\n",
  "\t",
  ":",
  "^",
  "*",
  ".*",
  "/",
  "+",
  "-",
  "=",
  "==",
  "<=",
  ">=",
  "<",
  ">",
  "#",
  "_1",
  "_inf",
  "1e999",
  "0",
  "-1",
  "1.5",
  "n",
  "z",
  "x",
  "dim",
  "parameter",
  "variable",
  "minimize",
  "maximize",
  "subject to",
  "s.t.",
  "output",
  "constant",
  "psd",
  "nonneg",
  "sum",
  "abs",
  "quad_form",
  "huber",
  "max",
  "eye(n)",
  "diff(n)",
  "\u0000",
  "é",
  "λ",
  "\ufeff",
  "\u2028",
];

describe("the compiler on random text", () => {
  it("random strings end in a CompileError or a layer", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (text) => {
        compiles(text);
      }),
      { numRuns: 300, seed: 1 },
    );
  });

  it("random sequences of the language's own tokens end in a CompileError or a layer", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 60 }), (tokens) => {
        compiles(tokens.join(" "));
      }),
      { numRuns: 300, seed: 2 },
    );
  });

  it("mutated example programs end in a CompileError or a layer", () => {
    const mutation = fc.record({
      example: fc.nat({ max: examples.length - 1 }),
      at: fc.nat(),
      cut: fc.nat({ max: 8 }),
      insert: fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4, unit: "binary" })),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (edits) => {
        let source = examples[edits[0]!.example]!;
        for (const { at, cut, insert } of edits) {
          const i = at % (source.length + 1);
          source = source.slice(0, i) + insert + source.slice(i + cut);
        }
        compiles(source);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

/** A random QP member: n ≤ 5 variables, p ≤ 6 inequalities, m ≤ 2 equalities, any scale. */
const scale = fc.constantFrom(1, 1e-8, 1e8, 1e-150, 1e150);
const entry = fc.double({ min: -10, max: 10, noNaN: true });
const qpData = fc
  .record({
    n: fc.integer({ min: 1, max: 5 }),
    p: fc.integer({ min: 0, max: 6 }),
    m: fc.integer({ min: 0, max: 2 }),
    psd: fc.boolean(),
    scaleQ: scale,
    scaleRest: scale,
    seed: fc.array(entry, { minLength: 128, maxLength: 128 }),
  })
  .map(({ n, p, m, psd, scaleQ, scaleRest, seed }) => {
    let k = 0;
    const next = () => seed[k++ % seed.length]!;
    const U = Array.from({ length: n }, () => Array.from({ length: n }, next));
    // Q = U'U (positive semidefinite, often singular when psd is false and U is rank deficient).
    const Q = U.map((_, i) =>
      U.map((__, j) => scaleQ * U.reduce((s, row) => s + (psd ? row[i]! * row[j]! : 0), 0)),
    );
    const q = Array.from({ length: n }, () => scaleRest * next());
    const G = Array.from({ length: p }, () => Array.from({ length: n }, () => scaleRest * next()));
    const h = Array.from({ length: p }, () => scaleRest * next());
    const A = Array.from({ length: m }, () => Array.from({ length: n }, () => scaleRest * next()));
    const b = Array.from({ length: m }, () => scaleRest * next());
    return { n, Q, q, G, h, A, b };
  });

describe("solveQP on random data, feasible or not, of any scale", () => {
  it("gives every member an allowed status and finite z, lam, nu and gradients", () => {
    fc.assert(
      fc.property(qpData, ({ n, Q, q, G, h, A, b }) => {
        const args = {
          Q,
          q,
          ...(G.length > 0 ? { G, h } : {}),
          ...(A.length > 0 ? { A, b } : {}),
        };
        const r = solveQP(args, { maxIter: 30 });
        expect(STATUSES).toContain(r.status[0]);
        expect(allFinite([r.z, r.lam, r.nu])).toBe(true);
        const g = r.vjp(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1)));
        expect(allFinite(g)).toBe(true);
        if (r.status[0] !== "solved") {
          expect(
            [g.Q, g.q, g.G, g.h, g.A, g.b].flat(3).every((v) => v === 0 || v === undefined),
          ).toBe(true);
        }
      }),
      { numRuns: 150, seed: 4 },
    );
  });

  it("solves each member of a random batch exactly as it solves that member alone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(qpData, { minLength: 3, maxLength: 3 }),
        (n, members) => {
          // One n for the whole batch: regenerate each member's data at that size.
          const sized = members.map((m) => ({
            Q: Array.from({ length: n }, (_, i) =>
              Array.from({ length: n }, (__, j) => m.Q[i % m.n]![j % m.n]! + (i === j ? 1e-3 : 0)),
            ),
            q: Array.from({ length: n }, (_, i) => m.q[i % m.n]!),
            G: Array.from({ length: 3 }, (_, r) =>
              Array.from({ length: n }, (__, j) => m.G[r]?.[j % m.n] ?? (r === j ? 1 : 0)),
            ),
            h: Array.from({ length: 3 }, (_, r) => m.h[r] ?? 1),
          }));
          const together = solveQP({
            Q: sized.map((m) => m.Q),
            q: sized.map((m) => m.q),
            G: sized.map((m) => m.G),
            h: sized.map((m) => m.h),
          });
          sized.forEach((m, b) => {
            const alone = solveQP(m);
            expect(together.status[b]).toBe(alone.status[0]);
            if (alone.status[0] !== "solved") return;
            const scale = Math.max(1, ...alone.z[0]!.map(Math.abs));
            together.z[b]!.forEach((v, j) => {
              expect(Math.abs(v - alone.z[0]![j]!)).toBeLessThanOrEqual(1e-9 * scale);
            });
          });
        },
      ),
      { numRuns: 100, seed: 5 },
    );
  });
});
