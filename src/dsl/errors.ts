import type { Span } from "./ast.js";
import { MAX_REPORTED_DIAGNOSTICS, MAX_SHOWN_LINE } from "./limits.js";

/** One problem found in a program: where, what, and (when one exists) how to fix it. */
export interface Diagnostic {
  message: string;
  span: Span;
  /** A suggested fix, e.g. "did you mean `Q z`?". */
  hint?: string;
}

/**
 * Every rejection of a program. Holds all diagnostics found (several errors in one file are all
 * reported) and renders them as `file:line:column: error: …` with the source line and a caret.
 */
export class CompileError extends Error {
  readonly diagnostics: Diagnostic[];
  readonly source: string;
  readonly file: string;

  constructor(diagnostics: Diagnostic[], source: string, file = "<input>") {
    super(formatDiagnostics(diagnostics, source, file));
    this.name = "CompileError";
    this.diagnostics = diagnostics;
    this.source = source;
    this.file = file;
  }
}

export function formatDiagnostics(diagnostics: Diagnostic[], source: string, file: string): string {
  const lines = source.split(/\r\n|\r|\n/);
  const shown = diagnostics
    .slice(0, MAX_REPORTED_DIAGNOSTICS)
    .map((d) => formatWithLines(d, lines, file));
  const hidden = diagnostics.length - shown.length;
  if (hidden > 0) {
    shown.push(
      `${file}: ${hidden} more error${hidden > 1 ? "s" : ""} not shown ` +
        `(at most ${MAX_REPORTED_DIAGNOSTICS} are printed)`,
    );
  }
  return shown.join("\n\n");
}

export function formatDiagnostic(d: Diagnostic, source: string, file: string): string {
  return formatWithLines(d, source.split(/\r\n|\r|\n/), file);
}

function formatWithLines(d: Diagnostic, lines: readonly string[], file: string): string {
  const full = (lines[d.span.line - 1] ?? "").replace(/\t/g, " ");
  const { text, column } = lineWindow(full, d.span.column);
  const lineNo = String(d.span.line);
  const gutter = " ".repeat(lineNo.length);
  const width = Math.max(1, Math.min(d.span.length, text.length - (column - 1)));
  const out = [
    `${file}:${d.span.line}:${d.span.column}: error: ${d.message}`,
    `${gutter} |`,
    `${lineNo} | ${text}`,
    `${gutter} | ${" ".repeat(Math.max(0, column - 1))}${"^".repeat(width)}`,
  ];
  if (d.hint) out.push(`${gutter} = help: ${d.hint}`);
  return out.join("\n");
}

/** A long line cut to MAX_SHOWN_LINE characters around `column`, with `…` where it was cut. */
function lineWindow(line: string, column: number): { text: string; column: number } {
  if (line.length <= MAX_SHOWN_LINE) return { text: line, column };
  const start = Math.max(0, Math.min(column - 1 - 40, line.length - MAX_SHOWN_LINE));
  const end = start + MAX_SHOWN_LINE;
  const head = start > 0 ? "…" : "";
  const tail = end < line.length ? "…" : "";
  return { text: head + line.slice(start, end) + tail, column: column - start + head.length };
}
