import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from "node:worker_threads";
import type { WorkerReply, WorkerRequest } from "./protocol.js";

/** How long the calling thread waits for one reply before it gives up on a worker. */
const REPLY_TIMEOUT_MS = 300_000;
/**
 * Largest staging area a worker keeps between solves. Larger slices get a fresh one each time:
 * their solve takes seconds, against milliseconds for the page faults of a fresh buffer.
 */
const KEPT_STAGING_BYTES = 64 * 2 ** 20;

/**
 * One solver worker, called synchronously: the caller posts a request, may do its own share of
 * the work, then blocks on a shared flag until the reply is on the port. That keeps
 * `layer.solve` synchronous while the batch is solved on several threads.
 */
export class SolverWorker {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #signal: Int32Array;
  #closed = false;
  #staging = new Float64Array(new SharedArrayBuffer(0));

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const fromSources = import.meta.url.endsWith(".ts");
    const entry = new URL(fromSources ? "./solve-worker.ts" : "./solve-worker.js", import.meta.url);
    const script = fromSources ? new URL("./loader.mjs", import.meta.url) : entry;
    this.#worker = new Worker(script, {
      workerData: { entry: entry.href, port: port2, signal },
      transferList: [port2],
    });
    // An idle pool must not keep the process alive.
    this.#worker.unref();
    this.#worker.on("error", () => {
      this.#closed = true;
    });
    this.#port = port1;
    this.#signal = signal;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Shared memory of at least `length` float64 to hand the worker a request's data in, without
   * a copy per message. The worker reads it only while it handles that request: it is free again
   * once `wait` returned the reply, and a later call may hand the same memory out again.
   */
  staging(length: number): Float64Array {
    if (this.#staging.length >= length) return this.#staging.subarray(0, length);
    const area = new Float64Array(new SharedArrayBuffer(8 * length));
    if (8 * length <= KEPT_STAGING_BYTES) this.#staging = area;
    return area;
  }

  /**
   * Posts a request; the buffers in `transfer` move to the worker. Typed without Node's
   * `TransferListItem`: this class is in the package's public typings, which must compile
   * where no Node types (or other versions of them) are installed.
   */
  post(request: WorkerRequest, transfer: readonly ArrayBuffer[] = []): void {
    if (request.type !== "release") Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage(request, transfer);
  }

  /** Blocks until the reply to the last posted request arrives. */
  wait(): Exclude<WorkerReply, { type: "error" }> {
    if (!waitForSignal(this.#signal, REPLY_TIMEOUT_MS)) {
      // Its state is unknown: never use it again.
      void this.close();
      throw new Error("a solver worker did not answer");
    }
    const received = receiveMessageOnPort(this.#port);
    if (received === undefined) throw new Error("a solver worker signalled without a reply");
    const reply = received.message as WorkerReply;
    if (reply.type === "error") throw new Error(reply.message);
    return reply;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#port.close();
    await this.#worker.terminate();
  }
}

/**
 * Blocks until signal[0] is no longer 0, or `timeoutMs` passed (false). A wake-up alone proves
 * nothing: the worker stores the flag, then notifies, and the caller may have seen the flag,
 * taken the reply and posted the next request (clearing the flag) before that notify runs; it
 * then wakes the wait for the next reply, which is not there yet.
 */
export function waitForSignal(signal: Int32Array, timeoutMs: number): boolean {
  const deadline = performance.now() + timeoutMs;
  while (Atomics.load(signal, 0) === 0) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    Atomics.wait(signal, 0, 0, left);
  }
  return true;
}

let pool: SolverWorker[] = [];

/** `count` live workers, started on first need and kept for reuse. */
export function solverWorkers(count: number): SolverWorker[] {
  pool = pool.filter((w) => !w.closed);
  while (pool.length < count) pool.push(new SolverWorker());
  return pool.slice(0, count);
}

/** Stops every solver worker; a later parallel solve starts new ones. */
export async function closeWorkers(): Promise<void> {
  const all = pool;
  pool = [];
  await Promise.all(all.map((w) => w.close()));
}
