import { evaluatePolynomial, type CanonicalQP } from "../canon/index.js";
import type { QPBatch, QPBatchSolution, QPStatus } from "../solver/index.js";
import { nest, type NestedNumbers } from "./values.js";
import type { SolveWarning } from "./zero-rows.js";

/** The dual values of one source constraint (each link of a chain is one constraint). */
export interface ConstraintDual {
  /** Its source text, e.g. "z >= 0". */
  text: string;
  line: number;
  /** 1-based column where the constraint's text starts: two constraints can share a line. */
  column: number;
  relation: "==" | "<=" | ">=";
  /**
   * Per batch member, in the constraint's shape: ν of its rows of Az = b for an equality, λ ≥ 0
   * of its rows of Gz ≤ h for an inequality (the canonical problem's multipliers, whose
   * stationarity condition is Qz + q + A'ν + G'λ = 0).
   */
  values: NestedNumbers[];
}

/** What `layer.solve` returns: one entry per batch member in every list. */
export interface LayerOutput {
  batch: number;
  status: QPStatus[];
  /**
   * The user's objective at the solution, constants included (for maximize, the maximum);
   * ±Infinity for an infeasible or unbounded member, NaN when the solver gave up.
   */
  objective: number[];
  /** Each output variable per member: a number, number[] or number[][] (row-major). */
  variables: Record<string, NestedNumbers[]>;
  duals: ConstraintDual[];
  iterations: number[];
  /**
   * Per member, what the solve did that the program's author may not expect (empty when
   * nothing): a constraint that this member's parameter values leave without variables.
   */
  warnings: SolveWarning[][];
  /** Where it was solved: "cpu", or "webgpu: " and the adapter's name (as solveQP's result). */
  device: string;
}

export function buildOutput(
  canon: CanonicalQP,
  problem: QPBatch,
  theta: Float64Array,
  solution: QPBatchSolution,
  warnings: SolveWarning[][],
): LayerOutput {
  const { batch, n, m, p } = solution;
  const variables = Object.fromEntries(
    canon.variables
      .filter((v) => v.output)
      .map((v) => [
        v.name,
        Array.from({ length: batch }, (_, b) => nest(solution.z, b * n + v.column, v.shape)),
      ]),
  );
  const duals = canon.constraints.map((c) => {
    const source = c.equality ? solution.nu : solution.lam;
    const rows = c.equality ? m : p;
    const size = c.shape.reduce((a, d) => a * d, 1);
    // A piecewise linear atom bounded directly (`abs(x) <= t`) has one row per piece and entry:
    // row k·size + i is piece k of entry i, and the entry's dual is the sum over its pieces.
    const values = new Float64Array(size);
    return {
      text: c.text,
      line: c.span.line,
      column: c.span.column,
      relation: c.relation,
      values: Array.from({ length: batch }, (_, b) => {
        values.fill(0);
        for (let r = 0; r < c.count; r++) values[r % size] += source[b * rows + c.start + r];
        return nest(values, 0, c.shape);
      }),
    };
  });
  const sign = canon.objective.sense === "maximize" ? -1 : 1;
  const objective = Array.from({ length: batch }, (_, b) => {
    // As CVXPY: +∞ for an infeasible minimization, −∞ for an unbounded one (mirrored for
    // maximize); NaN where the solver stopped without an answer.
    const status = solution.status[b];
    if (status === "infeasible") return sign * Infinity;
    if (status === "unbounded") return -sign * Infinity;
    if (status !== "solved") return NaN;
    const value =
      canonicalObjective(problem, solution.z, b) +
      evaluatePolynomial(
        canon.objective.offset,
        theta.subarray(b * canon.parameterSize, (b + 1) * canon.parameterSize),
      );
    return sign * value;
  });
  return {
    batch,
    status: [...solution.status],
    objective,
    variables,
    duals,
    iterations: Array.from(solution.iterations),
    warnings,
    device: (solution as QPBatchSolution & { device?: string }).device ?? "cpu",
  };
}

/** 1/2 z'Qz + q'z of member b. */
function canonicalObjective(problem: QPBatch, z: Float64Array, b: number): number {
  const { n, Q, q } = problem;
  const qOff = Q.shared ? 0 : b * n * n;
  const lOff = q.shared ? 0 : b * n;
  const zOff = b * n;
  let value = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) row += Q.data[qOff + i * n + j] * z[zOff + j];
    value += z[zOff + i] * (0.5 * row + q.data[lOff + i]);
  }
  return value;
}
