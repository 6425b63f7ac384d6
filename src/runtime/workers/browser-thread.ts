import type { WorkerReply, WorkerRequest } from "./protocol.js";
import { readReply, replyAreaBytes } from "./shared-reply.js";
import { waitForSignal } from "./signal.js";
import type { SolverThread, ThreadHost } from "./thread-host.js";

/** Messages from the calling thread to a page's solver worker (browser-solve-worker.ts). */
export type BrowserThreadMessage =
  | { type: "start"; signal: Int32Array }
  | { type: "request"; request: WorkerRequest; reply: SharedArrayBuffer };

const REPLY_TIMEOUT_MS = 300_000;

/** The parts of a page's Worker used here (declared: the core compiles without lib.dom). */
interface PageWorker {
  postMessage(message: BrowserThreadMessage, transfer?: readonly ArrayBuffer[]): void;
  terminate(): void;
  onerror: ((event: unknown) => void) | null;
}
type PageWorkerClass = new (url: URL, options: { type: "module" }) => PageWorker;

/**
 * A solver in a Web Worker of a cross-origin isolated page, called from another worker (only a
 * worker may block): requests go as messages, replies come back through shared memory.
 */
class BrowserSolverThread implements SolverThread {
  readonly #worker: PageWorker;
  readonly #signal = new Int32Array(new SharedArrayBuffer(8));
  #reply = new SharedArrayBuffer(0);
  #closed = false;
  #staging = new Float64Array(new SharedArrayBuffer(0));

  constructor() {
    const Worker = (globalThis as unknown as { Worker: PageWorkerClass }).Worker;
    // The literal URL is what bundlers follow to build the worker's own bundle.
    this.#worker = new Worker(new URL("./browser-solve-worker.js", import.meta.url), {
      type: "module",
    });
    this.#worker.onerror = () => {
      this.#closed = true;
    };
    this.#worker.postMessage({ type: "start", signal: this.#signal });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get started(): boolean {
    return Atomics.load(this.#signal, 1) === 1;
  }

  staging(length: number): Float64Array {
    if (this.#staging.length < length)
      this.#staging = new Float64Array(new SharedArrayBuffer(8 * length));
    return this.#staging.subarray(0, length);
  }

  post(request: WorkerRequest, transfer: readonly ArrayBuffer[] = []): void {
    if (request.type === "release") {
      this.#worker.postMessage({ type: "request", request, reply: this.#reply }, transfer);
      return;
    }
    const bytes = replyAreaBytes(request);
    if (this.#reply.byteLength < bytes) this.#reply = new SharedArrayBuffer(bytes);
    Atomics.store(this.#signal, 0, 0);
    this.#worker.postMessage({ type: "request", request, reply: this.#reply }, transfer);
  }

  wait(): Exclude<WorkerReply, { type: "error" }> {
    if (!waitForSignal(this.#signal, REPLY_TIMEOUT_MS)) {
      void this.close();
      throw new Error("a solver worker did not answer");
    }
    const reply = readReply(this.#reply);
    if (reply.type === "error") throw new Error(reply.message);
    return reply;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#worker.terminate();
  }
}

/** Whether this thread may block (a worker, not a page's main thread) and share memory. */
export function pageCanRunThreads(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean; WorkerGlobalScope?: unknown };
  return scope.crossOriginIsolated === true && scope.WorkerGlobalScope !== undefined;
}

/**
 * Web Workers of a cross-origin isolated page. A thread that is still starting is never waited
 * for, even where a count of workers was asked: its start may need the thread that would wait.
 */
export const browserThreads: ThreadHost = {
  parallelism: () =>
    (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator
      ?.hardwareConcurrency ?? 1,
  start: () => new BrowserSolverThread(),
  waitsForStart: false,
};
