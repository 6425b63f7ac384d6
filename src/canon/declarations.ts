/**
 * Pass 1: declarations. Resolves dims (defaults and overrides), parameters with their
 * attributes, constants, variables with their columns of z, the objective, the constraints and
 * the outputs. Duplicate and unknown names are reported here.
 */
import type {
  Attribute,
  Constraint,
  Expr,
  ObjectiveStatement,
  Program,
  Span,
  Statement,
} from "../dsl/index.js";
import type { ExpressionChecker } from "./check.js";
import { setCompileSite } from "./budget.js";
import { OPTIONS_SPAN, type DiagnosticBag } from "./diagnostics.js";
import { MAX_ENTRIES, normalizeShape, sizeOf } from "./shape.js";
import { evaluateSize, checkSizeValue } from "./sizes.js";
import { suggestName } from "./suggest.js";
import { Scope, type NameSymbol } from "./symbols.js";

export interface Declarations {
  scope: Scope;
  objective: ObjectiveStatement | null;
  constraints: Constraint[];
  /** names of the variables the layer returns */
  outputs: Set<string>;
}

const PARAMETER_ATTRIBUTES = ["nonneg", "nonpos", "psd", "symmetric"];

/**
 * The most parameter entries (the length of θ) a program may declare: the OptNet paper's largest
 * benchmark layer (n = p = 500, every coefficient a parameter) has about 501,000.
 */
export const MAX_PARAMETER_ENTRIES = 1_000_000;

export function declare(
  program: Program,
  dimOverrides: ReadonlyMap<string, number>,
  diags: DiagnosticBag,
  makeChecker: (scope: Scope) => ExpressionChecker,
): Declarations {
  const scope = new Scope();
  const checker = makeChecker(scope);
  const statements = program.statements;
  declareDims(statements, dimOverrides, scope, diags);
  let objective: ObjectiveStatement | null = null;
  const constraints: Constraint[] = [];
  let outputNames: { name: string; span: Span }[] | null = null;
  for (const st of statements) {
    setCompileSite(st.span);
    switch (st.kind) {
      case "dim":
        break;
      case "parameter": {
        if (!isFresh(st.name.name, st.name.span, scope, diags)) break;
        const declaredShape = evaluateShape(st.shape, scope, diags);
        const flags = parameterAttributes(st.attributes, diags);
        if (declaredShape === undefined) {
          scope.broken.add(st.name.name);
          break;
        }
        const shape = normalizeShape(declaredShape);
        const square = shape.length === 2 && shape[0] === shape[1];
        for (const attr of st.attributes)
          if ((attr.name === "psd" || attr.name === "symmetric") && !square && shape.length !== 0)
            diags.error(
              attr.span,
              `\`${attr.name}\` needs a square matrix, not shape [${declaredShape.join("×")}]`,
            );
        const size = sizeOf(shape);
        if (scope.parameterSize + size > MAX_PARAMETER_ENTRIES) {
          diags.error(
            st.name.span,
            `the parameters would have ${scope.parameterSize + size} entries in all, over the ` +
              `limit of ${MAX_PARAMETER_ENTRIES} (each entry is lowered and stored sparsely)`,
          );
          scope.broken.add(st.name.name);
          break;
        }
        scope.add({
          kind: "parameter",
          name: st.name.name,
          shape,
          declaredShape,
          size,
          offset: scope.parameterSize,
          nonneg: flags.has("nonneg") || (flags.has("psd") && shape.length === 0),
          nonpos: flags.has("nonpos"),
          psd: flags.has("psd"),
          symmetric: flags.has("symmetric") || flags.has("psd"),
          span: st.name.span,
        });
        scope.parameterSize += size;
        break;
      }
      case "constant": {
        if (!isFresh(st.name.name, st.name.span, scope, diags)) break;
        const info = checker.check(st.value);
        if (info === undefined || info.value === null) scope.broken.add(st.name.name);
        if (info === undefined) break;
        if (info.value === null) {
          diags.error(
            st.value.span,
            info.degree > 0
              ? "a constant cannot depend on variables"
              : "a constant must be a numeric value; it cannot depend on parameters",
          );
          break;
        }
        scope.add({ kind: "constant", name: st.name.name, value: info.value, span: st.name.span });
        break;
      }
      case "variable": {
        if (!isFresh(st.name.name, st.name.span, scope, diags)) break;
        for (const attr of st.attributes)
          diags.error(
            attr.span,
            `variables take no attributes (\`${attr.name}\`)`,
            attr.name === "nonneg" ? `add the constraint \`${st.name.name} >= 0\`` : undefined,
          );
        const declaredShape = evaluateShape(st.shape, scope, diags);
        if (declaredShape === undefined) {
          scope.broken.add(st.name.name);
          break;
        }
        const shape = normalizeShape(declaredShape);
        const size = sizeOf(shape);
        scope.add({
          kind: "variable",
          name: st.name.name,
          shape,
          declaredShape,
          size,
          column: scope.variableSize,
          span: st.name.span,
        });
        scope.variableSize += size;
        break;
      }
      case "objective":
        if (objective === null) objective = st;
        else
          diags.error(
            st.span,
            `a second objective: a program has exactly one (the first is on line ${objective.span.line})`,
          );
        break;
      case "constraints":
        constraints.push(...st.constraints);
        break;
      case "output":
        outputNames = [
          ...(outputNames ?? []),
          ...st.names.map((n) => ({ name: n.name, span: n.span })),
        ];
        break;
    }
  }
  if (objective === null)
    diags.error(
      { ...program.span, length: 0 },
      "the program has no objective",
      "add `minimize EXPR` or `maximize EXPR`",
    );
  if (scope.variables.length === 0 && !diags.hasErrors)
    diags.error(
      { ...program.span, length: 0 },
      "the program declares no variable",
      "add `variable z[n]`",
    );
  const outputs = new Set<string>();
  if (outputNames === null) for (const v of scope.variables) outputs.add(v.name);
  else
    for (const { name, span } of outputNames) {
      const symbol = scope.get(name);
      if (symbol === undefined && scope.broken.has(name)) continue;
      if (symbol === undefined)
        diags.error(
          span,
          `unknown variable \`${name}\` in output`,
          suggestName(
            name,
            scope.variables.map((v) => v.name),
          ),
        );
      else if (symbol.kind !== "variable")
        diags.error(span, `\`${name}\` is a ${symbol.kind}; only variables can be output`);
      else outputs.add(name);
    }
  return { scope, objective, constraints, outputs };
}

