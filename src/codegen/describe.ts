import type {
  AffineMap,
  CanonicalQP,
  CanonParameter,
  ParamPolynomial,
  RowBlock,
} from "../canon/index.js";
import type { Span } from "../dsl/index.js";
import { auxiliaryName, columnOwners, nameColumns, type ColumnOwner } from "./columns.js";
import { blockEntries } from "./mapEntries.js";
import { rowRuns } from "./rowRuns.js";
import { summarizeBlock, type BlockSummary, type PlaceNamer } from "./structure.js";
import {
  alignColumns,
  alignColumnsWrappingLast,
  formatNumber,
  formatShape,
  indexRange,
  oneLine,
  truncate,
} from "./text.js";

// Source snippets longer than this are cut so that a table row stays within ~100 columns.
const MAX_SOURCE_TEXT = 40;
const MAX_WIDTH = 100;

/**
 * The canonical form as text for people (what `optnet compile FILE` prints): which columns of
 * z hold which variable, and for Q, q and every row block of A|b and G|h its structure, the
 * parameters it depends on and the source line it came from.
 */
export function describe(canon: CanonicalQP): string {
  const owners = columnOwners(canon);
  const lines = [
    ...headerLines(canon),
    ...parameterLines(canon),
    ...columnLines(canon),
    ...objectiveLines(canon, owners),
    ...rowSectionLines(canon, owners, "equality"),
    ...rowSectionLines(canon, owners, "inequality"),
  ];
  return lines.join("\n") + "\n";
}

function headerLines(canon: CanonicalQP): string[] {
  const constraints = [...(canon.m > 0 ? ["A z = b"] : []), ...(canon.p > 0 ? ["G z <= h"] : [])];
  const form =
    "minimize 1/2 z'Qz + q'z" +
    (constraints.length > 0 ? `  s.t.  ${constraints.join(",  ")}` : "");
  const sizes = `n=${canon.n}  m=${canon.m}  p=${canon.p}`;
  const dims = Object.entries(canon.dims).map(([name, value]) => `${name}=${value}`);
  return [
    `${oneLine(canon.file)}: ${form}     ${sizes}`,
    `  dims: ${dims.length > 0 ? dims.join(", ") : "none"}    θ: ${plural(canon.parameterSize, "entry", "entries")}`,
  ];
}

function parameterLines(canon: CanonicalQP): string[] {
  if (canon.parameters.length === 0) return [];
  const rows = canon.parameters.map((p) => [
    oneLine(p.name),
    formatShape(p.shape),
    p.size > 0 ? `θ[${indexRange(p.offset, p.size)}]` : "θ[]",
    declaration(canon, p.span, "parameter", p.name, p.shape, attributes(p)),
    lineOf(p.span),
  ]);
  return ["", "parameters", ...alignColumns(rows)];
}

function columnLines(canon: CanonicalQP): string[] {
  const variables = canon.variables.map((v) => ({
    column: v.column,
    cells: [
      indexRange(v.column, v.size),
      oneLine(v.name),
      formatShape(v.shape),
      declaration(canon, v.span, "variable", v.name, v.shape, []) +
        (v.output ? "" : " (not output)"),
      lineOf(v.span),
    ],
  }));
  const auxiliaries = canon.auxiliaries.map((a, i) => ({
    column: a.column,
    cells: [
      indexRange(a.column, a.size),
      auxiliaryName(i),
      formatShape([a.size]),
      `auxiliary for ${a.atom}: ${sourceText(a.text)}`,
      lineOf(a.span),
    ],
  }));
  const rows = [...variables, ...auxiliaries]
    .sort((a, b) => a.column - b.column)
    .map((r) => r.cells);
  return ["", "columns of z", ...alignColumns(rows)];
}

function objectiveLines(canon: CanonicalQP, owners: readonly ColumnOwner[]): string[] {
  const objective = canon.objective;
  const note =
    objective.sense === "maximize"
      ? ["  the canonical form minimizes its negation: Q, q and offset below are negated"]
      : [];
  const terms = objective.terms.map((t) => [
    "term",
    sourceText(t.text),
    t.dependsOn.length === 0 ? "no parameters" : `uses ${t.dependsOn.map(oneLine).join(", ")}`,
    lineOf(t.span),
  ]);
  const place = columnPlace(owners, canon.n);
  const Q = summarize(canon, canon.Q, 0, canon.n, place, false);
  const q = summarize(canon, canon.q, 0, canon.n, place, false);
  const blocks = [
    ["Q", `${canon.n}×${canon.n}`, Q.text, dependence(Q.parameters)],
    ["q", `${canon.n}`, q.text, dependence(q.parameters)],
    ["offset", "", formatPolynomial(canon, objective.offset), ""],
  ];
  return [
    "",
    `objective  ${objective.sense} ${sourceText(objective.text)}  ${lineOf(objective.span)}`,
    ...note,
    ...alignColumns([...terms, ...blocks]),
  ];
}

