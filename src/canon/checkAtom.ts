/**
 * The generic check of an atom call, driven by the atom table: arity, shape, sign, and the DCP
 * rule (curvature × sign × monotonicity) for every argument; quadratic arguments only where a
 * QP can hold them; parameters only where the data stays affine in them.
 */
import type { CallExpr, Expr } from "../dsl/index.js";
import type { AtomDefinition } from "./atoms.js";
import { checkProduct } from "./checkProduct.js";
import { denseScalar, isPositiveSemidefinite, type Dense } from "./dense.js";
import type { DiagnosticBag } from "./diagnostics.js";
import { constantInfo, describeCurvature, unionParams, type Info } from "./info.js";

/** Why `count` arguments do not fit the atom, or undefined when they do. */
export function arityError(atom: AtomDefinition, count: number): string | undefined {
  const maxArity = atom.arity[atom.arity.length - 1];
  if (atom.arity.includes(count) || (atom.variadic === true && count > maxArity)) return undefined;
  const plural = maxArity === 1 && !atom.variadic ? "" : "s";
  const more = atom.variadic ? " or more" : "";
  return `\`${atom.name}\` takes ${atom.arity.join(" or ")}${more} argument${plural}, not ${count}: ${atom.signature}`;
}

export function checkAtomCall(
  expr: CallExpr,
  atom: AtomDefinition,
  args: readonly Info[],
  diags: DiagnosticBag,
  text: (e: Expr) => string,
): Info | undefined {
  for (const i of atom.constantArgs ?? [])
    if (args[i].value === null)
      return diags.error(
        expr.args[i].span,
        `argument ${i + 1} of ${atom.signature} must be a numeric constant`,
      );
  const shape = atom.shape(args);
  if (typeof shape === "string") return diags.error(expr.span, `${atom.signature}: ${shape}`);
  const sign = atom.sign(args);
  const params = unionParams(...args.map((a) => a.params));
  if (atom.curvature === "product") {
    const product = checkProduct(args[0], args[1], "elementwise", expr.span, diags);
    if (product === undefined) return undefined;
    const total = product.value && denseScalar(product.value.data.reduce((x, y) => x + y, 0));
    return { ...product, shape, value: total };
  }
  if (args.every((a) => a.degree === 0)) {
    if (args.every((a) => a.value !== null))
      return constantInfo(atom.evaluate(args.map((a) => a.value as Dense)));
    if (atom.curvature !== "affine")
      return diags.error(
        expr.span,
        `\`${text(expr)}\` is a nonlinear function of ${[...params].map((p) => `\`${p}\``).join(", ")}, which is not affine in the parameters`,
        "compute it outside the layer and pass it as a parameter",
      );
  }
  if (atom.curvature === "affine")
    return { ...args[0], shape, ...sign, value: null, psd: false, conformingRow: null };
  let paramDegree: 0 | 1 = 0;
  for (let i = 0; i < args.length; i++) {
    if (atom.constantArgs?.includes(i)) continue;
    const a = args[i];
    if (atom.name === "quad_form" && i === 1) {
      const P = checkQuadFormMatrix(a, expr.args[1], diags);
      if (P === undefined) return undefined;
      paramDegree = P;
      continue;
    }
    if (a.degree === 2)
      return diags.error(
        expr.args[i].span,
        `not QP-representable: \`${atom.name}\` of a quadratic expression would need a quadratic constraint; a QP allows only linear constraints`,
        "quadratic terms may appear only in the objective, added with nonnegative weights",
      );
    const why = dcpViolation(atom, args, i);
    if (why !== undefined)
      return diags.error(
        expr.span,
        `non-convex: ${atom.signature} is ${atom.curvature} but ${why}, and its argument \`${text(expr.args[i])}\` is ${describeCurvature(a)}`,
      );
  }
  return {
    shape,
    curvature: atom.curvature,
    ...sign,
    params,
    paramDegree,
    degree: atom.quadratic ? 2 : 1,
    value: null,
    psd: false,
    conformingRow: null,
  };
}

/** P of quad_form(e, P): a constant PSD matrix (θ-degree 0) or a parameter declared psd (1). */
function checkQuadFormMatrix(P: Info, expr: Expr, diags: DiagnosticBag): 0 | 1 | undefined {
  if (P.degree > 0)
    return diags.error(expr.span, "the matrix of quad_form(e, P) must not contain variables");
  if (P.value !== null) {
    if (!isPositiveSemidefinite(P.value))
      return diags.error(
        expr.span,
        "quad_form(e, P) needs a positive semidefinite P, and this constant is not",
      );
    return 0;
  }
  if (!P.psd) {
    const name = expr.kind === "name" ? expr.name : [...P.params][0];
    return diags.error(
      expr.span,
      "quad_form(e, P) with a parameter P needs P declared positive semidefinite",
      `add \`psd\`: \`parameter ${name}[…] psd\``,
    );
  }
  return 1;
}

/** Why the DCP rule fails for argument i, or undefined when it holds. */
function dcpViolation(atom: AtomDefinition, args: readonly Info[], i: number): string | undefined {
  const arg = args[i].curvature;
  if (arg === "constant" || arg === "affine") return undefined;
  const mono = atom.monotonicity(args, i);
  const needed = (atom.curvature === "convex") === (arg === "convex") ? "increasing" : "decreasing";
  if (mono === needed) return undefined;
  return mono === "none" ? "not monotone in its argument there" : `${mono} there, not ${needed}`;
}
