import type { Span } from "./ast.js";

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
  return diagnostics.map((d) => formatDiagnostic(d, source, file)).join("\n\n");
}

export function formatDiagnostic(d: Diagnostic, source: string, file: string): string {
  const lines = source.split(/\r\n|\r|\n/);
  const text = (lines[d.span.line - 1] ?? "").replace(/\t/g, " ");
  const lineNo = String(d.span.line);
  const gutter = " ".repeat(lineNo.length);
  const width = Math.max(1, Math.min(d.span.length, text.length - (d.span.column - 1)));
  const out = [
    `${file}:${d.span.line}:${d.span.column}: error: ${d.message}`,
    `${gutter} |`,
    `${lineNo} | ${text}`,
    `${gutter} | ${" ".repeat(Math.max(0, d.span.column - 1))}${"^".repeat(width)}`,
  ];
  if (d.hint) out.push(`${gutter} = help: ${d.hint}`);
  return out.join("\n");
}
