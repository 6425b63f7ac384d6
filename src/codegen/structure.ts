import type { CanonParameter } from "../canon/index.js";
import type { BlockEntries, ConstantEntry, TermEntry } from "./mapEntries.js";
import { formatNumber, oneLine, scaled } from "./text.js";

/**
 * Names a run of positions along the block's varying axis (columns of a matrix, rows of a
 * vector) as a suffix like " on z"; "" when the run is the whole axis.
 */
export type PlaceNamer = (start: number, count: number) => string;

export interface SummaryContext {
  parameters: readonly CanonParameter[];
  place: PlaceNamer;
  /** Rows of G: rows that are ±e_j are then labelled as bounds. */
  boundRows: boolean;
}

export interface BlockSummary {
  /** Compact structure: `2·I`, `-I (bounds)`, `[1 1 1]`, `-2·x`, `dense 40×64`, … */
  text: string;
  /** Parameters the block depends on, in θ order. */
  parameters: string[];
}

// Longer summaries stop being readable in a table cell; fall back to naming the parameters.
const MAX_SUMMARY_LENGTH = 48;
const SMALL_VECTOR_LENGTH = 6;
const SMALL_MATRIX_ROWS = 3;
const SMALL_MATRIX_COLS = 10;
const SMALL_DIAGONAL = 6;
const MAX_DIAGONAL_RUNS = 3;

export function summarizeBlock(block: BlockEntries, context: SummaryContext): BlockSummary {
  const byParameter = groupTermsByParameter(block.terms, context.parameters);
  const constantPart = summarizeConstant(
    block.constants,
    block.rows,
    block.cols,
    context.place,
    // A row that also holds parameter entries is not a bound, whatever its constant part.
    context.boundRows && block.terms.length === 0,
  );
  const parameterParts = byParameter.map(({ parameter, terms }) =>
    summarizeParameter(parameter, terms, block.rows, block.cols, context.place),
  );
  const names = byParameter.map(({ parameter }) => oneLine(parameter.name));
  const pieces =
    constantPart === "0" && names.length > 0 ? parameterParts : [...parameterParts, constantPart];
  let text = pieces.join(" + ");
  if (text.length > MAX_SUMMARY_LENGTH) {
    text = `affine in ${names.join(", ")}` + (block.constants.length > 0 ? " + constant" : "");
  }
  return { text, parameters: names };
}

function groupTermsByParameter(
  terms: readonly TermEntry[],
  parameters: readonly CanonParameter[],
): { parameter: CanonParameter; terms: TermEntry[] }[] {
  const groups = new Map<CanonParameter, TermEntry[]>();
  for (const term of terms) {
    const parameter = parameters.find(
      (p) => term.param >= p.offset && term.param < p.offset + p.size,
    );
    if (parameter === undefined) continue;
    const group = groups.get(parameter) ?? [];
    group.push(term);
    groups.set(parameter, group);
  }
  return [...groups]
    .sort(([a], [b]) => a.offset - b.offset)
    .map(([parameter, group]) => ({ parameter, terms: group }));
}

// ---- parameter-free parts ------------------------------------------------------------------

