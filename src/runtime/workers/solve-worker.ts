import { workerData, type MessagePort } from "node:worker_threads";
import { kernelVariant, loadKernelModuleSync } from "../../solver/wasm/index.js";
import { handleRequest } from "./handle-request.js";
import { KeptSolutions } from "./kept-solutions.js";
import type { WorkerRequest } from "./protocol.js";

/** A solver in one of Node's worker threads (node-thread.ts starts it). */
const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const kept = new KeptSolutions();

port.on("message", (request: WorkerRequest) => {
  if (request.type === "release") {
    kept.forget(request.id);
    return;
  }
  const [reply, transfer] = handleRequest(kept, request);
  port.postMessage(reply, transfer);
  // The caller blocks on this flag (Atomics.wait), then takes the reply off the port.
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

// Compiled now rather than in the first request; then the caller may count on this thread.
try {
  loadKernelModuleSync(kernelVariant(false));
} catch {
  // no kernels: the solver falls back to TypeScript ones, as on the calling thread
}
Atomics.store(signal, 1, 1);
