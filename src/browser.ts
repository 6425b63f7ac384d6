/**
 * optnet in a page: the package's "browser" entry (package.json `exports`). The same compiler,
 * solver and layers as in Node; the environment differs only at the edges: the WebAssembly
 * kernels are fetched next to this module (a bundler copies the .wasm into the build), a large
 * batch is split over Web Workers only when solved in a worker of a cross-origin isolated page
 * (elsewhere on the calling thread), and TensorFlow.js is handed over with `useTensorFlow(tf)`.
 * The import resolves once the kernels are compiled.
 */
import { browserKernelSource } from "./solver/wasm/browser-kernel-source.js";
import { kernelVariant, loadKernelModule, setKernelSource } from "./solver/wasm/load-module.js";
import { browserThreads, pageCanRunThreads } from "./runtime/workers/browser-thread.js";
import { setThreadHost } from "./runtime/workers/pool.js";
import { singleThread } from "./runtime/workers/thread-host.js";

export * from "./index.js";

setKernelSource(browserKernelSource);
// A solve that splits its batch blocks until the other threads answered: only a worker may
// block, and only a cross-origin isolated page shares memory. Elsewhere one thread solves.
setThreadHost(pageCanRunThreads() ? browserThreads : singleThread);
try {
  await loadKernelModule(kernelVariant(false));
} catch (error) {
  // Solves still run, on the TypeScript kernels: slower from 16 variables on, never wrong.
  console.warn(`optnet: the WebAssembly kernels did not load (${String(error)}); solving without`);
}
