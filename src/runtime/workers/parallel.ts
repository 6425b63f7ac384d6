import {
  solveBatch,
  type GradientRequest,
  type QPBatch,
  type QPBatchSolution,
  type QPGradients,
  type SolverOptions,
} from "../../solver/index.js";
import { joinGradients, joinSolutions, sliceBatch, sliceOptions } from "../batch-slices.js";
import type { SolvedArrays, WorkerReply } from "./protocol.js";
import { solverWorkers, type SolverWorker } from "./pool.js";

/** Members [start, start + count) of a batch, solved by `worker` or (null) the calling thread. */
interface Slice {
  start: number;
  count: number;
  worker: SolverWorker | null;
  id: number;
  /** The calling thread's solution (or a recomputation of a worker's), for the backward pass. */
  local: QPBatchSolution | null;
}

let nextId = 1;

/** Which worker keeps which slice's solution. */
interface KeptSlice {
  worker: SolverWorker;
  id: number;
}

// The held values name only the workers' slices: a registry keeps each held value until its
// callback runs, which waits for the event loop, and a training loop may solve many batches
// before yielding to it; holding the calling thread's own slice solution here would keep every
// one of those (their kernel memory included) alive until then.
const released = new FinalizationRegistry<KeptSlice[]>((kept) => {
  for (const { worker, id } of kept) {
    if (!worker.closed) worker.post({ type: "release", id });
  }
});

/**
 * Solves a batch split into contiguous slices: the calling thread takes the first, `workerCount`
 * workers the others. Each member's iterates do not depend on the rest of its batch, so the
 * result is identical to a single-thread solve. The backward pass of a worker's slice runs in
 * that worker, on the factorization it kept.
 */
export function solveAcrossWorkers(
  problem: QPBatch,
  options: SolverOptions,
  workerCount: number,
): QPBatchSolution {
  const workers = solverWorkers(workerCount);
  const slices = splitBatch(problem.batch, workerCount + 1).map(([start, count], i): Slice => ({
    start,
    count,
    worker: i === 0 ? null : workers[i - 1],
    id: nextId++,
    local: null,
  }));
  // Workers first, so that they solve while this thread does its own slice. Their slices are
  // copies whose buffers are moved, not cloned, into the worker.
  for (const slice of slices) {
    if (slice.worker === null) continue;
    const part = sliceBatch(problem, slice.start, slice.count);
    const partOptions = sliceOptions(options, problem, slice.start, slice.count);
    slice.worker.post(
      { type: "solve", id: slice.id, problem: part, options: partOptions },
      ownedBuffers(part, partOptions === options ? undefined : partOptions),
    );
  }
  const solveHere = (slice: Slice): QPBatchSolution =>
    solveBatch(
      sliceBatch(problem, slice.start, slice.count, true),
      sliceOptions(options, problem, slice.start, slice.count),
    );
  // Every worker's reply is taken off its port even when something failed, so that no stale
  // reply is left to be read as the answer to a later request.
  const settle = failureCollector();
  const parts = slices.map((slice): SolvedArrays | null =>
    settle(() => {
      if (slice.worker !== null) return expectReply(slice.worker.wait(), "solved").solution;
      slice.local = solveHere(slice);
      return slice.local;
    }),
  );
  settle.rethrow();
  const solved = parts as SolvedArrays[];

  const solution = joinSolutions(problem, solved, (dz, request) =>
    backwardAcross(slices, problem.n, dz, request, solveHere),
  );
  released.register(
    solution,
    slices.flatMap((slice) =>
      slice.worker === null ? [] : [{ worker: slice.worker, id: slice.id }],
    ),
  );
  return solution;
}

function backwardAcross(
  slices: Slice[],
  n: number,
  dz: Float64Array,
  request: GradientRequest | undefined,
  solveHere: (slice: Slice) => QPBatchSolution,
): QPGradients {
  const dzOf = (slice: Slice) => dz.slice(slice.start * n, (slice.start + slice.count) * n);
  const asked = slices.map((slice) => {
    if (slice.worker === null || slice.worker.closed) return false;
    const part = dzOf(slice);
    slice.worker.post({ type: "backward", id: slice.id, dz: part, request }, [part.buffer]);
    return true;
  });
  const settle = failureCollector();
  const parts = slices.map((slice, i) =>
    settle(() => {
      if (asked[i] && slice.worker !== null) {
        const reply = slice.worker.wait();
        if (reply.type !== "evicted") return expectReply(reply, "gradients").gradients;
      }
      // Solved here, or the worker let the solution go: solving again gives the same iterates.
      slice.local ??= solveHere(slice);
      return slice.local.backward(dzOf(slice), request);
    }),
  );
  settle.rethrow();
  return joinGradients(parts);
}

/** The buffers a slice owns (its per-member operands and warm start), to move to a worker. */
function ownedBuffers(part: QPBatch, options: SolverOptions | undefined): ArrayBuffer[] {
  const operands = [part.Q, part.q, part.A, part.b, part.G, part.h];
  const arrays = operands.filter((o) => !o.shared).map((o) => o.data);
  const warm = options?.warmStart;
  if (warm !== undefined) arrays.push(warm.z, warm.lam, warm.nu, warm.s);
  return arrays.map((a) => a.buffer as ArrayBuffer);
}

/** `parts` near-equal contiguous ranges [start, count] covering 0..batch. */
export function splitBatch(batch: number, parts: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0, start = 0; i < parts; i++) {
    const count = Math.floor(batch / parts) + (i < batch % parts ? 1 : 0);
    ranges.push([start, count]);
    start += count;
  }
  return ranges.filter(([, count]) => count > 0);
}

/** Runs steps that may fail, keeping the first failure to rethrow once all have run. */
function failureCollector() {
  let failure: { error: unknown } | null = null;
  const settle = <T>(step: () => T): T | null => {
    try {
      return step();
    } catch (error) {
      failure ??= { error };
      return null;
    }
  };
  return Object.assign(settle, {
    rethrow(): void {
      if (failure !== null) throw failure.error;
    },
  });
}

function expectReply<T extends WorkerReply["type"]>(
  reply: WorkerReply,
  type: T,
): Extract<WorkerReply, { type: T }> {
  if (reply.type !== type) throw new Error(`a solver worker answered ${reply.type}, not ${type}`);
  return reply as Extract<WorkerReply, { type: T }>;
}
