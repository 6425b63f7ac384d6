import type { AffineMap, CanonicalQP, RowBlock } from "../canon/index.js";
import type { Span } from "../dsl/index.js";
import { rowRuns } from "./rowRuns.js";
import { commentText, indexRange, truncate } from "./text.js";

/**
 * The constant tables of a generated module: each map's entries reordered by row, and the rows
 * split into segments by origin (a source constraint, an atom, the objective), so that the
 * generated loops can say where each run of rows came from.
 */

export type MapName = "Q" | "q" | "A" | "b" | "G" | "h";

/** A run of rows of one map with one origin, and the ranges of its entries in the tables. */
export interface Segment {
  rowStart: number;
  rowCount: number;
  comment: string;
  constant: [number, number];
  terms: [number, number];
}

/** One map's entries reordered by row (stably, so repeated entries add in the same order). */
export interface MapTables {
  name: MapName;
  map: AffineMap;
  constantOrder: number[];
  termOrder: number[];
  segments: Segment[];
}

export const MAP_NAMES: readonly MapName[] = ["Q", "q", "A", "b", "G", "h"];
// Source snippets in comments are cut here so generated lines stay short.
export const MAX_COMMENT_TEXT = 60;

export function mapTables(canon: CanonicalQP, name: MapName): MapTables {
  const map = canon[name];
  const rowOf = (index: number) => Math.floor(index / map.cols);
  const byRow = (indices: readonly number[]) =>
    indices.map((_, k) => k).sort((a, b) => rowOf(indices[a]!) - rowOf(indices[b]!) || a - b);
  const constantOrder = byRow(map.constant.index);
  const termOrder = byRow(map.terms.index);
  const rowRanges = rowSegments(canon, name, map.rows);
  const rangeOf = (
    order: readonly number[],
    indices: readonly number[],
    from: number,
    to: number,
  ) => {
    const rows = order.map((k) => rowOf(indices[k]!));
    const first = rows.findIndex((r) => r >= from);
    const start = first === -1 ? rows.length : first;
    let end = start;
    while (end < rows.length && rows[end]! < to) end++;
    return [start, end] as [number, number];
  };
  const segments = rowRanges.map(({ rowStart, rowCount, comment }) => ({
    rowStart,
    rowCount,
    comment,
    constant: rangeOf(constantOrder, map.constant.index, rowStart, rowStart + rowCount),
    terms: rangeOf(termOrder, map.terms.index, rowStart, rowStart + rowCount),
  }));
  return { name, map, constantOrder, termOrder, segments };
}

/** Row runs of a map with what they came from: the objective for Q and q, row blocks for the rest. */
function rowSegments(
  canon: CanonicalQP,
  name: MapName,
  rows: number,
): { rowStart: number; rowCount: number; comment: string }[] {
  if (rows === 0) return [];
  if (name === "Q" || name === "q") {
    const objective = canon.objective;
    return [
      {
        rowStart: 0,
        rowCount: rows,
        comment: `objective: ${objective.sense} ${source(objective.text, objective.span)}`,
      },
    ];
  }
  const blocks = name === "A" || name === "b" ? canon.equalityRows : canon.inequalityRows;
  return rowRuns(blocks, rows).map(({ start, count, block }) => ({
    rowStart: start,
    rowCount: count,
    comment: block === null ? "rows with no recorded origin" : blockOrigin(block),
  }));
}

function blockOrigin(block: RowBlock): string {
  const what = block.origin === "atom" && block.atom !== null ? `${block.atom} of ` : "";
  return `${what}${source(block.text, block.span)}`;
}

function source(text: string, span: Span): string {
  return `${truncate(commentText(text), MAX_COMMENT_TEXT)}, line ${span.line}`;
}

export function tableName(name: MapName, part: string): string {
  return `${name}_${part}`;
}

export function tableDeclarations(tables: MapTables): string[] {
  const { name, map } = tables;
  const shape = map.cols === 1 ? `${map.rows}` : `${map.rows}×${map.cols}`;
  const lines = [""];
  lines.push(`// ${name} (${shape}): ${describeTables(tables)}`);
  const constantIndex = tables.constantOrder.map((k) => map.constant.index[k]!);
  const constantValue = tables.constantOrder.map((k) => map.constant.value[k]!);
  const termIndex = tables.termOrder.map((k) => map.terms.index[k]!);
  const termParam = tables.termOrder.map((k) => map.terms.param[k]!);
  const termCoef = tables.termOrder.map((k) => map.terms.coef[k]!);
  if (constantIndex.length > 0) {
    lines.push(
      `const ${tableName(name, "CONSTANT_INDEX")} = ${typedArray("Int32Array", constantIndex)};`,
    );
    lines.push(
      `const ${tableName(name, "CONSTANT_VALUE")} = ${typedArray("Float64Array", constantValue)};`,
    );
  }
  if (termIndex.length > 0) {
    lines.push(`const ${tableName(name, "TERM_INDEX")} = ${typedArray("Int32Array", termIndex)};`);
    lines.push(`const ${tableName(name, "TERM_PARAM")} = ${typedArray("Int32Array", termParam)};`);
    lines.push(`const ${tableName(name, "TERM_COEF")} = ${typedArray("Float64Array", termCoef)};`);
  }
  return lines;
}

function describeTables(tables: MapTables): string {
  const constants = tables.constantOrder.length;
  const terms = tables.termOrder.length;
  if (constants === 0 && terms === 0) return "all zero";
  return `${constants} constant entr${constants === 1 ? "y" : "ies"}, ${terms} parameter entr${terms === 1 ? "y" : "ies"}`;
}

function typedArray(kind: "Int32Array" | "Float64Array", values: readonly number[]): string {
  // String(number) is the shortest text that reads back as the same float64.
  return `new ${kind}([${values.map((v) => String(v)).join(", ")}])`;
}

export function hasEntries(segment: Segment): boolean {
  return segment.constant[1] > segment.constant[0] || segment.terms[1] > segment.terms[0];
}

export function segmentTitle(tables: MapTables, segment: Segment): string {
  const whole = segment.rowStart === 0 && segment.rowCount === tables.map.rows;
  if (whole) return tables.name;
  const rows = segment.rowCount === 1 ? "row" : "rows";
  return `${tables.name} ${rows} ${indexRange(segment.rowStart, segment.rowCount)}`;
}
