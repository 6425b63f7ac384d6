/**
 * A solver in a page's Web Worker (browser-thread.ts starts it). Requests come as messages;
 * each reply is written into the shared area that came with its request, and the caller, which
 * blocks on the shared flag meanwhile, reads it from there.
 */
import { browserKernelSource } from "../../solver/wasm/browser-kernel-source.js";
import { kernelVariant, loadKernelModule, setKernelSource } from "../../solver/wasm/load-module.js";
import { handleRequest } from "./handle-request.js";
import { KeptSolutions } from "./kept-solutions.js";
import type { BrowserThreadMessage } from "./browser-thread.js";
import { writeReply } from "./shared-reply.js";

setKernelSource(browserKernelSource);
const kept = new KeptSolutions();
let signal: Int32Array | null = null;

const scope = globalThis as unknown as {
  onmessage: ((event: { data: BrowserThreadMessage }) => void) | null;
};

// Set before anything is awaited: a message that arrives before the handler would be lost.
scope.onmessage = ({ data: message }) => {
  if (message.type === "start") {
    const flag = message.signal;
    signal = flag;
    // Reported started once the kernels are compiled (or known to be missing: TypeScript ones).
    void loadKernelModule(kernelVariant(false))
      .catch(() => undefined)
      .finally(() => Atomics.store(flag, 1, 1));
    return;
  }
  if (message.request.type === "release") {
    kept.forget(message.request.id);
    return;
  }
  const [reply] = handleRequest(kept, message.request);
  writeReply(message.reply, reply);
  if (signal === null) return;
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
};