function declareDims(
  statements: readonly Statement[],
  overrides: ReadonlyMap<string, number>,
  scope: Scope,
  diags: DiagnosticBag,
): void {
  const declared = new Set<string>();
  for (const st of statements) {
    if (st.kind !== "dim") continue;
    const name = st.name.name;
    if (!isFresh(name, st.name.span, scope, diags)) continue;
    declared.add(name);
    let value = NaN;
    const override = overrides.get(name);
    if (override !== undefined) {
      if (Number.isInteger(override) && override > MAX_ENTRIES)
        diags.error(
          OPTIONS_SPAN,
          `the compile options set dim \`${name}\` to ${override}, which exceeds the limit of ${MAX_ENTRIES} entries`,
        );
      else if (Number.isInteger(override) && override >= 1)
        value = checkSizeValue(override, { span: OPTIONS_SPAN }, diags) ?? NaN;
      else
        diags.error(
          OPTIONS_SPAN,
          `the compile options set dim \`${name}\` to ${describeOption(override)}, but a size must be a positive integer`,
        );
    } else if (st.value !== null) {
      value = evaluateSize(st.value, scope, diags) ?? NaN;
    } else {
      diags.error(
        st.span,
        `dim \`${name}\` has no default, so it must be given at compile time`,
        `pass \`--dim ${name}=…\` or \`{ dims: { ${name}: … } }\`, or write \`dim ${name} = …\``,
      );
    }
    scope.add({ kind: "dim", name, value, span: st.name.span });
  }
  for (const [name] of overrides)
    if (!declared.has(name))
      diags.error(
        OPTIONS_SPAN,
        `the compile options give dim \`${name}\`, which the program does not declare`,
        suggestName(name, declared),
      );
}

function isFresh(name: string, span: Span, scope: Scope, diags: DiagnosticBag): boolean {
  const previous: NameSymbol | undefined = scope.get(name);
  if (previous === undefined) return true;
  diags.error(
    span,
    `\`${name}\` is already declared as a ${previous.kind} on line ${previous.span.line}`,
  );
  return false;
}

/** The sizes as declared, not normalised: a dim of 1 stays an axis. */
function evaluateShape(
  sizes: readonly Expr[],
  scope: Scope,
  diags: DiagnosticBag,
): number[] | undefined {
  if (sizes.length > 2) {
    diags.error(sizes[2].span, "at most two dimensions: scalars, vectors [n] and matrices [m, n]");
    return undefined;
  }
  const out: number[] = [];
  for (const e of sizes) {
    const v = evaluateSize(e, scope, diags);
    if (v === undefined) return undefined;
    out.push(v);
  }
  if (sizeOf(out) > MAX_ENTRIES) {
    diags.error(
      sizes[0].span,
      `this shape has ${sizeOf(out)} entries, which exceeds the limit of ${MAX_ENTRIES}`,
    );
    return undefined;
  }
  return out;
}

function parameterAttributes(attributes: readonly Attribute[], diags: DiagnosticBag): Set<string> {
  const flags = new Set<string>();
  for (const attr of attributes) {
    if (PARAMETER_ATTRIBUTES.includes(attr.name)) flags.add(attr.name);
    else
      diags.error(
        attr.span,
        `unknown attribute \`${attr.name}\` (known: ${PARAMETER_ATTRIBUTES.join(", ")})`,
        suggestName(attr.name, PARAMETER_ATTRIBUTES),
      );
  }
  return flags;
}

/** An option value as the user wrote it: a string stays quoted (dims from untyped callers). */
function describeOption(value: unknown): string {
  return typeof value === "number" ? String(value) : (JSON.stringify(value) ?? String(value));
}
