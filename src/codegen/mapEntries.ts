import type { AffineMap } from "../canon/index.js";

/** One merged constant entry of a block, at block-local coordinates. */
export interface ConstantEntry {
  row: number;
  col: number;
  value: number;
}

/** One merged parameter entry of a block: X[row, col] += coef · θ[param]. */
export interface TermEntry {
  row: number;
  col: number;
  param: number;
  coef: number;
}

/** The entries of rows `rowStart .. rowStart+rowCount-1` of a map, repeats summed, zeros dropped. */
export interface BlockEntries {
  rows: number;
  cols: number;
  constants: ConstantEntry[];
  terms: TermEntry[];
}

export function blockEntries(map: AffineMap, rowStart = 0, rowCount = map.rows): BlockEntries {
  const cols = map.cols;
  const first = rowStart * cols;
  const end = (rowStart + rowCount) * cols;
  const constantSum = new Map<number, number>();
  map.constant.index.forEach((index, k) => {
    if (index < first || index >= end) return;
    constantSum.set(index, (constantSum.get(index) ?? 0) + (map.constant.value[k] ?? 0));
  });
  const termSum = new Map<string, { index: number; param: number; coef: number }>();
  map.terms.index.forEach((index, k) => {
    if (index < first || index >= end) return;
    const param = map.terms.param[k] ?? 0;
    const key = `${index}:${param}`;
    const entry = termSum.get(key) ?? { index, param, coef: 0 };
    entry.coef += map.terms.coef[k] ?? 0;
    termSum.set(key, entry);
  });
  const local = (index: number) => ({
    row: Math.floor(index / cols) - rowStart,
    col: index % cols,
  });
  const constants = [...constantSum]
    .filter(([, value]) => value !== 0)
    .sort(([a], [b]) => a - b)
    .map(([index, value]) => ({ ...local(index), value }));
  const terms = [...termSum.values()]
    .filter((t) => t.coef !== 0)
    .sort((a, b) => a.index - b.index || a.param - b.param)
    .map((t) => ({ ...local(t.index), param: t.param, coef: t.coef }));
  return { rows: rowCount, cols, constants, terms };
}
