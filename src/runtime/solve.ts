import { availableParallelism } from "node:os";
import {
  solveBatch,
  type QPBatch,
  type QPBatchSolution,
  type SolverOptions,
} from "../solver/index.js";
import { joinGradients, joinSolutions, sliceBatch, sliceOptions } from "./batch-slices.js";
import { defaultMemoryLimits, membersPerChunk, type MemoryLimits } from "./memory.js";
import { solveAcrossWorkers } from "./workers/parallel.js";

/** Worker threads for one solve: a count, or `false` for none (the default decides by size). */
export type WorkerOption = number | false;

/** Below these sizes a batch costs less than the messages that would spread it. */
const MIN_PARALLEL_BATCH = 32;
const MIN_PARALLEL_COLUMNS = 20;
/** Members per thread below which another thread is not worth its messages. */
const MIN_SLICE = 16;

export function workerCount(problem: QPBatch, option: WorkerOption | undefined): number {
  if (option === false) return 0;
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 0) {
      throw new RangeError(`workers must be a nonnegative integer or false, got ${option}`);
    }
    // The calling thread solves a slice too: never more threads than members.
    return Math.min(option, problem.batch - 1);
  }
  if (problem.batch < MIN_PARALLEL_BATCH || problem.n < MIN_PARALLEL_COLUMNS) return 0;
  const threads = Math.min(availableParallelism(), Math.floor(problem.batch / MIN_SLICE));
  return Math.max(0, threads - 1);
}

/**
 * Solves a batch, in chunks when one solve's workspace would not fit `limits.chunkBytes`: chunk
 * after chunk, the solutions joined (identical to one solve, as members are independent), the
 * backward pass run chunk by chunk. Throws a ParameterError, before any work, when one member
 * cannot fit or the whole batch needs more memory than `limits.totalBytes`.
 */
export function solveProblem(
  problem: QPBatch,
  options: SolverOptions,
  workers: WorkerOption | undefined,
  limits: MemoryLimits = defaultMemoryLimits(),
): QPBatchSolution {
  const chunk = membersPerChunk(problem, limits);
  if (chunk >= problem.batch) return solveWhole(problem, options, workers);
  const ranges: [number, number][] = [];
  for (let start = 0; start < problem.batch; start += chunk) {
    ranges.push([start, Math.min(chunk, problem.batch - start)]);
  }
  const parts = ranges.map(([start, count]) =>
    solveWhole(
      sliceBatch(problem, start, count),
      sliceOptions(options, problem, start, count),
      workers,
    ),
  );
  const n = problem.n;
  return joinSolutions(problem, parts, (dz, request) =>
    joinGradients(
      parts.map((part, i) => {
        const [start, count] = ranges[i];
        return part.backward(dz.subarray(start * n, (start + count) * n), request);
      }),
    ),
  );
}

function solveWhole(
  problem: QPBatch,
  options: SolverOptions,
  workers: WorkerOption | undefined,
): QPBatchSolution {
  const count = workerCount(problem, workers);
  return count === 0 ? solveBatch(problem, options) : solveAcrossWorkers(problem, options, count);
}
