import {
  solveBatch,
  type GradientRequest,
  type QPBatch,
  type QPBatchSolution,
  type QPGradients,
  type SolverOptions,
} from "../../solver/index.js";
import {
  copySliceInto,
  joinSolutions,
  sliceBatch,
  sliceLength,
  sliceOptions,
} from "../batch-slices.js";
import { KeptSolutions } from "./kept-solutions.js";
import {
  deliverInto,
  gradientRange,
  pick,
  sharedGradients,
  writeGradients,
  writtenByAll,
} from "./gradient-output.js";
import type { GradientName, SolvedArrays, WorkerReply } from "./protocol.js";
import { solverWorkers } from "./pool.js";
import type { SolverThread } from "./thread-host.js";

/** Members [start, start + count) of a batch, solved by `worker` or (null) the calling thread. */
interface Slice {
  start: number;
  count: number;
  worker: SolverThread | null;
  id: number;
  /** A recomputation of a slice whose kept solution was forgotten, for the backward pass. */
  local: QPBatchSolution | null;
  /** The slice's solution z (a private copy), which a recomputation must reproduce. */
  z: Float64Array | null;
}

let nextId = 1;

/**
 * The calling thread's own slices, kept like a worker keeps its own: with the same caps, and
 * with the kernel memory of forgotten ones reused by the next solve.
 */
const keptHere = new KeptSolutions();

/**
 * A solution whose backward pass can also write into given memory: `into` holds this batch's
 * range of each output gradient (shared memory, as `sharedGradients` makes), and the names of
 * those written come back.
 */
export interface ParallelSolution extends QPBatchSolution {
  backwardInto(
    dz: Float64Array,
    request: GradientRequest | undefined,
    into: QPGradients,
  ): GradientName[];
}

/** Which thread (a worker, or null: this one) keeps which slice's solution. */
interface KeptSlice {
  worker: SolverThread | null;
  id: number;
}

// The held values name slices, never solutions: a registry keeps each held value until its
// callback runs, which waits for the event loop, and a training loop may solve many batches
// before yielding to it; holding solutions here would keep every one of those (their kernel
// memory included) alive until then.
const released = new FinalizationRegistry<KeptSlice[]>(releaseSlices);

/** Lets each thread forget its slice's solution (no reply is awaited). */
function releaseSlices(kept: readonly KeptSlice[]): void {
  for (const { worker, id } of kept) {
    if (worker === null) keptHere.forget(id);
    else if (!worker.closed) worker.post({ type: "release", id });
  }
}

/**
 * The id the next slice gets. Pass it as `keepFrom` to every solve of one batch's chunks, so that
 * no chunk's solve forgets an earlier chunk's slices to make room.
 */
export function nextSliceId(): number {
  return nextId;
}

/**
 * Solves a batch split into contiguous slices: the calling thread takes the first, `workerCount`
 * workers (possibly none) the others. Each member's iterates do not depend on the rest of its
 * batch, so the result is identical to a single-thread solve. Every thread keeps its slice's
 * solution (KeptSolutions) for the backward pass, which for a worker's slice runs in that worker;
 * a slice forgotten since is solved again here. Slices from id `keepFrom` on stay kept (see
 * `nextSliceId`).
 */
