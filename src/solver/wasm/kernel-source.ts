import type { WasmModule } from "./webassembly.js";

/** "plain" imports an ordinary memory; "shared" imports a `WebAssembly.Memory({ shared: true })`. */
export type KernelVariant = "plain" | "shared";

/** The built file of each variant, next to the module that loads it (scripts/build-wasm.mjs). */
export const kernelFiles: Record<KernelVariant, string> = {
  plain: "kernels.wasm",
  shared: "kernels-shared.wasm",
};

/**
 * Where the compiled kernels come from: the host's business, not the solver's. Node reads the
 * package's .wasm file (node-kernel-source.ts); a page fetches it (browser-kernel-source.ts).
 * `compileSync` is missing where only asynchronous loading exists: the module must then be
 * loaded (`loadKernelModule`) before a solve.
 */
export interface KernelSource {
  compileSync?(variant: KernelVariant): WasmModule;
  compile(variant: KernelVariant): Promise<WasmModule>;
}
