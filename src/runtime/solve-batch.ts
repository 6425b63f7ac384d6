import type { QPBatch, QPBatchSolution, SolverOptions } from "../solver/index.js";
import { solveProblem, type WorkerOption } from "./solve.js";

/**
 * The batched solver on data already in the solver's form (QPBatch: row-major Float64Arrays,
 * shared or per member), with what a Layer adds around it: a large batch split across worker
 * threads (the same default and option as `SolveOptions.workers`), and chunks when one solve's
 * workspace would not fit in memory. The solution is the same as one single-thread solve's.
 *
 * Each thread keeps its recent solutions' factorizations for their backward passes (a few per
 * thread) and reuses the memory of those already differentiated; a backward pass whose
 * factorization is gone solves that part of the batch again from `problem`'s arrays, so keep
 * them unchanged while the solution may still be differentiated (a change is detected and
 * throws). Gradients of a batch split across threads or chunks are Float64Arrays on a
 * SharedArrayBuffer, which every thread wrote its members into.
 */
export function solveBatch(
  problem: QPBatch,
  options: SolverOptions & { workers?: WorkerOption } = {},
): QPBatchSolution {
  const { workers, ...solverOptions } = options;
  return solveProblem(problem, solverOptions, workers);
}