function summarizeConstant(
  entries: readonly ConstantEntry[],
  rows: number,
  cols: number,
  place: PlaceNamer,
  boundRows: boolean,
): string {
  if (entries.length === 0) return "0";
  if (cols === 1) return summarizeConstantVector(entries, rows, place);
  const diagonal = shiftedDiagonal(entries);
  if (diagonal !== null) {
    const { firstCol } = diagonal;
    const values = entries.map((e) => e.value);
    const count = entries.length;
    const allUnit = values.every((v) => Math.abs(v) === 1);
    const selected = place(firstCol, 1).replace(/^ on /, "");
    // One ±1 entry selects one column: `x[0]` says that better than `I on x[0]`.
    if (count === 1 && rows === 1 && allUnit && selected !== "") {
      return scaled(values[0]!, selected) + (boundRows ? " (bound)" : "");
    }
    if (boundRows && allUnit && count === rows && values.every((v) => v === values[0])) {
      return `${scaled(values[0]!, "I")}${place(firstCol, count)} (bounds)`;
    }
    if (values.every((v) => v === values[0]))
      return `${scaled(values[0]!, "I")}${place(firstCol, count)}`;
    if (count <= SMALL_DIAGONAL)
      return `diag(${values.map(formatNumber).join(", ")})${place(firstCol, count)}`;
    const runs = equalRuns(values);
    if (runs.length <= MAX_DIAGONAL_RUNS) {
      return runs
        .map((run) => `${scaled(run.value, "I")}${place(firstCol + run.start, run.count)}`)
        .join(", ");
    }
    return `diagonal${place(firstCol, count)}`;
  }
  const perRow = countPerRow(entries, rows);
  const unitPerRow = perRow.every((k) => k === 1) && entries.every((e) => Math.abs(e.value) === 1);
  if (boundRows && unitPerRow) {
    return "±1 in one column per row (bounds)";
  }
  const firstValue = entries[0]!.value;
  if (perRow.every((k) => k === 1) && entries.every((e) => e.value === firstValue)) {
    const columns = entries.map((e) => e.col);
    const left = minimum(columns);
    const right = maximum(columns);
    return `${formatNumber(firstValue)} per row${place(left, right - left + 1)}`;
  }
  if (rows <= SMALL_MATRIX_ROWS && cols <= SMALL_MATRIX_COLS)
    return matrixLiteral(entries, rows, cols);
  if (entries.length >= 0.5 * rows * cols) return `dense ${rows}×${cols}`;
  if (perRow.every((k) => k === perRow[0])) {
    return `sparse, ${perRow[0]} nonzero${perRow[0] === 1 ? "" : "s"} per row`;
  }
  return `sparse, ${entries.length} nonzeros`;
}

function summarizeConstantVector(
  entries: readonly ConstantEntry[],
  rows: number,
  place: PlaceNamer,
): string {
  if (rows <= SMALL_VECTOR_LENGTH) return matrixLiteral(entries, 1, rows, true);
  const value = entries[0]!.value;
  const consecutive = entries.every((e, i) => e.row === entries[0]!.row + i);
  if (consecutive && entries.every((e) => e.value === value)) {
    if (entries.length === rows) return `all ${formatNumber(value)}`;
    return `${formatNumber(value)}${place(entries[0]!.row, entries.length)}`;
  }
  if (entries.length >= 0.5 * rows) return `dense ${rows}`;
  return `sparse, ${entries.length} nonzero${entries.length === 1 ? "" : "s"}`;
}

/** Maximal runs of equal consecutive values. */
function equalRuns(values: readonly number[]): { start: number; count: number; value: number }[] {
  const runs: { start: number; count: number; value: number }[] = [];
  values.forEach((value, i) => {
    const last = runs.at(-1);
    if (last !== undefined && last.value === value) last.count++;
    else runs.push({ start: i, count: 1, value });
  });
  return runs;
}

/** Entries that lie on one diagonal (col − row constant), one per row, in consecutive rows. */
function shiftedDiagonal(entries: readonly ConstantEntry[]): { firstCol: number } | null {
  const first = entries[0]!;
  const shift = first.col - first.row;
  const ok = entries.every((e, i) => e.row === first.row + i && e.col - e.row === shift);
  return ok ? { firstCol: first.col } : null;
}

function countPerRow(entries: readonly { row: number }[], rows: number): number[] {
  const counts = new Array<number>(rows).fill(0);
  for (const e of entries) counts[e.row] = (counts[e.row] ?? 0) + 1;
  return counts;
}

