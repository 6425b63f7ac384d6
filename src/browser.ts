/**
 * optnet in a page: the package's "browser" entry (package.json `exports`). The same compiler,
 * solver and layers as in Node; the environment differs only at the edges: the WebAssembly
 * kernels are fetched next to this module (a bundler copies the .wasm into the build), every solve
 * runs on the calling thread (run it in a Web Worker to keep a page responsive), and TensorFlow.js
 * is handed over with `useTensorFlow(tf)`. The import resolves once the kernels are compiled.
 */
import { browserKernelSource } from "./solver/wasm/browser-kernel-source.js";
import { loadKernelModule, setKernelSource } from "./solver/wasm/load-module.js";
import { setThreadHost } from "./runtime/workers/pool.js";
import { singleThread } from "./runtime/workers/thread-host.js";

export * from "./index.js";

setKernelSource(browserKernelSource);
// Node's worker threads block on each other's replies; a page's Web Workers cannot receive a
// message while blocked, so a batch is solved on the thread that asks.
setThreadHost(singleThread);
try {
  await loadKernelModule("plain");
} catch (error) {
  // Solves still run, on the TypeScript kernels: slower from 16 variables on, never wrong.
  console.warn(`optnet: the WebAssembly kernels did not load (${String(error)}); solving without`);
}
