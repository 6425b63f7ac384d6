import { CompileError, type Program } from "../dsl/index.js";
import * as dsl from "../dsl/index.js";
import { assemble } from "./assemble.js";
import {
  CompileWorkExceeded,
  MAX_COMPILE_WORK,
  endCompileWork,
  startCompileWork,
  setCompileSite,
} from "./budget.js";
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
  startCompileWork();
  try {
    return canonicalizeWithinBudget(program, source, file, options);
  } catch (e) {
    if (!(e instanceof CompileWorkExceeded)) throw e;
    const span = e.site ?? { line: 1, column: 1, offset: 0, length: 0 };
    throw new CompileError([{ message: workLimitMessage(), span }], source, file);
  } finally {
    endCompileWork();
  }
}

function canonicalizeWithinBudget(
  program: Program,
  source: string,
  file: string,
  options: CanonicalizeOptions,
): CanonicalQP {
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
  if (decl.objective !== null) setCompileSite(decl.objective.span);
  const objectiveOk =
    decl.objective !== null && checkObjective(decl.objective, checker, diags, text);
  const links: ConstraintLink[] = [];
  for (const c of decl.constraints) {
    setCompileSite(c.span);
    for (const link of checkConstraint(c, checker, diags, text, source)) links.push(link);
  }
  if (diags.hasErrors || !objectiveOk || decl.objective === null)
    throw new CompileError(sortByPosition(diags.items), source, file);

  const objectiveSpan = decl.objective.span;
  const tooLarge = (columns: number, equalities: number, inequalities: number) => {
    const message = denseSizeProblem(columns, equalities, inequalities);
    if (message !== undefined)
      throw new CompileError([{ message, span: objectiveSpan }], source, file);
  };
  tooLarge(decl.scope.variableSize, 0, 0);
  const builder = new ProblemBuilder(decl.scope.variableSize);
  const lowerer = new Lowerer(decl.scope, checker, builder, source);
  const constraints: SourceConstraint[] = links.map((link, i) => {
    setCompileSite(link.span);
    return lowerer.lowerConstraint(link, i);
  });
  if (lowerer.withoutVariables.length > 0)
    throw new CompileError(
      lowerer.withoutVariables.map((link) => ({
        message:
          "this constraint involves no variable: its coefficients on the variables are all zero",
        span: link.span,
        hint: "a constraint must restrict a variable: look for a factor that is zero or terms that cancel",
      })),
      source,
      file,
    );
  setCompileSite(objectiveSpan);
  lowerer.lowerObjective(decl.objective);
  setCompileSite(objectiveSpan);
  tooLarge(builder.columns, builder.equalityCount, builder.inequalityCount);
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

/** `3.2 GB`, `400 MB`: the float64 storage of `entries` numbers. */
export function formatBytes(entries: number): string {
  const bytes = entries * 8;
  if (bytes >= 1e9) return `${Number((bytes / 1e9).toPrecision(3))} GB`;
  if (bytes >= 1e6) return `${Number((bytes / 1e6).toPrecision(3))} MB`;
  return `${Number((bytes / 1e3).toPrecision(3))} kB`;
}

function denseSizeProblem(
  columns: number,
  equalities: number,
  inequalities: number,
): string | undefined {
  const rows = Math.max(equalities, inequalities);
  const constraints = equalities + inequalities;
  // The solver's workspace holds, per member, Q (n×n), A and G (rows×n) and the Schur
  // complement of the constraints ((m+p)×(m+p)); each must fit the limit.
  const blocks: [number, string][] = [
    [columns * columns, `Q would be ${columns}×${columns}`],
    [columns * rows, `A or G would be ${rows}×${columns}`],
    [
      constraints * constraints,
      `the solver's constraint block would be ${constraints}×${constraints} (m + p = ${constraints} rows)`,
    ],
  ];
  const [block, which] = blocks.reduce((a, b) => (b[0] > a[0] ? b : a));
  if (block <= MAX_DENSE_BLOCK) return undefined;
  return (
    `the QP is too large: ${which} = ${block} entries, ${formatBytes(block)} of float64 for ` +
    `each member of a batch (a batch of b members needs b times that); ` +
    `the limit is ${MAX_DENSE_BLOCK} entries (${formatBytes(MAX_DENSE_BLOCK)}) per dense block`
  );
}

function workLimitMessage(): string {
  return (
    `the program is too large to compile: checking and lowering it needs more than ` +
    `${MAX_COMPILE_WORK} steps (the limit, up to about 10 s and 1.5 GB of memory); ` +
    `use smaller dims or fewer dense parameter and constant matrices`
  );
}

function sortByPosition<T extends { span: { offset: number } }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.span.offset - b.span.offset);
}
