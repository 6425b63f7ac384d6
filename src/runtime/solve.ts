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

/**
 * Below these sizes a batch costs less than the messages that spread it. Measured on OptNet's
 * dense layer (n = p = 100, Q, q, G, h per member; scripts/time-layer.ts) on a shared 2-core
 * machine: at batch 128 one worker took 28–44% more CPU time (slicing and posting each member's Q
 * and G, returning dQ and dG) and 28–34% more wall time than none; at batch 512 it took 8% more
 * CPU time and about the same wall time (1.29 s against 1.23–1.91 s, the neighbours' load
 * deciding). So a thread takes a slice only when it gets at least 128 members.
 */
const MIN_PARALLEL_BATCH = 256;
const MIN_PARALLEL_COLUMNS = 20;
/** Members per thread below which another thread is not worth its messages. */
const MIN_SLICE = 128;

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
