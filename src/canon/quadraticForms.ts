/**
 * Quadratic forms written as products: in a chain of `*` factors, `e'e` → sum_squares(e),
 * `e' P e` and `e'(P e)` → quad_form(e, P), `x x` of a scalar → square(x). The chain's other
 * factors must be free of variables and become the coefficient (`0.5 z' P z`).
 */
import type { BinaryExpr, Expr } from "../dsl/index.js";
import { joinSpans } from "./diagnostics.js";
import type { Info } from "./info.js";
import { isScalar } from "./shape.js";

/** The atom call (times its coefficient factors) that a product of variables means, if any. */
export function findQuadraticForm(
  expr: BinaryExpr,
  check: (e: Expr) => Info | undefined,
): Expr | undefined {
  const hasVariables = (e: Expr) => (check(e)?.degree ?? 0) > 0;
  const factors = productFactors(expr);
  for (let i = 0; i < factors.length; i++) {
    const match = quadraticAt(factors, i, hasVariables, check);
    if (match === undefined) continue;
    const rest = [...factors.slice(0, i), ...factors.slice(i + match.length)];
    if (!rest.every((f) => check(f)?.degree === 0)) return undefined;
    const call: Expr = {
      kind: "call",
      callee: { kind: "identifier", name: match.atom, span: expr.span },
      args: match.args,
      span: expr.span,
    };
    return rest.reduceRight<Expr>(
      (acc, f) => ({
        kind: "binary",
        op: "*",
        implicit: false,
        left: f,
        right: acc,
        span: expr.span,
      }),
      call,
    );
  }
  return undefined;
}

function quadraticAt(
  factors: readonly Expr[],
  i: number,
  hasVariables: (e: Expr) => boolean,
  check: (e: Expr) => Info | undefined,
): { atom: string; args: Expr[]; length: number } | undefined {
  const f = factors[i];
  const next = factors[i + 1];
  if (next === undefined) return undefined;
  if (f.kind === "transpose" && hasVariables(f.operand)) {
    const e = f.operand;
    if (sameExpr(e, next)) return { atom: "sum_squares", args: [e], length: 2 };
    if (next.kind === "binary" && next.op === "*" && sameExpr(e, next.right))
      return { atom: "quad_form", args: [e, next.left], length: 2 };
    // e' P1 P2 … e: the factors between the two e's form P
    for (let j = i + 2; j < factors.length; j++) {
      if (hasVariables(factors[j - 1])) break;
      if (!sameExpr(e, factors[j])) continue;
      const middle = factors.slice(i + 1, j);
      const P = middle.slice(1).reduce<Expr>(
        (acc, m) => ({
          kind: "binary",
          op: "*",
          implicit: false,
          left: acc,
          right: m,
          span: joinSpans(acc.span, m.span),
        }),
        middle[0],
      );
      return { atom: "quad_form", args: [e, P], length: j - i + 1 };
    }
  }
  if (sameExpr(f, next) && hasVariables(f) && isScalar(check(f)?.shape ?? [0]))
    return { atom: "square", args: [f], length: 2 };
  return undefined;
}

/**
 * The factors of a left-associated chain of matrix products, left to right. A product on the
 * right was grouped by the user (`z'(2 P) z`) and stays one factor.
 */
function productFactors(expr: Expr): Expr[] {
  if (expr.kind === "binary" && expr.op === "*") return [...productFactors(expr.left), expr.right];
  return [expr];
}

/** Structural equality of two expressions (spans ignored). */
export function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(a, dropSpans) === JSON.stringify(b, dropSpans);
}

function dropSpans(key: string, value: unknown): unknown {
  return key === "span" ? undefined : value;
}
