/**
 * The QP under construction: columns of z, rows of A/b and G/h with their provenance, and the
 * objective's Q, q and offset. Rows are stored as linear entries meaning `entry == 0` (A/b) or
 * `entry <= 0` (G/h).
 */
import type { Span } from "../dsl/index.js";
import {
  linColumn,
  linConst,
  linAddInto,
  paAddInto,
  paConst,
  paIsConst,
  paIsZero,
  paMul,
  linCoefficientsDependOnTheta,
  type LinearEntry,
  type ParamAffine,
} from "./affine.js";
import { spendCompileWork } from "./budget.js";
import { PolynomialBuilder } from "./polynomial.js";
import type { AuxiliaryColumns } from "./types.js";
import type { AtomOrigin, QuadPart } from "./values.js";

export interface RowBlockDraft {
  start: number;
  rows: LinearEntry[];
  origin: "constraint" | "atom";
  constraint: number | null;
  atom: string | null;
  text: string;
  span: Span;
}

export class ProblemBuilder {
  columns: number;
  readonly auxiliaries: AuxiliaryColumns[] = [];
  readonly equality: RowBlockDraft[] = [];
  readonly inequality: RowBlockDraft[] = [];
  equalityCount = 0;
  inequalityCount = 0;
  /** Q[i][j], both triangles */
  readonly Q = new Map<number, Map<number, ParamAffine>>();
  readonly q = new Map<number, ParamAffine>();
  readonly offset = new PolynomialBuilder();

  constructor(userColumns: number) {
    this.columns = userColumns;
  }

  addAuxiliary(size: number, origin: AtomOrigin): number {
    const column = this.columns;
    this.auxiliaries.push({
      column,
      size,
      atom: origin.atom,
      text: origin.text,
      span: origin.span,
    });
    this.columns += size;
    return column;
  }

  /** Appends a block of rows; returns its first row. */
  addRows(equality: boolean, block: Omit<RowBlockDraft, "start">): number {
    const start = equality ? this.equalityCount : this.inequalityCount;
    if (block.rows.length === 0) return start;
    (equality ? this.equality : this.inequality).push({ ...block, start });
    if (equality) this.equalityCount += block.rows.length;
    else this.inequalityCount += block.rows.length;
    return start;
  }

  addAtomRows(equality: boolean, rows: LinearEntry[], origin: AtomOrigin): void {
    this.addRows(equality, {
      rows,
      origin: "atom",
      constraint: null,
      atom: origin.atom,
      text: origin.text,
      span: origin.span,
    });
  }

  private addQ(i: number, j: number, v: ParamAffine): void {
    if (paIsZero(v)) return;
    let row = this.Q.get(i);
    if (row === undefined) this.Q.set(i, (row = new Map()));
    const cur = row.get(j);
    if (cur === undefined) row.set(j, v);
    else paAddInto(cur, v);
  }

  /** Adds the affine part of the objective: q'z + c(θ). */
  addLinear(e: LinearEntry): void {
    for (const [j, v] of e.cols) {
      const cur = this.q.get(j);
      if (cur === undefined) this.q.set(j, { c: v.c, t: new Map(v.t) });
      else paAddInto(cur, v);
    }
    this.offset.addAffine(e.c);
  }

  /**
   * Adds w·(Cz + d)'P(Cz + d). Expanded in place when Q, q and the offset stay affine (quadratic
   * for the offset) in θ; otherwise through auxiliaries r = Cz + d, leaving w·r'Pr.
   */
  addQuadPart(part: QuadPart): void {
    const { weight: w, P } = part;
    let arg = part.arg;
    const k = arg.length;
    const degW = paIsConst(w) ? 0 : 1;
    const degP = P !== null && P.some((x) => !paIsConst(x)) ? 1 : 0;
    const degC = arg.some(linCoefficientsDependOnTheta) ? 1 : 0;
    const degD = arg.some((e) => !paIsConst(e.c)) ? 1 : 0;
    const direct =
      2 * degC + degW + degP <= 1 && degC + degW + degP + degD <= 1 && degW + degP + 2 * degD <= 2;
    if (!direct) {
      const r = this.addAuxiliary(k, part.origin);
      const rows = arg.map((e, i) => {
        const row = linColumn(r + i);
        linAddInto(row, e, -1);
        return row;
      });
      this.addAtomRows(true, rows, part.origin);
      arg = arg.map((_, i) => linColumn(r + i));
    }
    spendCompileWork(P === null ? k : k * k);
    for (let i = 0; i < k; i++) {
      // Without P the form is diagonal: only j = i contributes.
      for (let j = P === null ? i : 0; j < (P === null ? i + 1 : k); j++) {
        const M = P === null ? w : paMul(w, P[i * k + j]);
        if (paIsZero(M)) continue;
        const ci = arg[i];
        const cj = arg[j];
        // ½z'Qz gains z'(M C_i C_jᵀ)z; q gains 2M d_j C_i; the offset M d_i d_j.
        for (const [a, ca] of ci.cols) {
          const Mca = paMul(M, ca);
          for (const [b, cb] of cj.cols) this.addQ(a, b, paMul(paMul(Mca, cb), paConst(2)));
          const lin = paMul(Mca, cj.c);
          if (!paIsZero(lin))
            this.addLinear({ cols: new Map([[a, paMul(lin, paConst(2))]]), c: paConst(0) });
        }
        this.offset.addWeightedProduct(M, ci.c, cj.c);
      }
    }
  }
}

export function zeroEntry(): LinearEntry {
  return linConst(paConst(0));
}
