import type { Span } from "../dsl/index.js";
import {
  linAddInto,
  linAddScaledInto,
  linClone,
  linConst,
  linScale,
  paClone,
  paConst,
  paIsZero,
  paMul,
  paScale,
  type LinearEntry,
  type ParamAffine,
} from "./affine.js";
import type { Dense } from "./dense.js";
import { asMatrix, broadcastShapes, isScalar, matmulShape, sizeOf, type Shape } from "./shape.js";

/** The atom and source text that auxiliary columns and rows are recorded under. */
export interface AtomOrigin {
  atom: string;
  text: string;
  span: Span;
}

/** Entries affine in the variables (row-major). */
export interface AffineValue {
  kind: "affine";
  shape: Shape;
  entries: LinearEntry[];
}

/** weight · arg' P arg, with P = I when null (P is k×k row-major, symmetric). */
export interface QuadPart {
  weight: ParamAffine;
  arg: LinearEntry[];
  P: ParamAffine[] | null;
  /** the atom it came from, for an auxiliary it may need */
  origin: AtomOrigin;
}

/** A convex (or, negated, concave) quadratic: Σ parts + an affine rest. */
export interface QuadEntry {
  parts: QuadPart[];
  lin: LinearEntry;
}

export interface QuadValue {
  kind: "quad";
  shape: Shape;
  entries: QuadEntry[];
}

/**
 * Piecewise linear, not yet given an auxiliary column: entry i is the max (or min) over k of
 * pieces[k][i]. Kept lazy so that `abs(x) <= t` becomes the rows ±x <= t directly.
 */
export interface PiecesValue {
  kind: "pieces";
  sense: "max" | "min";
  shape: Shape;
  pieces: LinearEntry[][];
  origin: AtomOrigin;
}

export type Value = AffineValue | QuadValue | PiecesValue;
export type MaterialValue = AffineValue | QuadValue;

export function affineFromDense(d: Dense): AffineValue {
  return {
    kind: "affine",
    shape: d.shape,
    entries: Array.from(d.data, (x) => linConst(paConst(x))),
  };
}

export function affineScalar(c: number): AffineValue {
  return { kind: "affine", shape: [], entries: [linConst(paConst(c))] };
}

export function toQuad(v: MaterialValue): QuadValue {
  if (v.kind === "quad") return v;
  return { kind: "quad", shape: v.shape, entries: v.entries.map((lin) => ({ parts: [], lin })) };
}

function cloneQuadEntry(e: QuadEntry): QuadEntry {
  return { parts: e.parts.map((p) => ({ ...p, weight: paClone(p.weight) })), lin: linClone(e.lin) };
}

/** target += coef · e */
function accumulate(target: QuadEntry, e: QuadEntry, coef: ParamAffine): void {
  if (paIsZero(coef)) return;
  for (const part of e.parts) target.parts.push({ ...part, weight: paMul(coef, part.weight) });
  linAddScaledInto(target.lin, e.lin, coef);
}

function emptyQuadEntry(): QuadEntry {
  return { parts: [], lin: linConst(paConst(0)) };
}

function fromQuad(shape: Shape, entries: QuadEntry[], quadratic: boolean): MaterialValue {
  if (quadratic) return { kind: "quad", shape, entries };
  return { kind: "affine", shape, entries: entries.map((e) => e.lin) };
}

/** a + scaleB·b, elementwise with scalar broadcasting. */
export function addValues(a: MaterialValue, b: MaterialValue, scaleB = 1): MaterialValue {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape === null) throw new Error("internal: addValues shapes");
  const qa = toQuad(a);
  const qb = toQuad(b);
  const size = sizeOf(shape);
  const entries: QuadEntry[] = [];
  const coef = paConst(scaleB);
  for (let i = 0; i < size; i++) {
    const e = cloneQuadEntry(qa.entries[isScalar(a.shape) ? 0 : i]);
    accumulate(e, qb.entries[isScalar(b.shape) ? 0 : i], coef);
    entries.push(e);
  }
  return fromQuad(shape, entries, a.kind === "quad" || b.kind === "quad");
}

export function scaleValue(v: MaterialValue, coef: ParamAffine): MaterialValue {
  const entries = toQuad(v).entries.map((e) => {
    const out = emptyQuadEntry();
    accumulate(out, e, coef);
    return out;
  });
  return fromQuad(v.shape, entries, v.kind === "quad");
}

/**
 * A product where at least one side has no variables (the checker guarantees it): its entries
 * are the θ-affine coefficients of the other side.
 */
