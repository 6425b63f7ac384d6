import type { Span } from "../dsl/index.js";

/**
 * The canonical form of a compiled program (LANGUAGE.md §4): for every batch member
 *
 *     minimize 1/2 z'Qz + q'z   subject to  Az = b,  Gz <= h
 *
 * where each of Q, q, A, b, G, h is an affine function of the flat parameter vector θ (all
 * parameters' entries concatenated, each parameter row-major at its `offset`). This is the
 * meeting point of the compiler (src/canon) and everything downstream (src/codegen,
 * src/runtime); it holds plain data only, so it can be serialised as JSON.
 */
export interface CanonicalQP {
  /** File name used in messages (`<input>` when compiled from a string). */
  file: string;
  source: string;
  /** Every dim's resolved value. */
  dims: Record<string, number>;
  /** Number of columns of z (user variables first, then auxiliary ones). */
  n: number;
  /** Number of equality rows (A is m×n). */
  m: number;
  /** Number of inequality rows (G is p×n). */
  p: number;
  parameters: CanonParameter[];
  /** Length of θ: the sum of all parameters' sizes. */
  parameterSize: number;
  variables: CanonVariable[];
  auxiliaries: AuxiliaryColumns[];
  /** Q is n×n and symmetric: both triangles are stored. */
  Q: AffineMap;
  /** n×1 */
  q: AffineMap;
  /** m×n */
  A: AffineMap;
  /** m×1 */
  b: AffineMap;
  /** p×n */
  G: AffineMap;
  /** p×1 */
  h: AffineMap;
  /** Where every row of A/b came from, in row order, covering 0..m exactly. */
  equalityRows: RowBlock[];
  /** Where every row of G/h came from, in row order, covering 0..p exactly. */
  inequalityRows: RowBlock[];
  /** The user's constraints (each link of a chain is one), for duals per source constraint. */
  constraints: SourceConstraint[];
  objective: CanonObjective;
}

export interface CanonParameter {
  name: string;
  /**
   * As declared: [] for a scalar, [k] for a vector, [r, c] for a matrix, a size of 1 kept as an
   * axis (`[2, 1]` stays `[2, 1]`, `[n]` with n = 1 stays `[1]`). Values are given in this shape;
   * the row-major entries are the same as in the compiler's normalised shape.
   */
  shape: number[];
  size: number;
  /** First index of this parameter's entries in θ. */
  offset: number;
  nonneg: boolean;
  nonpos: boolean;
  psd: boolean;
  /** Declared `symmetric` (or `psd`): to be checked at solve time like the other attributes. */
  symmetric?: boolean;
  span: Span;
}

export interface CanonVariable {
  name: string;
  /** As declared, like CanonParameter.shape: values come back in this shape. */
  shape: number[];
  size: number;
  /** First column of z holding this variable (row-major). */
  column: number;
  /** Whether the layer returns it (the `output` statement, or all variables by default). */
  output: boolean;
  span: Span;
}

/** Columns added by lowering an atom to epigraph form (e.g. the t of `||D z||_1`). */
export interface AuxiliaryColumns {
  column: number;
  size: number;
  /** The atom that introduced them, e.g. "norm1". */
  atom: string;
  /** The source text of the atom's expression, e.g. "||D z||_1". */
  text: string;
  span: Span;
}

/**
 * A sparse affine map θ ↦ X for a rows×cols array X stored row-major (vectors have cols = 1):
 *
 *     X[constant.index[k]] += constant.value[k]
 *     X[terms.index[k]]    += terms.coef[k] * θ[terms.param[k]]
 *
 * Entries may repeat (they add up).
 */
export interface AffineMap {
  rows: number;
  cols: number;
  constant: { index: number[]; value: number[] };
  terms: { index: number[]; param: number[]; coef: number[] };
}

/** What a run of consecutive rows of A/b or G/h looks like, for the solver and for humans. */
export type RowStructure =
  /** every row is ±e_j (one θ-free entry ±1); inequality blocks such as `0 <= z <= 1` */
  | "bound"
  /** an equality block that is exactly ±I over a contiguous run of columns (`z[0:3] == x`) */
  | "identity"
  /** anything else */
  | "general";

export interface RowBlock {
  start: number;
  count: number;
  /** A user's constraint, or rows added by lowering an atom. */
  origin: "constraint" | "atom";
  /** Index into `constraints` when origin is "constraint". */
  constraint: number | null;
  /** The atom's name when origin is "atom" (e.g. "abs", "norm1"). */
  atom: string | null;
  /** Source text of the constraint or atom, e.g. "z >= 0". */
  text: string;
  span: Span;
  structure: RowStructure;
  /** Names of the parameters that appear in these rows (of A/G or of b/h). */
  dependsOn: string[];
}

export interface SourceConstraint {
  /** Source text of this link of the constraint, e.g. "z <= 1". */
  text: string;
  span: Span;
  relation: "==" | "<=" | ">=";
  /**
   * Shape of the constraint after broadcasting ([] for a scalar constraint); the declared shape
   * of a side that is a plain parameter or variable name of that size (`u >= 0` with `u[T, 1]`
   * is [T, 1]), so duals come back in the shape the user declared.
   */
  shape: number[];
  /**
   * Its rows: in A (equality) or G (inequality), `count` rows from `start`, row-major order.
   * `count` is the shape's size, or a multiple of it when a piecewise linear atom is bounded
   * directly (`abs(x) <= t` gives the rows x − t and −x − t: row k·size + i is piece k of entry
   * i). Then entry i's value is the max over pieces and its dual the sum over pieces.
   */
  equality: boolean;
  start: number;
  count: number;
}

/** A quadratic polynomial in θ: constant + Σ coef·θ[param] + Σ coef·θ[a]·θ[b]. */
export interface ParamPolynomial {
  constant: number;
  linear: { param: number[]; coef: number[] };
  quadratic: { a: number[]; b: number[]; coef: number[] };
}

export interface CanonObjective {
  sense: "minimize" | "maximize";
  text: string;
  span: Span;
  /**
   * At an optimum the user's objective equals sign·(1/2 z'Qz + q'z + offset(θ)), where sign is
   * +1 for minimize and −1 for maximize (a maximize is canonicalised as minimizing the negation).
   */
  offset: ParamPolynomial;
  /** The objective's terms as the user wrote them, for describe(): which made Q, which q. */
  terms: { text: string; span: Span; dependsOn: string[] }[];
}
