import { EOF, tokenMatcher, type CstNode, type IToken, type TokenType } from "chevrotain";
import type * as Ast from "./ast.js";
import { AstBuilder } from "./build.js";
import { CompileError, type Diagnostic } from "./errors.js";
import { MAX_NESTING, parseRule, type RuleName } from "./grammar.js";
import {
  MAX_DIAGNOSTICS,
  MAX_NAME_LENGTH,
  MAX_SOURCE_LENGTH,
  MAX_STATEMENT_TOKENS,
  MAX_STATEMENTS,
  MAX_TOKENS,
} from "./limits.js";
import { describeToken } from "./messages.js";
import { joinSpans, spanOfToken } from "./span.js";
import * as T from "./tokens.js";

/**
 * Parses a program (LANGUAGE.md §1–§2) into its syntax tree. Throws a CompileError listing every
 * syntax error found. The program is read one logical line at a time (lines end at a newline or
 * `;`), so an error in one statement does not hide errors in the next ones. An empty program
 * parses to an empty statement list; whether it is complete is for the checker to say.
 */
export function parse(source: string, file = "<input>"): Ast.Program {
  try {
    return parseProgram(source, file);
  } catch (e) {
    if (e instanceof CompileError) throw e;
    const message = `internal error in the parser (please report it): ${String(e)}`;
    throw new CompileError(
      [{ message, span: { line: 1, column: 1, offset: 0, length: 0 } }],
      source,
      file,
    );
  }
}

function parseProgram(source: string, file: string): Ast.Program {
  if (source.length > MAX_SOURCE_LENGTH) {
    const message =
      `the program is ${source.length} characters long, over the limit of ` +
      `${MAX_SOURCE_LENGTH} characters (about 1 MB)`;
    // Only the start is kept for the message: the whole text is not worth splitting into lines.
    const start = source.slice(0, MAX_SOURCE_LENGTH_SHOWN);
    throw new CompileError(
      [{ message, span: { line: 1, column: 1, offset: 0, length: 0 } }],
      start,
      file,
    );
  }
  const { tokens, diagnostics } = T.tokenize(source);
  if (tokens.length > MAX_TOKENS) {
    const first = tokens[MAX_TOKENS]!;
    const message = `the program has ${tokens.length} tokens, over the limit of ${MAX_TOKENS}`;
    throw new CompileError([{ message, span: spanOfToken(first) }], source, file);
  }
  const lexical = [...diagnostics, ...longNames(tokens)].slice(0, MAX_DIAGNOSTICS);
  const lexicalOffsets = lexical.map((d) => d.span.offset).sort((a, b) => a - b);
  const reader = new StatementReader(source);
  const lines = logicalLines(tokens);
  for (let i = 0; i < lines.length && !reader.stopped; i++) {
    const line = lines[i]!;
    const end = i + 1 < lines.length ? lines[i + 1]![0]!.startOffset : source.length;
    // A line with a character that fits no token gets only that message: the syntax errors the
    // missing token causes would be noise.
    reader.readLine(line, anyWithin(lexicalOffsets, line[0]!.startOffset, end));
  }
  const all = [...lexical, ...reader.diagnostics, ...reader.builder.diagnostics];
  if (all.length > 0) {
    all.sort((a, b) => a.span.offset - b.span.offset);
    throw new CompileError(all, source, file);
  }
  return {
    kind: "program",
    statements: reader.statements,
    span: { line: 1, column: 1, offset: 0, length: source.length },
  };
}

/** How much of an over-long program a CompileError keeps, to show its first line. */
const MAX_SOURCE_LENGTH_SHOWN = 1_000;

function longNames(tokens: readonly IToken[]): Diagnostic[] {
  return tokens
    .filter((t) => tokenMatcher(t, T.Identifier) && t.image.length > MAX_NAME_LENGTH)
    .map((t) => ({
      message: `this name is ${t.image.length} characters long, over the limit of ${MAX_NAME_LENGTH}`,
      span: spanOfToken(t),
    }));
}

/** Whether a sorted list holds a value in [start, end). */
function anyWithin(sorted: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo]! < end;
}

/** Tokens that cannot end an expression: a newline after one continues the line. */
const continuesLine: TokenType[] = [
  T.Plus,
  T.Minus,
  T.Star,
  T.DotStar,
  T.Slash,
  T.Caret,
  T.Equal,
  T.EqualEqual,
  T.LessEqual,
  T.GreaterEqual,
  T.Less,
  T.Greater,
  T.Comma,
  T.LParen,
  T.LBracket,
];

