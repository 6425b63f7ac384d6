import type { Expr } from "../dsl/index.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { MAX_ENTRIES } from "./shape.js";
import { suggestName } from "./suggest.js";
import { describeKind, type Scope } from "./symbols.js";

/**
 * The value of a size expression (`n`, `n-1`, `2*n+1`): integer literals and dims under
 * `+ - *`. Returns undefined after reporting why not (or silently when a dim it uses was
 * itself broken).
 */
export function evaluateSizeExpr(
  expr: Expr,
  scope: Scope,
  diags: DiagnosticBag,
): number | undefined {
  switch (expr.kind) {
    case "number":
      if (!Number.isFinite(expr.value))
        return diags.error(expr.span, `the number \`${expr.text}\` is not finite`);
      return expr.value;
    case "name": {
      const symbol = scope.get(expr.name);
      if (symbol === undefined && scope.broken.has(expr.name)) return undefined;
      if (symbol === undefined) {
        const dims = [...scope.symbols.values()].filter((s) => s.kind === "dim").map((s) => s.name);
        return diags.error(expr.span, `unknown dim \`${expr.name}\``, suggestName(expr.name, dims));
      }
      if (symbol.kind !== "dim")
        return diags.error(
          expr.span,
          `\`${expr.name}\` is ${describeKind(symbol)}, not a dim: sizes are written with dims and integers`,
        );
      return Number.isNaN(symbol.value) ? undefined : symbol.value;
    }
    case "unary": {
      const v = evaluateSizeExpr(expr.operand, scope, diags);
      return v === undefined ? undefined : expr.op === "-" ? -v : v;
    }
    case "binary": {
      if (expr.op === "/" || expr.op === ".*")
        return diags.error(expr.span, `sizes use only \`+\`, \`-\` and \`*\`, not \`${expr.op}\``);
      const a = evaluateSizeExpr(expr.left, scope, diags);
      const b = evaluateSizeExpr(expr.right, scope, diags);
      if (a === undefined || b === undefined) return undefined;
      return expr.op === "+" ? a + b : expr.op === "-" ? a - b : a * b;
    }
    default:
      return diags.error(
        expr.span,
        "a size must be an integer expression over dims (e.g. `n-1`, `2*n+1`)",
      );
  }
}

/** A size that must be a positive integer within the limit. */
export function evaluateSize(expr: Expr, scope: Scope, diags: DiagnosticBag): number | undefined {
  const v = evaluateSizeExpr(expr, scope, diags);
  if (v === undefined) return undefined;
  return checkSizeValue(v, expr, diags);
}

export function checkSizeValue(
  v: number,
  at: { span: Expr["span"] },
  diags: DiagnosticBag,
): number | undefined {
  if (!Number.isInteger(v) || v < 1)
    return diags.error(at.span, `a size must be a positive integer, but this is ${v}`);
  if (v > MAX_ENTRIES)
    return diags.error(at.span, `the size ${v} exceeds the limit of ${MAX_ENTRIES} entries`);
  return v;
}