/** `[1 1 1]`, `[1 -1 0; 0 1 -1]`; with `asRow` the entries' rows index the single row. */
function matrixLiteral(
  entries: readonly ConstantEntry[],
  rows: number,
  cols: number,
  asRow = false,
): string {
  const dense: number[][] = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (const e of entries) {
    if (asRow) dense[0]![e.row] = e.value;
    else dense[e.row]![e.col] = e.value;
  }
  return `[${dense.map((row) => row.map(formatNumber).join(" ")).join("; ")}]`;
}

// ---- parameter parts -----------------------------------------------------------------------

/** How a parameter's entries can sit in a block: as itself, transposed, or symmetrised. */
const PLACEMENTS = [
  { suffix: "", direct: true, transposed: false },
  { suffix: "'", direct: false, transposed: true },
  { suffix: " + '", direct: true, transposed: true },
] as const;

function summarizeParameter(
  parameter: CanonParameter,
  terms: readonly TermEntry[],
  rows: number,
  cols: number,
  place: PlaceNamer,
): string {
  const name = oneLine(parameter.name);
  const isVector = cols === 1;
  const [pr, pc] = matrixShape(parameter.shape);
  const top = minimum(terms.map((t) => t.row));
  const left = minimum(terms.map((t) => t.col));
  const actual = new Map(terms.map((t) => [`${t.row},${t.col},${t.param}`, t.coef]));

  for (const placement of PLACEMENTS) {
    if (placement.direct && placement.transposed && pr !== pc) continue;
    if (parameter.size === 1 && placement.transposed) continue;
    const expected = new Map<string, number>();
    const add = (row: number, col: number, param: number) => {
      const key = `${row},${col},${param}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
    };
    for (let a = 0; a < pr; a++) {
      for (let b = 0; b < pc; b++) {
        const param = parameter.offset + a * pc + b;
        if (placement.direct) add(top + a, left + b, param);
        if (placement.transposed) add(top + b, left + a, param);
      }
    }
    const coef = proportionalTo(actual, expected);
    if (coef === null) continue;
    const shown = placement.suffix === " + '" ? `(${name} + ${name}')` : name + placement.suffix;
    const extent = placement.transposed && !placement.direct ? [pc, pr] : [pr, pc];
    const suffix = isVector ? place(top, extent[0]!) : place(left, extent[1]!);
    return scaled(coef, shown) + suffix;
  }

  if (parameter.size === 1) {
    const pattern = summarizeConstant(
      terms.map((t) => ({ row: t.row, col: t.col, value: t.coef })),
      rows,
      cols,
      place,
      false,
    );
    const scalarTimes = /^(-?[0-9.e+]+)( on .*| in rows .*)?$/.exec(pattern);
    if (scalarTimes !== null) return scaled(Number(scalarTimes[1]), name) + (scalarTimes[2] ?? "");
    return pattern.startsWith("[") ? `${name}·${pattern}` : `${name}·(${pattern})`;
  }
  return `affine in ${name}`;
}

function matrixShape(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, 1];
  return [shape[0]!, shape.slice(1).reduce((a, b) => a * b, 1)];
}

/** The c with actual = c·expected entrywise (same keys), or null. */
function proportionalTo(actual: Map<string, number>, expected: Map<string, number>): number | null {
  if (actual.size !== expected.size) return null;
  const [firstKey, firstExpected] = expected.entries().next().value ?? ["", 0];
  const firstActual = actual.get(firstKey);
  if (firstActual === undefined || firstExpected === 0) return null;
  const c = firstActual / firstExpected;
  for (const [key, e] of expected) {
    const a = actual.get(key);
    if (a === undefined || Math.abs(a - c * e) > 1e-12 * Math.max(1, Math.abs(a))) return null;
  }
  return c;
}

// Math.min(...xs) overflows the stack on very large blocks.
function minimum(values: readonly number[]): number {
  return values.reduce((a, b) => Math.min(a, b), Infinity);
}

function maximum(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), -Infinity);
}
