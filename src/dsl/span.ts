import type { CstNode, IToken } from "chevrotain";
import type { Span } from "./ast.js";

/** The span from the start of `first` to the end of `last` (tokens or CST nodes). */
export function spanBetween(first: IToken | CstNode, last: IToken | CstNode): Span {
  const start = startOf(first);
  const endOffset = endOffsetOf(last);
  return { ...start, length: Math.max(0, endOffset + 1 - start.offset) };
}

export function spanOfToken(token: IToken): Span {
  return spanBetween(token, token);
}

/** The span covering two spans, e.g. a binary expression from its operands. */
export function joinSpans(first: Span, last: Span): Span {
  return { ...first, length: last.offset + last.length - first.offset };
}

/** The source text a span covers. */
export function spanText(source: string, span: Span): string {
  return source.slice(span.offset, span.offset + span.length);
}

/** `line 3, column 7`: a span's start in words, for messages. */
export function describeSpan(span: Span): string {
  return `line ${span.line}, column ${span.column}`;
}

function isToken(x: IToken | CstNode): x is IToken {
  return (x as IToken).image !== undefined;
}

function startOf(x: IToken | CstNode): Omit<Span, "length"> {
  if (isToken(x))
    return { line: x.startLine ?? 1, column: x.startColumn ?? 1, offset: x.startOffset };
  const loc = x.location;
  return {
    line: loc?.startLine ?? 1,
    column: loc?.startColumn ?? 1,
    offset: loc?.startOffset ?? 0,
  };
}

function endOffsetOf(x: IToken | CstNode): number {
  if (isToken(x)) return x.endOffset ?? x.startOffset + x.image.length - 1;
  return x.location?.endOffset ?? 0;
}
