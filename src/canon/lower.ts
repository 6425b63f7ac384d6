/**
 * Pass 3: lowering. Walks the checked tree and turns every subexpression into a value affine in
 * the variables (piecewise linear atoms lazily, quadratics as parts), adding auxiliary columns
 * and rows to the ProblemBuilder; then emits the constraints' rows and the objective.
 */
import type { CallExpr, Expr, ObjectiveStatement, Span } from "../dsl/index.js";
import {
  linAddInto,
  linColumn,
  linHasVariables,
  linConst,
  linScale,
  paConst,
  paParam,
  type LinearEntry,
} from "./affine.js";
import { ATOMS } from "./atoms.js";
import type { ExpressionChecker } from "./check.js";
import type { ConstraintLink } from "./checkStatements.js";
import type { Dense } from "./dense.js";
import type { ProblemBuilder } from "./builder.js";
import type { LowerContext } from "./lowerContext.js";
import { isScalar, sameShape, sizeOf, transposeShape } from "./shape.js";
import type { Scope } from "./symbols.js";
import type { SourceConstraint } from "./types.js";
import {
  addValues,
  affineFromDense,
  affineScalar,
  multiplyByConstant,
  multiplyValues,
  pickValue,
  scaleValue,
  toQuad,
  transposeIndices,
  type AffineValue,
  type AtomOrigin,
  type MaterialValue,
  type PiecesValue,
  type Value,
} from "./values.js";

export class Lowerer implements LowerContext {
  private readonly memo = new Map<Expr, Value>();
  private readonly materialized = new WeakMap<PiecesValue, AffineValue>();
  /** Constraints whose rows have no variable with a nonzero coefficient (`0 z <= 1`). */
  readonly withoutVariables: ConstraintLink[] = [];

  constructor(
    private readonly scope: Scope,
    private readonly checker: ExpressionChecker,
    private readonly builder: ProblemBuilder,
    private readonly source: string,
  ) {}

  private text(span: Span): string {
    return this.source.slice(span.offset, span.offset + span.length);
  }

  // ---- LowerContext

  materialize(v: Value): AffineValue {
    if (v.kind === "affine") return v;
    if (v.kind === "quad") throw new Error("internal: a quadratic where an affine value is needed");
    const known = this.materialized.get(v);
    if (known !== undefined) return known;
    const size = sizeOf(v.shape);
    const t = this.builder.addAuxiliary(size, v.origin);
    const rows: LinearEntry[] = [];
    // max: piece − t <= 0; min: t − piece <= 0
    const sign = v.sense === "max" ? 1 : -1;
    for (const piece of v.pieces) {
      for (let i = 0; i < size; i++) {
        const row = linConst(paConst(0));
        linAddInto(row, piece[i], sign);
        linAddInto(row, linColumn(t + i), -sign);
        rows.push(row);
      }
    }
    this.builder.addAtomRows(false, rows, v.origin);
    const out: AffineValue = {
      kind: "affine",
      shape: v.shape,
      entries: Array.from({ length: size }, (_, i) => linColumn(t + i)),
    };
    this.materialized.set(v, out);
    return out;
  }

  addAuxiliary(size: number, origin: AtomOrigin): number {
    return this.builder.addAuxiliary(size, origin);
  }

  addAtomRows(equality: boolean, rows: LinearEntry[], origin: AtomOrigin): void {
    this.builder.addAtomRows(equality, rows, origin);
  }

  // ---- expressions

  lower(expr: Expr): Value {
    const known = this.memo.get(expr);
    if (known !== undefined) return known;
    const v = this.lowerUncached(expr);
    this.memo.set(expr, v);
    return v;
  }

  private material(expr: Expr): MaterialValue {
    const v = this.lower(expr);
    return v.kind === "pieces" ? this.materialize(v) : v;
  }

  private lowerUncached(expr: Expr): Value {
    const sugar = this.checker.desugared.get(expr);
    if (sugar !== undefined) return this.lower(sugar);
    const row = this.checker.conformed.get(expr);
    if (row !== undefined) return affineFromDense(row);
    const info = this.checker.info.get(expr);
    if (info === undefined) throw new Error("internal: lowering an unchecked expression");
    if (info.value !== null) return affineFromDense(info.value);
    switch (expr.kind) {
      case "number":
        return affineScalar(expr.value);
      case "name":
        return this.lowerName(expr.name);
      case "unary": {
        const v = this.material(expr.operand);
        return expr.op === "-" ? scaleValue(v, paConst(-1)) : v;
      }
      case "binary": {
        if (expr.op === "+" || expr.op === "-")
          return addValues(
            this.material(expr.left),
            this.material(expr.right),
            expr.op === "-" ? -1 : 1,
          );
        if (expr.op === "/") {
          const divisor = this.checker.info.get(expr.right)?.value;
          if (divisor) return scaleValue(this.material(expr.left), paConst(1 / divisor.data[0]));
          return this.lowerDivision(expr.left, expr.right, expr.span);
        }
        const kind = expr.op === "*" ? "matmul" : "elementwise";
        const left = this.numeric(expr.left);
        if (left !== undefined)
          return multiplyByConstant(left, this.material(expr.right), true, kind);
        const right = this.numeric(expr.right);
        if (right !== undefined)
          return multiplyByConstant(right, this.material(expr.left), false, kind);
        return multiplyValues(this.material(expr.left), this.material(expr.right), kind);
      }
      case "transpose": {
        const v = this.material(expr.operand);
        return pickValue(v, transposeShape(v.shape), transposeIndices(v.shape));
      }
      case "index": {
        const pick = this.checker.picks.get(expr);
        if (pick === undefined) throw new Error("internal: unchecked index");
        return pickValue(this.material(expr.base), pick.shape, pick.flat);
      }
      case "call":
        return this.lowerCall(expr);
      case "power":
      case "norm":
        throw new Error(`internal: ${expr.kind} should have been desugared`);
      case "array":
        throw new Error("internal: an array literal is a numeric constant");
    }
  }

