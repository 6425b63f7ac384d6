/** Pass 4: the CanonicalQP from the finished ProblemBuilder (sparse affine maps, row provenance). */
import type { ObjectiveStatement, Program } from "../dsl/index.js";
import { paIsConst, type LinearEntry, type ParamAffine } from "./affine.js";
import type { ProblemBuilder, RowBlockDraft } from "./builder.js";
import type { ExpressionChecker } from "./check.js";
import type { Scope } from "./symbols.js";
import type { AffineMap, CanonicalQP, RowBlock, RowStructure, SourceConstraint } from "./types.js";

export interface AssembleInput {
  file: string;
  source: string;
  program: Program;
  scope: Scope;
  checker: ExpressionChecker;
  builder: ProblemBuilder;
  outputs: ReadonlySet<string>;
  objective: ObjectiveStatement;
  constraints: SourceConstraint[];
}

class AffineMapBuilder {
  readonly map: AffineMap;
  constructor(rows: number, cols: number) {
    this.map = {
      rows,
      cols,
      constant: { index: [], value: [] },
      terms: { index: [], param: [], coef: [] },
    };
  }

  add(index: number, v: ParamAffine, scale = 1): void {
    if (v.c !== 0) {
      this.map.constant.index.push(index);
      this.map.constant.value.push(scale * v.c);
    }
    for (const [p, coef] of [...v.t].sort((a, b) => a[0] - b[0])) {
      if (coef === 0) continue;
      this.map.terms.index.push(index);
      this.map.terms.param.push(p);
      this.map.terms.coef.push(scale * coef);
    }
  }
}

export function assemble(input: AssembleInput): CanonicalQP {
  const { scope, builder } = input;
  const n = builder.columns;
  const paramName = parameterNamer(scope);

  const Q = new AffineMapBuilder(n, n);
  for (const i of [...builder.Q.keys()].sort((a, b) => a - b)) {
    const row = builder.Q.get(i)!;
    for (const j of [...row.keys()].sort((a, b) => a - b)) Q.add(i * n + j, row.get(j)!);
  }
  const q = new AffineMapBuilder(n, 1);
  for (const j of [...builder.q.keys()].sort((a, b) => a - b)) q.add(j, builder.q.get(j)!);

  const rowsOf = (blocks: RowBlockDraft[], count: number, equality: boolean) => {
    const M = new AffineMapBuilder(count, n);
    const rhs = new AffineMapBuilder(count, 1);
    const out: RowBlock[] = [];
    for (const block of blocks) {
      const names = new Set<string>();
      block.rows.forEach((row, r) => {
        const i = block.start + r;
        for (const j of [...row.cols.keys()].sort((a, b) => a - b)) {
          const v = row.cols.get(j)!;
          M.add(i * n + j, v);
          for (const p of v.t.keys()) names.add(paramName(p));
        }
        // entry <= 0 (or == 0): Σ coef·z <= −c
        rhs.add(i, row.c, -1);
        for (const p of row.c.t.keys()) names.add(paramName(p));
      });
      out.push({
        start: block.start,
        count: block.rows.length,
        origin: block.origin,
        constraint: block.constraint,
        atom: block.atom,
        text: block.text,
        span: block.span,
        structure: structureOf(block.rows, equality),
        dependsOn: scope.parameters.map((p) => p.name).filter((name) => names.has(name)),
      });
    }
    return { M: M.map, rhs: rhs.map, blocks: out };
  };
  const eq = rowsOf(builder.equality, builder.equalityCount, true);
  const ineq = rowsOf(builder.inequality, builder.inequalityCount, false);

  const dims: Record<string, number> = {};
  for (const s of scope.symbols.values()) if (s.kind === "dim") dims[s.name] = s.value;

  return {
    file: input.file,
    source: input.source,
    dims,
    n,
    m: builder.equalityCount,
    p: builder.inequalityCount,
    parameters: scope.parameters.map((p) => ({
      name: p.name,
      shape: [...p.declaredShape],
      size: p.size,
      offset: p.offset,
      nonneg: p.nonneg,
      nonpos: p.nonpos,
      psd: p.psd,
      symmetric: p.symmetric,
      span: p.span,
    })),
    parameterSize: scope.parameterSize,
    variables: scope.variables.map((v) => ({
      name: v.name,
      shape: [...v.declaredShape],
      size: v.size,
      column: v.column,
      output: input.outputs.has(v.name),
      span: v.span,
    })),
    auxiliaries: builder.auxiliaries,
    Q: Q.map,
    q: q.map,
    A: eq.M,
    b: eq.rhs,
    G: ineq.M,
    h: ineq.rhs,
    equalityRows: eq.blocks,
    inequalityRows: ineq.blocks,
    constraints: input.constraints,
    objective: {
      sense: input.objective.sense,
      text: input.source.slice(
        input.objective.expr.span.offset,
        input.objective.expr.span.offset + input.objective.expr.span.length,
      ),
      span: input.objective.expr.span,
      offset: builder.offset.build(),
      terms: objectiveTerms(input),
    },
  };
}

/**
 * "bound": every row is a θ-free ±e_j (inequalities such as `z >= 0`, `0 <= z <= 1`);
 * "identity": an equality block that is exactly ±I over contiguous columns (`z[0:3] == x`).
 */
function structureOf(rows: readonly LinearEntry[], equality: boolean): RowStructure {
  let firstColumn = -1;
  let firstSign = 0;
  let contiguous = true;
  for (let r = 0; r < rows.length; r++) {
    const cols = [...rows[r].cols].filter(([, v]) => v.c !== 0 || v.t.size > 0);
    if (cols.length !== 1) return "general";
    const [j, v] = cols[0];
    if (!paIsConst(v) || Math.abs(v.c) !== 1) return "general";
    if (r === 0) {
      firstColumn = j;
      firstSign = v.c;
    } else if (j !== firstColumn + r || v.c !== firstSign) contiguous = false;
  }
  return equality && contiguous ? "identity" : "bound";
}

function parameterNamer(scope: Scope): (index: number) => string {
  const names: string[] = [];
  for (const p of scope.parameters) for (let i = 0; i < p.size; i++) names.push(p.name);
  return (index) => names[index];
}

/** The objective split at its top-level + and −, as the user wrote it. */
function objectiveTerms(input: AssembleInput): CanonicalQP["objective"]["terms"] {
  const out: CanonicalQP["objective"]["terms"] = [];
  const visit = (e: ObjectiveStatement["expr"]): void => {
    if (e.kind === "binary" && (e.op === "+" || e.op === "-")) {
      visit(e.left);
      visit(e.right);
      return;
    }
    const params = input.checker.info.get(e)?.params ?? new Set<string>();
    out.push({
      text: input.source.slice(e.span.offset, e.span.offset + e.span.length),
      span: e.span,
      dependsOn: input.scope.parameters.map((p) => p.name).filter((name) => params.has(name)),
    });
  };
  visit(input.objective.expr);
  return out;
}
