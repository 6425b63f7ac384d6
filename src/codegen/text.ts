/**
 * Helpers that turn user-controlled text (source snippets, file names) into safe, one-line
 * fragments. Everything taken from a program passes through here before it reaches output.
 */

const LINE_BREAKS = /\r\n|[\r\n\u2028\u2029\u0085]/g;
// C0/C1 controls would corrupt a terminal or a comment; tabs become spaces like line breaks.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Collapses line breaks and runs of whitespace to single spaces. */
export function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, " ").replace(CONTROL_CHARS, " ").replace(/\s+/g, " ").trim();
}

/** Cuts `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return text.slice(0, Math.max(0, max - 1)) + "…";
}

/**
 * Text that can sit inside a `//` or `/* *\/` comment of generated code without ending it: no
 * line terminator survives, and `*\/` is broken up so a block comment cannot be closed early.
 */
export function commentText(text: string): string {
  return oneLine(text).replace(/\*\//g, "*\\/");
}

/**
 * A string literal for generated code: JSON.stringify escapes quotes, backslashes, controls and
 * lone surrogates; U+2028/U+2029 are escaped too, since older parsers end a line at them.
 */
export function stringLiteral(text: string): string {
  return JSON.stringify(text)
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** Formats an inclusive range of indices: `3` for one index, `0..2` for three. */
export function indexRange(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start}..${start + count - 1}`;
}

/** A number as people write it: integers exactly, others to 6 significant digits. */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return "0";
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** `c·name` with the unit coefficients written as people write them (`x`, `-x`). */
export function scaled(coef: number, name: string): string {
  if (coef === 1) return name;
  if (coef === -1) return `-${name}`;
  return `${formatNumber(coef)}·${name}`;
}

/** Shape as declared after resolving dims: `scalar`, `[3]`, `[2×3]`. */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? "scalar" : `[${shape.join("×")}]`;
}

/** Lays out rows of cells as left-aligned columns separated by two spaces, no trailing space. */
export function alignColumns(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows.map((row) => {
    const cells = row.map((cell, i) =>
      i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length),
    );
    return (indent + cells.join("  ")).trimEnd();
  });
}

/**
 * Like alignColumns, but a row whose last cell would pass `maxWidth` columns gets that cell on a
 * continuation line below it, so one long source snippet does not widen the whole table.
 */
export function alignColumnsWrappingLast(
  rows: readonly (readonly string[])[],
  maxWidth: number,
  indent = "  ",
): string[] {
  const heads = alignColumns(
    rows.map((row) => row.slice(0, -1)),
    indent,
  );
  const tailStart = Math.max(...heads.map((h) => [...h].length)) + 2;
  return rows.flatMap((row, i) => {
    const head = heads[i]!;
    const tail = row.at(-1) ?? "";
    if (tailStart + [...tail].length <= maxWidth) {
      return [(head + " ".repeat(tailStart - [...head].length) + tail).trimEnd()];
    }
    return [head, `${indent}    ${tail}`.trimEnd()];
  });
}