function isOneOf(token: IToken, types: TokenType[]): boolean {
  return types.some((type) => tokenMatcher(token, type));
}

/**
 * Splits the tokens into logical lines at newlines and `;`. A newline inside brackets or after an
 * operator continues the line, unless the next line starts with a statement keyword (so one
 * unclosed `(` does not swallow the rest of the program).
 */
function logicalLines(tokens: IToken[]): IToken[][] {
  const lines: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  const flush = (): void => {
    if (current.length > 0) lines.push(current);
    current = [];
    depth = 0;
  };
  // The first token after each position that is not a newline, found in one backward pass.
  const nextNonNewline: (IToken | undefined)[] = new Array(tokens.length);
  let following: IToken | undefined;
  for (let i = tokens.length - 1; i >= 0; i--) {
    nextNonNewline[i] = following;
    if (!tokenMatcher(tokens[i]!, T.Newline)) following = tokens[i];
  }
  tokens.forEach((token, i) => {
    if (tokenMatcher(token, T.Newline)) {
      const next = nextNonNewline[i];
      const nextStartsStatement = next !== undefined && isOneOf(next, T.statementKeywords);
      const previous = current.at(-1);
      const continued = previous !== undefined && (depth > 0 || isOneOf(previous, continuesLine));
      if (!continued || nextStartsStatement || next === undefined) flush();
      return;
    }
    if (tokenMatcher(token, T.Semicolon)) return flush();
    if (tokenMatcher(token, T.LParen) || tokenMatcher(token, T.LBracket)) depth++;
    if (tokenMatcher(token, T.RParen) || tokenMatcher(token, T.RBracket)) {
      depth = Math.max(0, depth - 1);
    }
    current.push(token);
  });
  flush();
  return lines;
}

const keywords = ["dim", "parameter", "constant", "variable", "minimize", "maximize", "output"];

const statementRules: [TokenType, RuleName][] = [
  [T.Dim, "dimStatement"],
  [T.Parameter, "declaration"],
  [T.Variable, "declaration"],
  [T.Constant, "constantStatement"],
  [T.Minimize, "objective"],
  [T.Maximize, "objective"],
  [T.Output, "outputStatement"],
];

class StatementReader {
  readonly statements: Ast.Statement[] = [];
  readonly diagnostics: Diagnostic[] = [];
  readonly builder: AstBuilder;
  /** The `subject to` block that lines without a keyword belong to, if one is open. */
  private block: Ast.ConstraintsStatement | null = null;
  /** Statements and constraints read so far, against MAX_STATEMENTS. */
  private count = 0;
  /** Syntax errors of the current line are dropped (it has a lexical error already). */
  private quiet = false;
  /** Set when a limit is reached: the rest of the program is not read. */
  stopped = false;

  constructor(source: string) {
    this.builder = new AstBuilder(source);
  }

  readLine(line: IToken[], quiet = false): void {
    this.quiet = quiet;
    if (line.length > MAX_STATEMENT_TOKENS) {
      this.diagnostics.push({
        message:
          `this statement has ${line.length} tokens, over the limit of ${MAX_STATEMENT_TOKENS} ` +
          `(split it into several)`,
        span: spanOfToken(line[0]!),
      });
      return;
    }
    this.readPieces(line);
    if (this.diagnostics.length + this.builder.diagnostics.length >= MAX_DIAGNOSTICS) {
      this.stopped = true;
    }
  }

  /** Counts one statement or constraint; false (after saying so, once) past MAX_STATEMENTS. */
  private admit(first: IToken): boolean {
    if (this.stopped) return false;
    if (++this.count <= MAX_STATEMENTS) return true;
    this.diagnostics.push({
      message: `the program has more than ${MAX_STATEMENTS} statements and constraints, the limit`,
      span: spanOfToken(first),
    });
    this.stopped = true;
    return false;
  }

  private readPieces(line: IToken[]): void {
    // `minimize … s.t. …` on one line: the part after `s.t.` opens a constraints block.
    const cut = line.findIndex((t) => tokenMatcher(t, T.SubjectTo));
    const head = cut < 0 ? line : line.slice(0, cut);
    if (head.length > 0) this.readStatement(head);
    if (cut < 0) return;
    const subjectTo = line[cut]!;
    this.block = { kind: "constraints", constraints: [], span: spanOfToken(subjectTo) };
    this.statements.push(this.block);
    let rest = line.slice(cut + 1);
    if (rest[0] !== undefined && tokenMatcher(rest[0], T.Colon)) {
      // `subject to:` as in a textbook; said once, and the constraints are still read.
      if (!this.quiet)
        this.diagnostics.push({
          message: `unexpected \`:\` after ${describeToken(subjectTo)}`,
          span: spanOfToken(rest[0]),
          hint: "drop the `:`: constraints follow `subject to` (or `s.t.`) directly",
        });
      rest = rest.slice(1);
    }
    this.readPieces(rest);
  }