  /** The numeric value of a constant subexpression, without lowering it. */
  private numeric(expr: Expr): Dense | undefined {
    if (this.checker.desugared.has(expr)) return undefined;
    return this.checker.conformed.get(expr) ?? this.checker.info.get(expr)?.value ?? undefined;
  }

  private lowerName(name: string): Value {
    const symbol = this.scope.get(name);
    if (symbol?.kind === "parameter")
      return {
        kind: "affine",
        shape: symbol.shape,
        entries: Array.from({ length: symbol.size }, (_, i) =>
          linConst(paParam(symbol.offset + i)),
        ),
      };
    if (symbol?.kind === "variable")
      return {
        kind: "affine",
        shape: symbol.shape,
        entries: Array.from({ length: symbol.size }, (_, i) => linColumn(symbol.column + i)),
      };
    throw new Error(`internal: name ${name} has no lowering`);
  }

  /** e / lam for a parameter lam: an auxiliary w with the rows lam·w − e = 0. */
  private lowerDivision(numerator: Expr, divisor: Expr, span: Span): Value {
    const e = this.material(numerator);
    if (e.kind !== "affine") throw new Error("internal: dividing a quadratic");
    const lam = (this.material(divisor) as AffineValue).entries[0].c;
    const origin: AtomOrigin = { atom: "divide", text: this.text(span), span };
    const w = this.builder.addAuxiliary(e.entries.length, origin);
    const rows = e.entries.map((entry, i) => {
      const row = linScale(linColumn(w + i), lam);
      linAddInto(row, entry, -1);
      return row;
    });
    this.builder.addAtomRows(true, rows, origin);
    return { kind: "affine", shape: e.shape, entries: e.entries.map((_, i) => linColumn(w + i)) };
  }

  private lowerCall(call: CallExpr): Value {
    const info = this.checker.info.get(call);
    if (info?.value) return affineFromDense(info.value);
    const atom = ATOMS.get(call.callee.name);
    if (atom === undefined) throw new Error(`internal: unknown atom ${call.callee.name}`);
    const args = call.args.map((a) => this.lower(a));
    return atom.lower(this, args, { atom: atom.name, text: this.text(call.span), span: call.span });
  }

  // ---- statements

  lowerConstraint(link: ConstraintLink, index: number): SourceConstraint {
    const text = this.text(link.span);
    const size = sizeOf(link.shape);
    const left = this.lower(link.left);
    const right = this.lower(link.right);
    const equality = link.relation === "==";
    let rows: LinearEntry[];
    if (equality) {
      rows = differenceRows(this.materialize(left), this.materialize(right), size);
    } else {
      const [small, large] = link.relation === "<=" ? [left, right] : [right, left];
      if (
        small.kind === "pieces" &&
        small.sense === "max" &&
        !(large.kind === "pieces" && large.sense === "min")
      ) {
        const bound = this.materialize(large);
        rows = small.pieces.flatMap((piece) =>
          differenceRows(pieceValue(small, piece), bound, size),
        );
      } else if (large.kind === "pieces" && large.sense === "min") {
        const bound = this.materialize(small);
        rows = large.pieces.flatMap((piece) =>
          differenceRows(bound, pieceValue(large, piece), size),
        );
      } else {
        rows = differenceRows(this.materialize(small), this.materialize(large), size);
      }
    }
    if (!rows.some(linHasVariables)) this.withoutVariables.push(link);
    const start = this.builder.addRows(equality, {
      rows,
      origin: "constraint",
      constraint: index,
      atom: null,
      text,
      span: link.span,
    });
    return {
      text,
      span: link.span,
      relation: link.relation,
      shape: this.constraintShape(link),
      equality,
      start,
      count: rows.length,
    };
  }

  /**
   * The shape users see a constraint in (its duals): a side that is a declared name of the
   * constraint's size lends its declared shape, so `u >= 0` with `u[T, 1]` is [T, 1] and `z >= 0`
   * with `z[n]`, n = 1, is [1]; otherwise the normalised shape of the comparison.
   */
  private constraintShape(link: ConstraintLink): number[] {
    for (const side of [link.left, link.right]) {
      if (side.kind !== "name") continue;
      const symbol = this.scope.get(side.name);
      if (symbol?.kind !== "parameter" && symbol?.kind !== "variable") continue;
      if (sameShape(symbol.shape, link.shape)) return [...symbol.declaredShape];
    }
    return [...link.shape];
  }

  lowerObjective(objective: ObjectiveStatement): void {
    const v = this.material(objective.expr);
    const sign = objective.sense === "maximize" ? -1 : 1;
    const entry = toQuad(scaleValue(v, paConst(sign))).entries[0];
    for (const part of entry.parts) this.builder.addQuadPart(part);
    this.builder.addLinear(entry.lin);
  }
}

function pieceValue(v: PiecesValue, entries: LinearEntry[]): AffineValue {
  return { kind: "affine", shape: v.shape, entries };
}

/** Entries a_i − b_i with scalar broadcasting. */
function differenceRows(a: AffineValue, b: AffineValue, size: number): LinearEntry[] {
  const rows: LinearEntry[] = [];
  for (let i = 0; i < size; i++) {
    const row = linConst(paConst(0));
    linAddInto(row, a.entries[isScalar(a.shape) ? 0 : i], 1);
    linAddInto(row, b.entries[isScalar(b.shape) ? 0 : i], -1);
    rows.push(row);
  }
  return rows;
}
