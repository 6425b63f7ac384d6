import type { WorkerReply, WorkerRequest } from "./protocol.js";

/**
 * One solver thread, called synchronously: the caller posts a request, may do its own share of
 * the work, then blocks until the reply is there. That keeps `layer.solve` synchronous while the
 * batch is solved on several threads.
 */
export interface SolverThread {
  readonly closed: boolean;
  /** Whether the thread has started (its solver loaded): a request now is answered at once. */
  readonly started: boolean;
  /**
   * Shared memory of at least `length` float64 to hand the thread a request's data in, without
   * a copy per message. The thread reads it only while it handles that request: it is free
   * again once `wait` returned the reply, and a later call may hand the same memory out again.
   */
  staging(length: number): Float64Array;
  /** Posts a request; the buffers in `transfer` move to the thread. */
  post(request: WorkerRequest, transfer?: readonly ArrayBuffer[]): void;
  /** Blocks until the reply to the last posted request arrives. */
  wait(): Exclude<WorkerReply, { type: "error" }>;
  close(): Promise<void>;
}

/**
 * How the environment runs solver threads: Node's worker_threads (node-thread.ts), or none
 * (`singleThread`), where a thread cannot block on another's reply.
 */
export interface ThreadHost {
  /** Threads that run at once on this machine, the calling one included. */
  parallelism(): number;
  /** Starts a solver thread; absent where this host has none. */
  start?(): SolverThread;
  /**
   * Whether a caller that asked for a count of workers may block until they have started
   * (Node: yes). Where not, every solve takes only the threads already running.
   */
  waitsForStart?: boolean;
}

/** Everything on the calling thread. */
export const singleThread: ThreadHost = { parallelism: () => 1 };