export function solveAcrossWorkers(
  problem: QPBatch,
  options: SolverOptions,
  workerCount: number,
  keepFrom = nextId,
): ParallelSolution {
  const workers = solverWorkers(workerCount);
  const slices = splitBatch(problem.batch, workerCount + 1).map(([start, count], i): Slice => ({
    start,
    count,
    worker: i === 0 ? null : workers[i - 1],
    id: nextId++,
    local: null,
    z: null,
  }));
  // Workers first, so that they solve while this thread does its own slice. Their slices are
  // copied into each worker's shared staging memory (the solver copies its input into its own
  // workspace, so the worker holds on to none of it after the solve); a warm start is copied and
  // moved.
  for (const slice of slices) {
    if (slice.worker === null) continue;
    const staging = slice.worker.staging(sliceLength(problem, slice.count));
    const part = copySliceInto(problem, slice.start, slice.count, staging);
    const partOptions = sliceOptions(options, problem, slice.start, slice.count);
    slice.worker.post(
      { type: "solve", id: slice.id, problem: part, options: partOptions, keepFrom },
      warmStartBuffers(partOptions === options ? undefined : partOptions),
    );
  }
  const solveAgain = (slice: Slice): QPBatchSolution => {
    const again = solveBatch(
      sliceBatch(problem, slice.start, slice.count),
      sliceOptions(options, problem, slice.start, slice.count),
    );
    // The same data gives the same iterates, bit for bit: another z means the caller's arrays
    // changed since the solve, and gradients of the new data would be silently wrong.
    if (slice.z === null || !sameNumbers(again.z, slice.z)) {
      throw new Error(
        "the backward pass had to solve again, and the batch's data has changed since the " +
          "solve: keep a batch's arrays unchanged while its solution may be differentiated",
      );
    }
    return again;
  };
  /** The gradients of a slice solved on this thread, or recomputed here. */
  const gradientsHere = (
    slice: Slice,
    dz: Float64Array,
    request: GradientRequest | undefined,
    into: QPGradients | undefined,
  ) => {
    const kept = slice.worker === null ? keptHere.backward(slice.id, dz, request, into) : undefined;
    return kept ?? (slice.local ??= solveAgain(slice)).backward(dz, request, into);
  };
  // Every worker's reply is taken off its port even when something failed, so that no stale
  // reply is left to be read as the answer to a later request.
  const settle = failureCollector();
  const parts = slices.map((slice): SolvedArrays | null =>
    settle(() => {
      const part =
        slice.worker !== null
          ? expectReply(slice.worker.wait(), "solved").solution
          : keptHere.solve(
              slice.id,
              sliceBatch(problem, slice.start, slice.count),
              sliceOptions(options, problem, slice.start, slice.count),
              keepFrom,
            );
      slice.z = part.z;
      return part;
    }),
  );
  // A failed solve returns no output to differentiate: nothing of it is worth keeping.
  if (settle.failed()) releaseSlices(slices);
  settle.rethrow();
  const solved = parts as SolvedArrays[];

  const backwardInto = (
    dz: Float64Array,
    request: GradientRequest | undefined,
    into: QPGradients,
  ) => backwardAcross(slices, problem, dz, request, gradientsHere, into);
  const joined = joinSolutions(problem, solved, (dz, request, into) => {
    // One slice (no worker): its gradients as the solver made them, nothing to gather.
    if (slices.length === 1) return gradientsHere(slices[0], dz, request, into);
    const output = sharedGradients(problem, request);
    return deliverInto(pick(output, backwardInto(dz, request, output)), into);
  });
  const solution: ParallelSolution = Object.assign(joined, { backwardInto });
  // Ids only: a slice also holds its recomputed solution, which must not outlive the output.
  released.register(
    solution,
    slices.map(({ worker, id }) => ({ worker, id })),
  );
  return solution;
}

/**
 * The backward pass of every slice, each written straight into its range of `into` (shared
 * memory): the workers' ranges by the workers, in parallel with this thread's own. Returns the
 * gradients every slice wrote.
 */
function backwardAcross(
  slices: Slice[],
  problem: QPBatch,
  dz: Float64Array,
  request: GradientRequest | undefined,
  gradientsHere: (
    slice: Slice,
    dz: Float64Array,
    request: GradientRequest | undefined,
    into: QPGradients,
  ) => QPGradients,
  into: QPGradients,
): GradientName[] {
  const n = problem.n;
  const dzOf = (slice: Slice) => dz.subarray(slice.start * n, (slice.start + slice.count) * n);
  const rangeOf = (slice: Slice) => gradientRange(into, problem, slice.start, slice.count);
  const asked = slices.map((slice) => {
    if (slice.worker === null || slice.worker.closed) return false;
    const part = dzOf(slice).slice();
    const into = rangeOf(slice);
    slice.worker.post({ type: "backward", id: slice.id, dz: part, request, into }, [part.buffer]);
    return true;
  });
  const settle = failureCollector();
  const written = slices.map((slice, i) =>
    settle(() => {
      if (asked[i] && slice.worker !== null) {
        const reply = slice.worker.wait();
        if (reply.type !== "evicted") return expectReply(reply, "gradients").written;
      }
      // Kept here, or (forgotten here or by its worker, whose memory a later solve may have
      // reused) solved again: the same iterates.
      const range = rangeOf(slice);
      return writeGradients(gradientsHere(slice, dzOf(slice), request, range), range);
    }),
  );
  settle.rethrow();
  return writtenByAll(written as GradientName[][]);
}

/** The buffers of a slice's own warm start (copies), to move to a worker. */
function warmStartBuffers(options: SolverOptions | undefined): ArrayBuffer[] {
  const warm = options?.warmStart;
  if (warm === undefined) return [];
  return [warm.z, warm.lam, warm.nu, warm.s].map((a) => a.buffer as ArrayBuffer);
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

/** Whether two arrays hold the same numbers (NaN equal to NaN). */
function sameNumbers(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  }
  return true;
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
    failed(): boolean {
      return failure !== null;
    },
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
