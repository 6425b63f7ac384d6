import type { Expr, IndexExpr } from "../dsl/index.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { formatShape, normalizeShape, type Shape } from "./shape.js";

/** Entries chosen by an index or slice expression: the result's shape and row-major indices. */
export interface Pick {
  shape: Shape;
  flat: number[];
}

/**
 * `z[i]`, `z[a:b]`, `X[i, :]`, `X[a:b, j]`: 0-based, end-exclusive, bounds checked. A row of a
 * matrix is a 1×c row, a column a vector.
 */
export function resolveIndex(
  expr: IndexExpr,
  baseShape: Shape,
  integer: (e: Expr) => number | undefined,
  diags: DiagnosticBag,
): Pick | undefined {
  const rank = baseShape.length;
  if (rank === 0) return diags.error(expr.span, "a scalar cannot be indexed");
  if (expr.indices.length !== rank)
    return diags.error(
      expr.span,
      `a ${formatShape(baseShape)} takes ${rank} ind${rank === 1 ? "ex" : "ices"}, not ${expr.indices.length}`,
    );
  const ranges: { start: number; count: number; slice: boolean }[] = [];
  for (let d = 0; d < rank; d++) {
    const length = baseShape[d];
    const item = expr.indices[d];
    if (item.kind === "slice") {
      const start = item.start === null ? 0 : integer(item.start);
      const end = item.end === null ? length : integer(item.end);
      if (start === undefined || end === undefined) return undefined;
      if (start < 0 || end > length || start >= end)
        return diags.error(
          item.span,
          `the slice ${start}:${end} is out of bounds for a dimension of length ${length} (0-based, end-exclusive)`,
        );
      ranges.push({ start, count: end - start, slice: true });
    } else {
      const i = integer(item);
      if (i === undefined) return undefined;
      if (i < 0 || i >= length)
        return diags.error(
          item.span,
          `the index ${i} is out of bounds for a dimension of length ${length} (0-based)`,
        );
      ranges.push({ start: i, count: 1, slice: false });
    }
  }
  const cols = rank === 2 ? baseShape[1] : 1;
  const [rowRange, colRange] =
    rank === 2 ? ranges : [ranges[0], { start: 0, count: 1, slice: false }];
  const flat: number[] = [];
  for (let i = 0; i < rowRange.count; i++)
    for (let j = 0; j < colRange.count; j++)
      flat.push((rowRange.start + i) * cols + colRange.start + j);
  if (rank === 1) return { shape: normalizeShape([rowRange.count]), flat };
  // X[i, a:b] keeps its row shape; X[a:b, j] is a column vector.
  const rows = rowRange.slice ? rowRange.count : 1;
  const shape = normalizeShape([rows, colRange.slice ? colRange.count : 1]);
  return {
    shape: !rowRange.slice && colRange.slice ? normalizeShape([1, colRange.count]) : shape,
    flat,
  };
}
