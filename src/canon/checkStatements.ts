/**
 * Pass 2b: the objective and the constraints as a whole — scalar objective of the right
 * curvature, constraints that are linear and point convexity the right way.
 */
import type { Constraint, Expr, ObjectiveStatement, Relation, Span } from "../dsl/index.js";
import { chainProblem } from "./chains.js";
import type { ExpressionChecker } from "./check.js";
import { joinSpans, type DiagnosticBag } from "./diagnostics.js";
import { describeCurvature, type Info } from "./info.js";
import { broadcastShapes, formatShape, isScalar, type Shape } from "./shape.js";

/** One link of a (possibly chained) constraint: left REL right. */
export interface ConstraintLink {
  left: Expr;
  right: Expr;
  relation: Relation;
  shape: Shape;
  span: Span;
}

export function checkObjective(
  objective: ObjectiveStatement,
  checker: ExpressionChecker,
  diags: DiagnosticBag,
  text: (span: Span) => string,
): boolean {
  const info = checker.check(objective.expr);
  if (info === undefined) return false;
  if (!isScalar(info.shape)) {
    diags.error(
      objective.expr.span,
      `the objective must be a scalar, but this is a ${formatShape(info.shape)}`,
      "sum it with `sum(...)` or `1'...`",
    );
    return false;
  }
  const wrong = objective.sense === "minimize" ? "concave" : "convex";
  if (info.curvature === wrong) {
    const verb = objective.sense === "minimize" ? "minimizing" : "maximizing";
    diags.error(
      objective.expr.span,
      `non-convex objective: ${verb} \`${text(objective.expr.span)}\`, which is ${describeCurvature(info)}`,
      objective.sense === "minimize"
        ? "minimize a convex expression (or maximize this one)"
        : "maximize a concave expression (or minimize this one)",
    );
    return false;
  }
  return true;
}

export function checkConstraint(
  constraint: Constraint,
  checker: ExpressionChecker,
  diags: DiagnosticBag,
  text: (span: Span) => string,
  source: string,
): ConstraintLink[] {
  checker.inConstraint = true;
  try {
    return checkLinks(constraint, checker, diags, text, source);
  } finally {
    checker.inConstraint = false;
  }
}

function checkLinks(
  constraint: Constraint,
  checker: ExpressionChecker,
  diags: DiagnosticBag,
  text: (span: Span) => string,
  source: string,
): ConstraintLink[] {
  const chain = chainProblem(constraint, (e) => checker.check(e), source);
  if (chain !== undefined) {
    diags.error(chain.span, chain.message, chain.hint);
    return [];
  }
  const links: ConstraintLink[] = [];
  for (let i = 0; i < constraint.relations.length; i++) {
    const left = constraint.operands[i];
    const right = constraint.operands[i + 1];
    const relation = constraint.relations[i];
    const a = checker.check(left);
    const b = checker.check(right);
    if (a === undefined || b === undefined) continue;
    const span = joinSpans(left.span, right.span);
    const shape = broadcastShapes(a.shape, b.shape);
    if (shape === null) {
      diags.error(
        span,
        `shape mismatch: \`${text(left.span)}\` is a ${formatShape(a.shape)} but \`${text(right.span)}\` is a ${formatShape(b.shape)}`,
      );
      continue;
    }
    if (a.degree === 0 && b.degree === 0) {
      diags.error(
        span,
        "this constraint involves no variable",
        "constraints must restrict variables",
      );
      continue;
    }
    const problem = linkProblem(relation, a, b);
    if (problem !== undefined) {
      const at = problem.side === "left" ? left : right;
      diags.error(at.span, problem.message.replace("%", text(at.span)), problem.hint);
      continue;
    }
    links.push({ left, right, relation, shape, span });
  }
  return links;
}

function linkProblem(
  relation: Relation,
  a: Info,
  b: Info,
): { side: "left" | "right"; message: string; hint?: string } | undefined {
  for (const [side, info] of [["left", a] as const, ["right", b] as const]) {
    if (info.degree === 2)
      return {
        side,
        message: `a QP allows only linear constraints, and \`%\` is ${describeCurvature(info)}`,
        hint: "move the quadratic into the objective as a penalty",
      };
  }
  if (relation === "==") {
    for (const [side, info] of [["left", a] as const, ["right", b] as const])
      if (info.curvature === "convex" || info.curvature === "concave")
        return {
          side,
          message: `an equality constraint needs affine expressions on both sides, and \`%\` is ${info.curvature}`,
          hint: "use `<=` or `>=` in the direction that keeps the problem convex",
        };
    return undefined;
  }
  const [small, large] =
    relation === "<=" ? (["left", "right"] as const) : (["right", "left"] as const);
  const smallInfo = small === "left" ? a : b;
  const largeInfo = large === "left" ? a : b;
  if (smallInfo.curvature === "concave")
    return {
      side: small,
      message:
        "non-convex: a concave function can only be bounded below, and `%` is on the smaller side",
    };
  if (largeInfo.curvature === "convex")
    return {
      side: large,
      message:
        "non-convex: a convex function can only be bounded above, and `%` is on the larger side",
      hint: "a convex expression may appear as `f <= ...`, not `f >= ...`",
    };
  return undefined;
}
