import type { Span } from "../dsl/index.js";
import { elementwise, matmul } from "./dense.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { mulSign, scaleCurvature, unionParams, type Info } from "./info.js";
import { broadcastShapes, formatShape, isScalar, matmulShape, type Shape } from "./shape.js";

export const PARAM_PRODUCT_MESSAGE =
  "a product of two parameter-dependent factors is not affine in the parameters";
export const PARAM_PRODUCT_HINT =
  "compute the product outside the layer and pass it as one parameter";

/**
 * The DCP product rule: one factor must be free of variables; its sign decides the curvature
 * of a convex or concave other factor; the QP data must stay affine in the parameters.
 */
export function checkProduct(
  left: Info,
  right: Info,
  kind: "matmul" | "elementwise",
  span: Span,
  diags: DiagnosticBag,
): Info | undefined {
  const shape = productShape(left.shape, right.shape, kind);
  if (shape === null) {
    const what = kind === "matmul" ? "matrix product" : "elementwise product";
    return diags.error(
      span,
      `shape mismatch in a ${what}: ${formatShape(left.shape)} and ${formatShape(right.shape)}`,
      kind === "matmul" && broadcastShapes(left.shape, right.shape) !== null
        ? "use `.*` for an elementwise product"
        : undefined,
    );
  }
  if (left.degree > 0 && right.degree > 0) {
    const hasParams = left.params.size > 0 || right.params.size > 0;
    return diags.error(
      span,
      hasParams
        ? "parameter × variable × variable: a product of two expressions with variables is not a QP term"
        : "a product of two expressions with variables is not a QP term",
      "write quadratic terms as `e'e`, `e' P e`, `||e||^2`, `square(e)` or `quad_form(e, P)`",
    );
  }
  if (left.paramDegree + right.paramDegree > 1)
    return diags.error(span, PARAM_PRODUCT_MESSAGE, PARAM_PRODUCT_HINT);
  const sign = mulSign(left, right);
  const base = {
    shape,
    nonneg: sign.nonneg,
    nonpos: sign.nonpos,
    params: unionParams(left.params, right.params),
    paramDegree: Math.max(left.paramDegree, right.paramDegree) as 0 | 1,
    // a psd matrix scaled by a nonnegative scalar stays psd (`quad_form(z, 2 P)`)
    psd:
      (left.psd && isScalar(right.shape) && right.nonneg) ||
      (right.psd && isScalar(left.shape) && left.nonneg),
    conformingRow: null,
  };
  if (left.degree === 0 && right.degree === 0) {
    const value =
      left.value !== null && right.value !== null
        ? kind === "matmul"
          ? matmul(left.value, right.value)
          : elementwise(left.value, right.value, (a, b) => a * b)
        : null;
    if (value !== null) {
      base.nonneg = value.data.every((x) => x >= 0);
      base.nonpos = value.data.every((x) => x <= 0);
    }
    return { ...base, curvature: "constant", degree: 0, value };
  }
  const [coefficient, other] = left.degree === 0 ? [left, right] : [right, left];
  const curvature = scaleCurvature(other.curvature, coefficient);
  if (curvature === null) {
    const names = [...coefficient.params];
    if (names.length > 0 && isScalar(coefficient.shape)) {
      const what = other.degree === 2 ? "a convex quadratic" : `a ${other.curvature} expression`;
      return diags.error(
        span,
        `a parameter multiplying ${what} needs a known sign: \`${names.join("`, `")}\` may be negative`,
        `declare \`parameter ${names[0]} nonneg\``,
      );
    }
    return diags.error(
      span,
      `non-convex: a coefficient of unknown sign multiplies a ${other.curvature} expression`,
      names.length > 0
        ? `declare \`${names[0]}\` nonneg (or nonpos)`
        : "only a nonnegative (or nonpositive) coefficient keeps the curvature known",
    );
  }
  return { ...base, curvature, degree: other.degree, value: null };
}

export function productShape(a: Shape, b: Shape, kind: "matmul" | "elementwise"): Shape | null {
  if (kind === "elementwise" || isScalar(a) || isScalar(b)) return broadcastShapes(a, b);
  return matmulShape(a, b);
}
