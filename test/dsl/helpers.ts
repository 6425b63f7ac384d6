import { CompileError, parse, type Expr, type Program } from "../../src/dsl/index.js";

/** The expression of `minimize <source>`. */
export function parseExpr(source: string): Expr {
  const statement = parse(`minimize ${source}`).statements[0];
  if (statement?.kind !== "objective") throw new Error(`no objective in ${source}`);
  return statement.expr;
}

/** A copy of a syntax tree without its spans, to compare trees parsed from different text. */
export function withoutSpans(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutSpans);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key !== "span") copy[key] = withoutSpans(value);
  }
  return copy;
}

/** The diagnostics of a program that must fail to parse, as `line:column message`. */
export function syntaxErrors(source: string): string[] {
  try {
    parse(source, "test.qp");
  } catch (e) {
    if (e instanceof CompileError) {
      return e.diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.message}`);
    }
    throw e;
  }
  throw new Error(`expected a syntax error in:\n${source}`);
}

export function statementKinds(program: Program): string[] {
  return program.statements.map((s) => s.kind);
}
