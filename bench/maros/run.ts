/**
 * One Maros–Meszaros problem solved alone (a batch of one, this thread) at one tolerance, and
 * judged as qpbenchmark judges it.
 */

import { performance } from "node:perf_hooks";
import { solveBatch, type SolverOptions } from "../../src/solver/index.js";
import { judge, residuals } from "./judge.js";
import type { MarosProblem } from "./load.js";

/**
 * `epsAbs` (absolute tolerance beside the relative `eps`) is the solver's coming option; until
 * it lands the solver ignores it.
 */
export type MarosSolverOptions = SolverOptions & { epsAbs?: number };

/**
 * "absolute": { eps: 0, epsAbs: tol }, what qpbenchmark asks of every solver.
 * "relative": { eps: tol }, the solver's own relative stopping rule (before epsAbs existed).
 */
export type ToleranceMode = "absolute" | "relative";

export interface MarosRun {
  tolerance: number;
  /** the solver's status, or "error: message" when it threw */
  status: string;
  iterations: number;
  primal: number;
  dual: number;
  gap: number;
  /** ½z'Qz + q'z + r */
  objective: number;
  success: boolean;
  wrongSolved: boolean;
  /**
   * The gap and the verdict with the judge's sums in float64 from left to right instead of exact
   * (judge.ts), to show where the judge's own rounding would decide.
   */
  leftToRightGap: number;
  leftToRightSuccess: boolean;
  seconds: number;
}

export function solverOptions(
  mode: ToleranceMode,
  tolerance: number,
  maxIter: number | undefined,
  structure = true,
): MarosSolverOptions {
  const options: MarosSolverOptions =
    mode === "absolute" ? { eps: 0, epsAbs: tolerance } : { eps: tolerance };
  if (maxIter !== undefined) options.maxIter = maxIter;
  if (!structure) options.structure = false;
  return options;
}

export function runMaros(
  problem: MarosProblem,
  tolerance: number,
  options: MarosSolverOptions,
): MarosRun {
  const start = performance.now();
  try {
    const solution = solveBatch(problem.qp, options);
    const seconds = (performance.now() - start) / 1000;
    const measures = residuals(problem.qp, solution);
    const leftToRight = residuals(problem.qp, solution, "left-to-right");
    const status = solution.status[0];
    return {
      tolerance,
      status,
      iterations: solution.iterations[0],
      ...measures,
      objective: objectiveOf(problem, solution.z),
      ...judge(status, measures, tolerance),
      leftToRightGap: leftToRight.gap,
      leftToRightSuccess: judge(status, leftToRight, tolerance).success,
      seconds,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      tolerance,
      status: `error: ${message}`,
      iterations: 0,
      primal: Number.NaN,
      dual: Number.NaN,
      gap: Number.NaN,
      objective: Number.NaN,
      success: false,
      wrongSolved: false,
      leftToRightGap: Number.NaN,
      leftToRightSuccess: false,
      seconds: (performance.now() - start) / 1000,
    };
  }
}

function objectiveOf(problem: MarosProblem, z: Float64Array): number {
  const { n } = problem.qp;
  const Q = problem.qp.Q.data;
  const q = problem.qp.q.data;
  let value = problem.r;
  for (let i = 0; i < n; i++) {
    let Qz = 0;
    for (let j = 0; j < n; j++) Qz += Q[i * n + j] * z[j];
    value += z[i] * (0.5 * Qz + q[i]);
  }
  return value;
}
