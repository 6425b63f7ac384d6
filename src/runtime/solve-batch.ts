import type { QPBatch, QPBatchSolution, SolverOptions } from "../solver/index.js";
import { solveProblem, type WorkerOption } from "./solve.js";

/**
 * The batched solver on data already in the solver's form (QPBatch: row-major Float64Arrays,
 * shared or per member), with what a Layer adds around it: a large batch split across worker
 * threads (the same default and option as `SolveOptions.workers`), and chunks when one solve's
 * workspace would not fit in memory. The solution is the same as one single-thread solve's.
 */
export function solveBatch(
  problem: QPBatch,
  options: SolverOptions & { workers?: WorkerOption } = {},
): QPBatchSolution {
  const { workers, ...solverOptions } = options;
  return solveProblem(problem, solverOptions, workers);
}