function rowSectionLines(
  canon: CanonicalQP,
  owners: readonly ColumnOwner[],
  kind: "equality" | "inequality",
): string[] {
  const equality = kind === "equality";
  const rowCount = equality ? canon.m : canon.p;
  if (rowCount === 0) return [];
  const [matrixName, vectorName] = equality ? ["A", "b"] : ["G", "h"];
  const matrix = equality ? canon.A : canon.G;
  const vector = equality ? canon.b : canon.h;
  const blocks = equality ? canon.equalityRows : canon.inequalityRows;
  const title = equality ? "equalities  A z = b" : "inequalities  G z <= h";
  const rows = rowRuns(blocks, rowCount).map(({ start, count, block }) => {
    const lhs = summarize(canon, matrix, start, count, columnPlace(owners, canon.n), !equality);
    const rhs = summarize(canon, vector, start, count, rowPlace(start, count), false);
    // The compiler knows bound rows as such even where the data alone could not say so.
    const knownBound = !equality && block?.structure === "bound" && !lhs.text.includes("(bound");
    return [
      `${count === 1 ? "row" : "rows"} ${indexRange(start, count)}`,
      matrixName!,
      knownBound ? `${lhs.text} (bounds)` : lhs.text,
      vectorName!,
      rhs.text,
      rowDependence(matrixName!, lhs, vectorName!, rhs),
      block === null ? "no recorded origin" : `${origin(block)}, ${lineOf(block.span)}`,
    ];
  });
  const header = `${title}   ${matrixName} ${rowCount}×${canon.n}, ${vectorName} ${rowCount}`;
  return ["", header, ...alignColumnsWrappingLast(rows, MAX_WIDTH)];
}

// ---- pieces --------------------------------------------------------------------------------

function summarize(
  canon: CanonicalQP,
  map: AffineMap,
  rowStart: number,
  rowCount: number,
  place: PlaceNamer,
  boundRows: boolean,
): BlockSummary {
  return summarizeBlock(blockEntries(map, rowStart, rowCount), {
    parameters: canon.parameters,
    place,
    boundRows,
  });
}

function columnPlace(owners: readonly ColumnOwner[], n: number): PlaceNamer {
  return (start, count) =>
    start === 0 && count === n ? "" : ` on ${nameColumns(owners, start, count)}`;
}

function rowPlace(blockStart: number, blockCount: number): PlaceNamer {
  return (start, count) =>
    start === 0 && count === blockCount ? "" : ` in rows ${indexRange(blockStart + start, count)}`;
}

function origin(block: RowBlock): string {
  const text = sourceText(block.text);
  return block.origin === "atom" && block.atom !== null ? `${block.atom} of ${text}` : text;
}

function dependence(parameters: readonly string[]): string {
  return parameters.length === 0 ? "constant" : `affine in ${parameters.join(", ")}`;
}

function rowDependence(
  matrixName: string,
  lhs: BlockSummary,
  vectorName: string,
  rhs: BlockSummary,
): string {
  if (lhs.parameters.length === 0 && rhs.parameters.length === 0) return "constant";
  if (rhs.parameters.length === 0) return `${matrixName} in ${lhs.parameters.join(", ")}`;
  if (lhs.parameters.length === 0) return `${vectorName} in ${rhs.parameters.join(", ")}`;
  return `${matrixName} in ${lhs.parameters.join(", ")}; ${vectorName} in ${rhs.parameters.join(", ")}`;
}

function formatPolynomial(canon: CanonicalQP, poly: ParamPolynomial): string {
  const names = (indices: readonly number[]) =>
    canon.parameters
      .filter((p) => indices.some((i) => i >= p.offset && i < p.offset + p.size))
      .map((p) => oneLine(p.name))
      .join(", ");
  const linear = poly.linear.param.filter((_, k) => poly.linear.coef[k] !== 0);
  const quadraticKeep = poly.quadratic.coef.map((c) => c !== 0);
  const quadratic = [
    ...poly.quadratic.a.filter((_, k) => quadraticKeep[k]),
    ...poly.quadratic.b.filter((_, k) => quadraticKeep[k]),
  ];
  const pieces = [
    ...(poly.constant !== 0 || (linear.length === 0 && quadratic.length === 0)
      ? [formatNumber(poly.constant)]
      : []),
    ...(linear.length > 0 ? [`linear in ${names(linear)}`] : []),
    ...(quadratic.length > 0 ? [`quadratic in ${names(quadratic)}`] : []),
  ];
  return pieces.join(" + ");
}

function attributes(p: CanonParameter): string[] {
  return [
    ...(p.nonneg ? ["nonneg"] : []),
    ...(p.nonpos ? ["nonpos"] : []),
    ...(p.psd ? ["psd"] : []),
  ];
}

/** The declaration as the user wrote it where the span's statement is one, else rebuilt. */
function declaration(
  canon: CanonicalQP,
  span: Span,
  keyword: string,
  name: string,
  shape: readonly number[],
  attrs: readonly string[],
): string {
  const written = oneLine(statementAround(canon.source, span.offset));
  if (written.startsWith(keyword + " ")) return truncate(written, MAX_SOURCE_TEXT);
  const dims = shape.length > 0 ? `[${shape.join(", ")}]` : "";
  return [`${keyword} ${name}${dims}`, ...attrs].join(" ");
}

/** The statement holding source offset `at`: bounded by line breaks, `;` and a `#` comment. */
function statementAround(source: string, at: number): string {
  let start = at;
  while (start > 0 && !"\n;".includes(source[start - 1]!)) start--;
  let end = at;
  while (end < source.length && !"\n;#".includes(source[end]!)) end++;
  return source.slice(start, end);
}

function sourceText(text: string): string {
  return truncate(oneLine(text), MAX_SOURCE_TEXT);
}

function lineOf(span: Span): string {
  return `line ${span.line}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
