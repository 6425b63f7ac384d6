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
 * dense layer (Q, q, G, h per member; scripts/time-layer.ts, median of 9, wall time of
 * layer.solve, none against one worker) on the 2-core machine with both cores free:
 * n = 100: batch 128 252 → 191 ms, batch 64 127 → 99 ms, batch 32 67 → 64 ms; n = 60, batch 128:
 * 82 → 64 ms; n = 40: batch 256 83 → 66 ms, batch 128 43 → 43 ms; n = 20–30, batch 64: 8–16 ms,
 * no gain. A worker costs 5–15% more CPU time; with the other core busy (another process) there is
 * no wall gain at all, which an earlier measurement under load had taken for the split's cost.
 * So a batch is split when it has at least 64 members of at least 50 variables, 32 per thread.
 */
const MIN_PARALLEL_BATCH = 64;
const MIN_PARALLEL_COLUMNS = 50;
/** Members per thread below which another thread is not worth its messages. */
const MIN_SLICE = 32;

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
