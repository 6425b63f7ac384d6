/**
 * The numbers of a lowered program. A `ParamAffine` is one entry of QP data: affine in the flat
 * parameter vector θ. A `LinearEntry` is one entry of an expression that is affine in the
 * variables z, with θ-affine coefficients: Σ_j coef_j(θ)·z_j + c(θ).
 */
import { spendCompileWork } from "./budget.js";

export interface ParamAffine {
  c: number;
  /** parameter index in θ → coefficient */
  t: Map<number, number>;
}

export interface LinearEntry {
  /** column of z → coefficient */
  cols: Map<number, ParamAffine>;
  c: ParamAffine;
}

export function paConst(c: number): ParamAffine {
  spendCompileWork(1);
  return { c, t: new Map() };
}

export function paParam(index: number, coef = 1): ParamAffine {
  spendCompileWork(1);
  return { c: 0, t: new Map([[index, coef]]) };
}

export function paIsConst(a: ParamAffine): boolean {
  return a.t.size === 0;
}

export function paIsZero(a: ParamAffine): boolean {
  return a.c === 0 && a.t.size === 0;
}

export function paClone(a: ParamAffine): ParamAffine {
  spendCompileWork(1 + a.t.size);
  return { c: a.c, t: new Map(a.t) };
}

/** target += scale·a */
export function paAddInto(target: ParamAffine, a: ParamAffine, scale = 1): void {
  spendCompileWork(a.t.size);
  target.c += scale * a.c;
  for (const [k, v] of a.t) {
    const next = (target.t.get(k) ?? 0) + scale * v;
    if (next === 0) target.t.delete(k);
    else target.t.set(k, next);
  }
}

export function paScale(a: ParamAffine, s: number): ParamAffine {
  const out = paConst(0);
  paAddInto(out, a, s);
  return out;
}

/** The product of two θ-affine numbers; the checker guarantees one of them is θ-free. */
export function paMul(a: ParamAffine, b: ParamAffine): ParamAffine {
  if (paIsConst(a)) return paScale(b, a.c);
  if (paIsConst(b)) return paScale(a, b.c);
  throw new Error("internal: product of two parameter-dependent numbers");
}

export function linConst(c: ParamAffine): LinearEntry {
  return { cols: new Map(), c };
}

export function linColumn(column: number, coef = 1): LinearEntry {
  return { cols: new Map([[column, paConst(coef)]]), c: paConst(0) };
}

export function linClone(e: LinearEntry): LinearEntry {
  const cols = new Map<number, ParamAffine>();
  for (const [j, v] of e.cols) cols.set(j, paClone(v));
  return { cols, c: paClone(e.c) };
}

/** target += scale·e, for a θ-free scale */
export function linAddInto(target: LinearEntry, e: LinearEntry, scale = 1): void {
  spendCompileWork(e.cols.size);
  for (const [j, v] of e.cols) {
    const cur = target.cols.get(j);
    if (cur === undefined) {
      if (!paIsZero(v)) target.cols.set(j, paScale(v, scale));
    } else {
      paAddInto(cur, v, scale);
      if (paIsZero(cur)) target.cols.delete(j);
    }
  }
  paAddInto(target.c, e.c, scale);
}

/** target += coef·e, for a θ-affine coef (one of coef and e must be θ-free) */
export function linAddScaledInto(target: LinearEntry, e: LinearEntry, coef: ParamAffine): void {
  if (paIsConst(coef)) {
    linAddInto(target, e, coef.c);
    return;
  }
  for (const [j, v] of e.cols) {
    const cur = target.cols.get(j);
    const add = paMul(coef, v);
    if (cur === undefined) target.cols.set(j, add);
    else paAddInto(cur, add);
  }
  paAddInto(target.c, paMul(coef, e.c));
}

export function linScale(e: LinearEntry, coef: ParamAffine): LinearEntry {
  const out = linConst(paConst(0));
  linAddScaledInto(out, e, coef);
  return out;
}

export function linSum(a: LinearEntry, b: LinearEntry, scaleB = 1): LinearEntry {
  const out = linClone(a);
  linAddInto(out, b, scaleB);
  return out;
}

export function linHasVariables(e: LinearEntry): boolean {
  for (const v of e.cols.values()) if (!paIsZero(v)) return true;
  return false;
}

/** Whether any coefficient of a variable depends on θ. */
export function linCoefficientsDependOnTheta(e: LinearEntry): boolean {
  for (const v of e.cols.values()) if (!paIsConst(v)) return true;
  return false;
}
