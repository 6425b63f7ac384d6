import type { WasmModule } from "./webassembly.js";

/**
 * Which build of the kernels: "plain" imports an ordinary memory, "shared" a
 * `WebAssembly.Memory({ shared: true })`; "relaxed" and "shared-relaxed" are the same in relaxed
 * SIMD, whose dot products fuse each multiply-add (load-module.ts `kernelVariant` chooses).
 */
export type KernelVariant = "plain" | "shared" | "relaxed" | "shared-relaxed";

/** The built file of each variant, next to the module that loads it (scripts/build-wasm.mjs). */
export const kernelFiles: Record<KernelVariant, string> = {
  plain: "kernels.wasm",
  shared: "kernels-shared.wasm",
  relaxed: "kernels-relaxed.wasm",
  "shared-relaxed": "kernels-shared-relaxed.wasm",
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