  private readStatement(tokens: IToken[]): void {
    const first = tokens[0]!;
    const rule = statementRules.find(([type]) => tokenMatcher(first, type))?.[1];
    if (rule === undefined) {
      if (this.block) return this.readConstraints(this.block, tokens);
      return this.notAStatement(tokens);
    }
    this.block = null;
    if (!this.admit(first)) return;
    const cst = this.run(rule, tokens);
    if (cst === undefined) return;
    const statement =
      rule === "dimStatement"
        ? this.builder.dimStatement(cst)
        : rule === "declaration"
          ? this.builder.declaration(cst)
          : rule === "constantStatement"
            ? this.builder.constantStatement(cst)
            : rule === "objective"
              ? this.builder.objective(cst)
              : this.builder.outputStatement(cst);
    this.statements.push(statement);
  }

  /** Constraints on one line, separated by commas outside brackets. */
  private readConstraints(block: Ast.ConstraintsStatement, tokens: IToken[]): void {
    let depth = 0;
    let start = 0;
    const pieces: IToken[][] = [];
    tokens.forEach((t, i) => {
      if (tokenMatcher(t, T.LParen) || tokenMatcher(t, T.LBracket)) depth++;
      if (tokenMatcher(t, T.RParen) || tokenMatcher(t, T.RBracket)) depth = Math.max(0, depth - 1);
      if (depth === 0 && tokenMatcher(t, T.Comma)) {
        pieces.push(tokens.slice(start, i));
        start = i + 1;
      }
    });
    pieces.push(tokens.slice(start));
    for (const piece of pieces) {
      if (piece.length === 0) continue;
      if (!this.admit(piece[0]!)) return;
      const cst = this.run("constraint", piece);
      if (cst === undefined) continue;
      const constraint = this.builder.constraint(cst);
      block.constraints.push(constraint);
      block.span = joinSpans(block.span, constraint.span);
    }
  }

  private notAStatement(tokens: IToken[]): void {
    const first = tokens[0]!;
    if (this.quiet) return;
    const isConstraint = tokens.some((t) =>
      isOneOf(t, [T.Equal, T.EqualEqual, T.LessEqual, T.GreaterEqual]),
    );
    const message = isConstraint
      ? "a constraint outside `subject to`: constraints follow `subject to` (or `s.t.`)"
      : `expected a statement (\`dim\`, \`parameter\`, \`constant\`, \`variable\`, \`minimize\`, \`maximize\`, \`subject to\` or \`output\`), found \`${first.image}\``;
    const keyword = first.image.toLowerCase();
    const hint = keywords.includes(keyword) ? `keywords are lowercase: \`${keyword}\`` : undefined;
    this.diagnostics.push({ message, span: spanOfToken(first), ...(hint ? { hint } : {}) });
  }

  /** Runs one grammar rule over a statement's tokens; reports its errors. */
  private run(rule: RuleName, tokens: IToken[]): CstNode | undefined {
    const result = parseRule(rule, tokens);
    if (result.nestingTooDeep) {
      this.diagnostics.push({
        message: `expressions nest too deeply: more than ${MAX_NESTING} levels of parentheses, norms, calls or brackets`,
        span: spanOfToken(result.nestingTooDeep),
      });
      return undefined;
    }
    if (result.errors.length === 0) return result.cst;
    if (this.quiet) return undefined;
    for (const error of result.errors) {
      this.diagnostics.push({ message: error.message, span: errorSpan(error.token, tokens) });
    }
    return undefined;
  }
}

/** Where a syntax error points: the offending token, or just past the statement's end. */
function errorSpan(token: IToken, statement: IToken[]): Ast.Span {
  if (!tokenMatcher(token, EOF) && Number.isFinite(token.startOffset)) return spanOfToken(token);
  const last = statement[statement.length - 1]!;
  const end = spanOfToken(last);
  return {
    line: end.line,
    column: end.column + end.length,
    offset: end.offset + end.length,
    length: 1,
  };
}
