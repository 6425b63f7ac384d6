import { requireNodeBuiltin } from "../../platform/node-builtin.js";
import type { WorkerReply, WorkerRequest } from "./protocol.js";
import { waitForSignal } from "./signal.js";
import type { SolverThread, ThreadHost } from "./thread-host.js";

/** The parts of node:worker_threads and node:os used here (declared, so the core compiles without Node's types). */
interface NodePort {
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  close(): void;
}
interface NodeWorker {
  unref(): void;
  on(event: "error", listener: (error: unknown) => void): void;
  terminate(): Promise<number>;
}
interface WorkerThreads {
  MessageChannel: new () => { port1: NodePort; port2: NodePort };
  Worker: new (
    script: URL,
    options: { workerData: unknown; transferList: readonly NodePort[] },
  ) => NodeWorker;
  receiveMessageOnPort(port: NodePort): { message: unknown } | undefined;
}
interface Os {
  availableParallelism(): number;
}

/** How long the calling thread waits for one reply before it gives up on a worker. */
const REPLY_TIMEOUT_MS = 300_000;
/**
 * Largest staging area a worker keeps between solves; larger slices get a fresh one each time.
 * A fresh one costs a page fault per 4 KiB while the calling thread fills it and the worker
 * waits: 55 ms for the 128 MB of a 32-member slice at n = p = 500, 2% of its solve, against 21 ms
 * to refill a kept one. Kept areas stay well under the kernel memory a thread keeps for reuse
 * (kept-solutions.ts).
 */
const KEPT_STAGING_BYTES = 256 * 2 ** 20;

/**
 * A solver in one of Node's worker threads. The caller blocks on a shared flag (Atomics.wait)
 * until the reply is on the port, then takes it off synchronously (`receiveMessageOnPort`).
 */
class NodeSolverThread implements SolverThread {
  readonly #threads: WorkerThreads;
  readonly #worker: NodeWorker;
  readonly #port: NodePort;
  readonly #signal: Int32Array;
  #closed = false;
  #staging = new Float64Array(new SharedArrayBuffer(0));

  constructor() {
    this.#threads = requireNodeBuiltin<WorkerThreads>("node:worker_threads");
    const { port1, port2 } = new this.#threads.MessageChannel();
    // [0]: a reply is waiting; [1]: the worker has started (solve-worker.ts).
    const signal = new Int32Array(new SharedArrayBuffer(8));
    const fromSources = import.meta.url.endsWith(".ts");
    const entry = new URL(fromSources ? "./solve-worker.ts" : "./solve-worker.js", import.meta.url);
    const script = fromSources ? new URL("./loader.mjs", import.meta.url) : entry;
    this.#worker = new this.#threads.Worker(script, {
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

  get started(): boolean {
    return Atomics.load(this.#signal, 1) === 1;
  }

  staging(length: number): Float64Array {
    if (this.#staging.length >= length) return this.#staging.subarray(0, length);
    const area = new Float64Array(new SharedArrayBuffer(8 * length));
    if (8 * length <= KEPT_STAGING_BYTES) this.#staging = area;
    return area;
  }

  post(request: WorkerRequest, transfer: readonly ArrayBuffer[] = []): void {
    if (request.type !== "release") Atomics.store(this.#signal, 0, 0);
    this.#port.postMessage(request, transfer);
  }

  wait(): Exclude<WorkerReply, { type: "error" }> {
    if (!waitForSignal(this.#signal, REPLY_TIMEOUT_MS)) {
      // Its state is unknown: never use it again.
      void this.close();
      throw new Error("a solver worker did not answer");
    }
    const received = this.#threads.receiveMessageOnPort(this.#port);
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

/** Node's worker threads. */
export const nodeThreads: ThreadHost = {
  parallelism: () => requireNodeBuiltin<Os>("node:os").availableParallelism(),
  start: () => new NodeSolverThread(),
  waitsForStart: true,
};
