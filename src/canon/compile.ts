import { CompileError, type Program } from "../dsl/index.js";
import * as dsl from "../dsl/index.js";
import { assemble } from "./assemble.js";
import { ProblemBuilder } from "./builder.js";
import { ExpressionChecker } from "./check.js";
import { checkConstraint, checkObjective, type ConstraintLink } from "./checkStatements.js";
import { declare } from "./declarations.js";
import { DiagnosticBag } from "./diagnostics.js";
import { Lowerer } from "./lower.js";
import type { CanonicalQP, SourceConstraint } from "./types.js";

export interface CanonicalizeOptions {
  /** Dim values that override the program's defaults. */
  dims?: Record<string, number>;
  /** File name used in messages. */
  file?: string;
}

/**
 * Checks a parsed program and lowers it to the CanonicalQP: declarations → expression checks
 * (shapes, DCP, parameter-affinity) → lowering → assembly. Throws one CompileError holding
 * every diagnostic found.
 */
export function canonicalize(
  program: Program,
  source: string,
  options: CanonicalizeOptions = {},
): CanonicalQP {
  const file = options.file ?? "<input>";
  const diags = new DiagnosticBag();
  const overrides = new Map<string, number>(Object.entries(options.dims ?? {}));
  let checker: ExpressionChecker | undefined;
  const decl = declare(program, overrides, diags, (scope) => {
    checker = new ExpressionChecker(scope, diags, source);
    return checker;
  });
  if (checker === undefined) throw new Error("internal: no checker");
  const text = (span: { offset: number; length: number }) =>
    source.slice(span.offset, span.offset + span.length);
  const objectiveOk =
    decl.objective !== null && checkObjective(decl.objective, checker, diags, text);
  const links: ConstraintLink[] = [];
  for (const c of decl.constraints) links.push(...checkConstraint(c, checker, diags, text));
  if (diags.hasErrors || !objectiveOk || decl.objective === null)
    throw new CompileError(sortByPosition(diags.items), source, file);

  const objectiveSpan = decl.objective.span;
  const tooLarge = (columns: number, rows: number) => {
    const message = denseSizeProblem(columns, rows);
    if (message !== undefined)
      throw new CompileError([{ message, span: objectiveSpan }], source, file);
  };
  tooLarge(decl.scope.variableSize, 0);
  const builder = new ProblemBuilder(decl.scope.variableSize);
  const lowerer = new Lowerer(decl.scope, checker, builder, source);
  const constraints: SourceConstraint[] = links.map((link, i) => lowerer.lowerConstraint(link, i));
  lowerer.lowerObjective(decl.objective);
  tooLarge(builder.columns, Math.max(builder.equalityCount, builder.inequalityCount));
  return assemble({
    file,
    source,
    program,
    scope: decl.scope,
    checker,
    builder,
    outputs: decl.outputs,
    objective: decl.objective,
    constraints,
  });
}

/** Parse and canonicalize; throws CompileError. */
export function compileToCanonical(source: string, options: CanonicalizeOptions = {}): CanonicalQP {
  const file = options.file ?? "<input>";
  const program = dsl.parse(source, file);
  return canonicalize(program, source, { ...options, file });
}

/** The most entries of a dense block (Q, A or G) of one problem that the layer will build. */
export const MAX_DENSE_BLOCK = 50_000_000;

function denseSizeProblem(columns: number, rows: number): string | undefined {
  const block = Math.max(columns * columns, columns * rows);
  if (block <= MAX_DENSE_BLOCK) return undefined;
  const which =
    columns * columns >= columns * rows
      ? `Q would be ${columns}×${columns}`
      : `A or G would be ${rows}×${columns}`;
  return `the QP is too large: ${which}, over the limit of ${MAX_DENSE_BLOCK} entries per dense block`;
}

function sortByPosition<T extends { span: { offset: number } }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.span.offset - b.span.offset);
}
