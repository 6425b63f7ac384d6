import type { Dense } from "./dense.js";
import type { Shape } from "./shape.js";

/** DCP curvature; "constant" means no variables (parameters are constants, as in CVXPY). */
export type Curvature = "constant" | "affine" | "convex" | "concave";

/** What the checker knows about one subexpression. */
export interface Info {
  shape: Shape;
  curvature: Curvature;
  nonneg: boolean;
  nonpos: boolean;
  /** names of the parameters that appear */
  params: ReadonlySet<string>;
  /**
   * 1 when the QP data this subexpression contributes depends on θ. Atoms lowered through
   * auxiliary variables reset it to 0: their parameters went into rows of their own.
   */
  paramDegree: 0 | 1;
  /** degree in the variables: 0 none, 1 affine or piecewise linear, 2 quadratic */
  degree: 0 | 1 | 2;
  /** the numeric value, for expressions with neither variables nor parameters */
  value: Dense | null;
  /** a square matrix known to be positive semidefinite (a `psd` parameter) */
  psd: boolean;
  /** `1'` or `0'` (or `1` right of a matrix): ones/zeros of whatever length the product needs */
  conformingRow: number | null;
}

export const NO_PARAMS: ReadonlySet<string> = new Set();

export function unionParams(...sets: ReadonlySet<string>[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const s of sets) for (const p of s) out.add(p);
  return out;
}

export function constantInfo(value: Dense): Info {
  return {
    shape: value.shape,
    curvature: "constant",
    nonneg: value.data.every((x) => x >= 0),
    nonpos: value.data.every((x) => x <= 0),
    params: NO_PARAMS,
    paramDegree: 0,
    degree: 0,
    value,
    psd: false,
    conformingRow: null,
  };
}

export function negateCurvature(c: Curvature): Curvature {
  return c === "convex" ? "concave" : c === "concave" ? "convex" : c;
}

/** Curvature of a sum, or null when convex meets concave. */
export function addCurvature(a: Curvature, b: Curvature): Curvature | null {
  if (a === "constant") return b;
  if (b === "constant") return a;
  if (a === "affine") return b;
  if (b === "affine") return a;
  return a === b ? a : null;
}

/** Curvature of `coefficient × e` for a constant coefficient of known sign, or null. */
export function scaleCurvature(
  c: Curvature,
  coefficient: { nonneg: boolean; nonpos: boolean },
): Curvature | null {
  if (c === "constant" || c === "affine") return c;
  if (coefficient.nonneg && coefficient.nonpos) return "affine";
  if (coefficient.nonneg) return c;
  if (coefficient.nonpos) return negateCurvature(c);
  return null;
}

export interface Sign {
  nonneg: boolean;
  nonpos: boolean;
}

export function addSign(a: Sign, b: Sign): Sign {
  return { nonneg: a.nonneg && b.nonneg, nonpos: a.nonpos && b.nonpos };
}

export function mulSign(a: Sign, b: Sign): Sign {
  const zero = (a.nonneg && a.nonpos) || (b.nonneg && b.nonpos);
  return {
    nonneg: zero || (a.nonneg && b.nonneg) || (a.nonpos && b.nonpos),
    nonpos: zero || (a.nonneg && b.nonpos) || (a.nonpos && b.nonneg),
  };
}

export function negateSign(a: Sign): Sign {
  return { nonneg: a.nonpos, nonpos: a.nonneg };
}

export function describeCurvature(info: Info): string {
  if (info.curvature === "constant") return "constant";
  if (info.degree === 2)
    return info.curvature === "affine" ? "affine" : `${info.curvature} quadratic`;
  return info.curvature;
}
