import {
  solveBatch,
  type QPBatch,
  type QPBatchSolution,
  type SolverOptions,
} from "../solver/index.js";
import { hasExpectedLengths, joinSolutions, sliceBatch, sliceOptions } from "./batch-slices.js";
import {
  deliverInto,
  gradientRange,
  pick,
  sharedGradients,
  writeGradients,
  writtenByAll,
} from "./workers/gradient-output.js";
import { reusesKernelMemory } from "./workers/kept-solutions.js";
import { startedWorkers, threadHost } from "./workers/pool.js";
import { defaultMemoryLimits, membersPerChunk, type MemoryLimits } from "./memory.js";
import {
  nextSliceId,
  solveAcrossWorkers,
  splitBatch,
  type ParallelSolution,
} from "./workers/parallel.js";

/** Worker threads for one solve: a count, or `false` for none (the default decides by size). */
export type WorkerOption = number | false;

/**
 * Below these sizes a batch costs less than the messages that spread it. Measured with the
 * solver of 2026-11-29 12:40 on the paper's random QPs, batch 128, forward+backward, wall time,
 * median of 60, on the 2-core machine with both cores free (public solveBatch, no workers against
 * one): n = 10: 4.6 → 3.5 ms, n = 20: 11.6 → 6.1 ms, n = 30: 23.6 → 12.6 ms; earlier, on the
 * Layer path, n = 100: batch 64 127 → 99 ms, batch 32 67 → 64 ms. With the other core busy
 * (another process) there is no wall gain, and at n = 10 a loss (4.6 → 6.1 ms). So a batch is
 * split when it has at least 64 members of at least 10 variables, 32 per thread.
 */
const MIN_PARALLEL_BATCH = 64;
const MIN_PARALLEL_COLUMNS = 10;
/** Members per thread below which another thread is not worth its messages. */
const MIN_SLICE = 32;

export function workerCount(problem: QPBatch, option: WorkerOption | undefined): number {
  if (option === false) return 0;
  const host = threadHost();
  if (option !== undefined) {
    if (!Number.isInteger(option) || option < 0) {
      throw new RangeError(`workers must be a nonnegative integer or false, got ${option}`);
    }
    // The calling thread solves a slice too: never more threads than members. Where the host
    // runs no threads (a page), everything is solved on the calling one.
    return host.start === undefined ? 0 : Math.min(option, problem.batch - 1);
  }
  if (problem.batch < MIN_PARALLEL_BATCH || problem.n < MIN_PARALLEL_COLUMNS) return 0;
  const threads = Math.min(host.parallelism(), Math.floor(problem.batch / MIN_SLICE));
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
  // The solver's own checks name what is wrong; slices of a malformed batch could hide it.
  if (!hasExpectedLengths(problem)) return solveBatch(problem, options);
  const chunk = membersPerChunk(problem, limits);
  if (chunk >= problem.batch) return solveWhole(problem, options, workers);
  // Near-equal chunks: a short last one would take as long on one thread (below the size that
  // is split across workers) as a full one on all of them.
  const ranges = splitBatch(problem.batch, Math.ceil(problem.batch / chunk));
  // Every chunk's slices stay kept for the backward pass, whatever the caps on kept solutions.
  const keepFrom = nextSliceId();
  const parts = ranges.map(([start, count]) =>
    solveWhole(
      sliceBatch(problem, start, count),
      sliceOptions(options, problem, start, count),
      workers,
      keepFrom,
    ),
  );
  const n = problem.n;
  // Each chunk's gradients are written into its range of one output: no join of large arrays.
  return joinSolutions(problem, parts, (dz, request, given) => {
    const output = sharedGradients(problem, request);
    const written = parts.map((part, i) => {
      const [start, count] = ranges[i];
      const into = gradientRange(output, problem, start, count);
      const dzPart = dz.subarray(start * n, (start + count) * n);
      if ("backwardInto" in part) return part.backwardInto(dzPart, request, into);
      return writeGradients(part.backward(dzPart, request, into), into);
    });
    return deliverInto(pick(output, writtenByAll(written)), given);
  });
}

function solveWhole(
  problem: QPBatch,
  options: SolverOptions,
  workers: WorkerOption | undefined,
  keepFrom?: number,
): QPBatchSolution | ParallelSolution {
  // A count the caller chose is waited for where the host can; the default takes the threads
  // already running.
  const wanted = workerCount(problem, workers);
  const onlyStarted = workers === undefined || threadHost().waitsForStart !== true;
  const count = onlyStarted && wanted > 0 ? startedWorkers(wanted) : wanted;
  // Without workers too, where it saves a fresh kernel memory: this thread's keeper reuses one.
  if (count === 0 && !reusesKernelMemory(problem, options)) return solveBatch(problem, options);
  return solveAcrossWorkers(problem, options, count, keepFrom);
}
