import type { Diagnostic, Span } from "../dsl/index.js";

/**
 * Collects diagnostics so that one compile reports every independent error. A failed
 * subexpression yields `undefined` to its parent, which then stays silent: one mistake, one
 * message.
 */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  error(span: Span, message: string, hint?: string): undefined {
    this.items.push(hint === undefined ? { message, span } : { message, span, hint });
    return undefined;
  }

  get hasErrors(): boolean {
    return this.items.length > 0;
  }
}

/** The start of the file: where errors about compile options (not source text) point. */
export const OPTIONS_SPAN: Span = { line: 1, column: 1, offset: 0, length: 0 };

/** The source text a span covers. */
export function spanText(source: string, span: Span): string {
  return source.slice(span.offset, span.offset + span.length);
}

/** The smallest span that covers both. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.offset <= b.offset ? a : b;
  const end = Math.max(a.offset + a.length, b.offset + b.length);
  return {
    line: first.line,
    column: first.column,
    offset: first.offset,
    length: end - first.offset,
  };
}
