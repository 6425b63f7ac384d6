/**
 * A constraint from which every variable cancels (`z - z <= 1`, `0 z >= 1`, or `0 2 z <= 1` left
 * by a missing comma) restricts nothing, or makes every problem infeasible: either way not what
 * its author wrote it for, so it is refused (LANGUAGE.md §2). Coefficients that depend on
 * parameters are the runtime's to report per member: only a parameter's value can empty them.
 */
import type { Diagnostic } from "../dsl/index.js";
import { paIsZero } from "./affine.js";
import type { ProblemBuilder } from "./builder.js";
import type { ConstraintLink } from "./checkStatements.js";

export function emptiedConstraints(
  builder: ProblemBuilder,
  links: readonly ConstraintLink[],
): Diagnostic[] {
  const keepsVariables = new Set<number>();
  for (const draft of [...builder.equality, ...builder.inequality]) {
    if (draft.origin !== "constraint" || draft.constraint === null) continue;
    const nonzero = draft.rows.some((row) => [...row.cols.values()].some((v) => !paIsZero(v)));
    if (nonzero) keepsVariables.add(draft.constraint);
  }
  return links.flatMap((link, i) =>
    keepsVariables.has(i)
      ? []
      : [
          {
            message:
              "the variables cancel out of this constraint: every coefficient on them is zero",
            span: link.span,
            hint: "check for a missing `,` between constraints or a missing operator",
          },
        ],
  );
}