export function multiplyValues(
  a: MaterialValue,
  b: MaterialValue,
  kind: "matmul" | "elementwise",
): MaterialValue {
  const aIsCoefficient = isCoefficient(a);
  const coefficients = aIsCoefficient ? a : b;
  const other = aIsCoefficient ? b : a;
  if (!isCoefficient(coefficients)) throw new Error("internal: product of two variable values");
  const coef = (coefficients as AffineValue).entries.map((e) => e.c);
  const quad = toQuad(other).entries;
  const quadratic = other.kind === "quad";
  if (kind === "elementwise" || isScalar(a.shape) || isScalar(b.shape)) {
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === null) throw new Error("internal: product shapes");
    const scalarCoef = isScalar(coefficients.shape);
    const scalarOther = isScalar(other.shape);
    const entries: QuadEntry[] = [];
    for (let i = 0; i < sizeOf(shape); i++) {
      const out = emptyQuadEntry();
      accumulate(out, quad[scalarOther ? 0 : i], coef[scalarCoef ? 0 : i]);
      entries.push(out);
    }
    return fromQuad(shape, entries, quadratic);
  }
  const shape = matmulShape(a.shape, b.shape);
  if (shape === null) throw new Error("internal: matmul shapes");
  const [r, k] = asMatrix(a.shape);
  const [, c] = asMatrix(b.shape);
  const entries: QuadEntry[] = [];
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const out = emptyQuadEntry();
      for (let l = 0; l < k; l++) {
        const ai = i * k + l;
        const bi = l * c + j;
        if (aIsCoefficient) accumulate(out, quad[bi], coef[ai]);
        else accumulate(out, quad[ai], coef[bi]);
      }
      entries.push(out);
    }
  }
  return fromQuad(shape, entries, quadratic);
}

/** target += s · e for a number s */
function accumulateNumber(target: QuadEntry, e: QuadEntry, s: number): void {
  if (s === 0) return;
  for (const part of e.parts) target.parts.push({ ...part, weight: paScale(part.weight, s) });
  linAddInto(target.lin, e.lin, s);
}

/**
 * A product with a numeric constant (`D z`, `2 z`, `z .* w`), visiting only the constant's
 * nonzeros: a 999×1000 difference matrix costs its 2000 nonzeros, not a million entries.
 */
export function multiplyByConstant(
  d: Dense,
  v: MaterialValue,
  constantOnLeft: boolean,
  kind: "matmul" | "elementwise",
): MaterialValue {
  const quad = toQuad(v).entries;
  const quadratic = v.kind === "quad";
  if (kind === "elementwise" || isScalar(d.shape) || isScalar(v.shape)) {
    const shape = broadcastShapes(d.shape, v.shape);
    if (shape === null) throw new Error("internal: product shapes");
    const scalarD = isScalar(d.shape);
    const scalarV = isScalar(v.shape);
    const entries: QuadEntry[] = [];
    for (let i = 0; i < sizeOf(shape); i++) {
      const out = emptyQuadEntry();
      accumulateNumber(out, quad[scalarV ? 0 : i], d.data[scalarD ? 0 : i]);
      entries.push(out);
    }
    return fromQuad(shape, entries, quadratic);
  }
  const [a, b] = constantOnLeft ? [d.shape, v.shape] : [v.shape, d.shape];
  const shape = matmulShape(a, b);
  if (shape === null) throw new Error("internal: matmul shapes");
  const [r, k] = asMatrix(a);
  const [, c] = asMatrix(b);
  const entries = Array.from({ length: r * c }, emptyQuadEntry);
  for (let i = 0; i < r; i++) {
    for (let l = 0; l < k; l++) {
      for (let j = 0; j < c; j++) {
        const coef = constantOnLeft ? d.data[i * k + l] : d.data[l * c + j];
        if (coef === 0) continue;
        accumulateNumber(entries[i * c + j], quad[constantOnLeft ? l * c + j : i * k + l], coef);
      }
    }
  }
  return fromQuad(shape, entries, quadratic);
}

export function isCoefficient(v: MaterialValue): boolean {
  return v.kind === "affine" && v.entries.every((e) => e.cols.size === 0);
}

export function pickValue(v: MaterialValue, shape: Shape, flat: readonly number[]): MaterialValue {
  if (v.kind === "affine") return { kind: "affine", shape, entries: flat.map((i) => v.entries[i]) };
  return { kind: "quad", shape, entries: flat.map((i) => v.entries[i]) };
}

export function transposeIndices(shape: Shape): number[] {
  const [r, c] = asMatrix(shape);
  const flat: number[] = [];
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) flat.push(i * c + j);
  return flat;
}

export function sumValue(v: MaterialValue): MaterialValue {
  const out = emptyQuadEntry();
  for (const e of toQuad(v).entries) accumulate(out, e, paConst(1));
  return fromQuad([], [out], v.kind === "quad");
}

export function negateLinear(e: LinearEntry): LinearEntry {
  return linScale(e, paConst(-1));
}
