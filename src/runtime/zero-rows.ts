import type { CanonicalQP } from "../canon/index.js";
import type { BatchOperand, QPBatch } from "../solver/index.js";
import type { PreparedMap } from "./affine.js";
import type { PreparedProblem } from "./problem.js";
import { entryIndex } from "./values.js";

/**
 * A source constraint that lost every variable for one member: its coefficients depend on
 * parameters, and this member's values make them all zero (`p * z <= 1` with p = 0). The member
 * is still solved (0 <= h is a legitimate row, infeasible when h < 0), but the constraint no
 * longer restricts what its author meant it to, so it is reported rather than passed over.
 */
export interface SolveWarning {
  /** Index of the source constraint, as in `out.duals` (each link of a chain is one). */
  constraint: number;
  /** The constraint's source text, e.g. "p * z <= 1". */
  text: string;
  line: number;
  /** The entries (multi-indices in the constraint's shape) left without variables; [[]] for a scalar one. */
  entries: number[][];
  /** Whether every such entry still holds (0 <= 1), or some cannot (0 <= -1: infeasible). */
  holds: boolean;
  message: string;
}

/** The rows of one source constraint whose coefficients on z read parameters. */
interface WatchedConstraint {
  constraint: number;
  equality: boolean;
  rows: number[];
  /**
   * Per row, the columns where it can be nonzero (a constant entry or a parameter term): only
   * these are read at each solve, so a banded row of a long z costs its band, not n.
   */
  columns: Int32Array[];
}

/**
 * The constraints to check at each solve: those with a row of A or G that depends on a parameter.
 * A row of constant zeros is the compiler's to refuse; only parameters can empty one at solve time.
 */
export function watchZeroRows(canon: CanonicalQP, prepared: PreparedProblem): WatchedConstraint[] {
  const { n } = canon;
  const termColumns = (map: PreparedMap) => {
    const byRow = new Map<number, Set<number>>();
    for (const i of map.index) {
      const row = Math.floor(i / n);
      let set = byRow.get(row);
      if (set === undefined) byRow.set(row, (set = new Set()));
      set.add(i % n);
    }
    return byRow;
  };
  const termsA = termColumns(prepared.maps.A);
  const termsG = termColumns(prepared.maps.G);
  const watched: WatchedConstraint[] = [];
  canon.constraints.forEach((c, constraint) => {
    const map = c.equality ? prepared.maps.A : prepared.maps.G;
    const terms = c.equality ? termsA : termsG;
    const rows: number[] = [];
    const columns: Int32Array[] = [];
    for (let r = c.start; r < c.start + c.count; r++) {
      const withTerms = terms.get(r);
      if (withTerms === undefined) continue;
      const candidates = new Set(withTerms);
      for (let j = 0; j < n; j++) if (map.constant[r * n + j] !== 0) candidates.add(j);
      rows.push(r);
      columns.push(Int32Array.from(candidates));
    }
    if (rows.length > 0) watched.push({ constraint, equality: c.equality, rows, columns });
  });
  return watched;
}

/** Per member, the watched constraints that this member's parameters leave without variables. */
export function findZeroRows(
  canon: CanonicalQP,
  watched: readonly WatchedConstraint[],
  problem: QPBatch,
): SolveWarning[][] {
  const warnings: SolveWarning[][] = Array.from({ length: problem.batch }, () => []);
  if (watched.length === 0) return warnings;
  const { n, m, p } = problem;
  for (let b = 0; b < problem.batch; b++) {
    for (const w of watched) {
      const matrix = w.equality ? problem.A : problem.G;
      const rhs = w.equality ? problem.b : problem.h;
      const rowCount = w.equality ? m : p;
      const zero = w.rows.filter((r, k) => isZeroRow(matrix, b, rowCount, n, r, w.columns[k]));
      if (zero.length > 0) warnings[b].push(warningFor(canon, w, zero, rhs, b, rowCount));
    }
  }
  return warnings;
}

function isZeroRow(
  matrix: BatchOperand,
  member: number,
  rows: number,
  n: number,
  row: number,
  columns: Int32Array,
): boolean {
  const start = (matrix.shared ? 0 : member * rows * n) + row * n;
  for (const j of columns) if (matrix.data[start + j] !== 0) return false;
  return true;
}

/** Entries listed in a message before the rest are counted. */
const LISTED_ENTRIES = 5;

function warningFor(
  canon: CanonicalQP,
  watched: WatchedConstraint,
  zeroRows: readonly number[],
  rhs: BatchOperand,
  member: number,
  rowCount: number,
): SolveWarning {
  const c = canon.constraints[watched.constraint];
  const size = c.shape.reduce((a, d) => a * d, 1);
  const offset = rhs.shared ? 0 : member * rowCount;
  // The row reads 0 = b or 0 <= h; in the user's direction, a >= link reads 0 >= −h.
  const reading = (r: number) => {
    const value = rhs.data[offset + r];
    if (c.relation === "==") return { text: `0 = ${formatNumber(value)}`, holds: value === 0 };
    if (c.relation === ">=") return { text: `0 >= ${formatNumber(-value)}`, holds: value >= 0 };
    return { text: `0 <= ${formatNumber(value)}`, holds: value >= 0 };
  };
  // The pieces of one entry (`abs(p z) <= 1` has two rows per entry) read the same: one mention.
  const byEntry = new Map<number, ReturnType<typeof reading>>();
  for (const r of zeroRows) {
    const entry = (r - c.start) % size;
    const previous = byEntry.get(entry);
    const next = reading(r);
    if (previous === undefined || (previous.holds && !next.holds)) byEntry.set(entry, next);
  }
  const entries = [...byEntry.keys()].map((e) => entryIndex(e, c.shape));
  const readings = [...byEntry.values()];
  const holds = readings.every((r) => r.holds);
  const scalar = c.shape.length === 0;
  const listed = (items: string[]) =>
    items.slice(0, LISTED_ENTRIES).join(", ") +
    (items.length > LISTED_ENTRIES ? ` and ${items.length - LISTED_ENTRIES} more` : "");
  const where = scalar
    ? ""
    : ` in ${entries.length === 1 ? "entry" : "entries"} ` +
      listed(entries.map((e) => `[${e.join(", ")}]`));
  const one = readings.length === 1;
  const outcome = holds
    ? `${one ? "which always holds" : "which all hold"} ` +
      `(${scalar ? "the constraint restricts" : `${one ? "this entry restricts" : "these entries restrict"}`} nothing)`
    : `${one ? "which never holds" : "not all of which can hold"} (the member is infeasible)`;
  const message =
    `line ${c.span.line}: \`${c.text}\` has only zero coefficients on the variables${where} ` +
    `for this member's parameter values: ${one ? "it reads" : "they read"} ` +
    `${listed(readings.map((r) => r.text))}, ${outcome}`;
  return {
    constraint: watched.constraint,
    text: c.text,
    line: c.span.line,
    entries,
    holds,
    message,
  };
}

function formatNumber(value: number): string {
  return String(Object.is(value, -0) ? 0 : value);
}
