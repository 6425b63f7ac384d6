/**
 * Which dense kernels a solve runs on. The WebAssembly provider is made fresh for every solve,
 * with an ordinary memory exactly as large as the workspace: the solution's backward pass keeps
 * reading that workspace, so no later solve may reuse (reset) it, and a memory that never grows
 * never detaches a view.
 */
import { typescriptKernels } from "./kernels/typescript.js";
import type { DenseKernels } from "./kernels/types.js";
import type { KernelChoice } from "./types.js";
import { createWasmKernelsSync } from "./wasm/index.js";

/**
 * From this many variables on, WebAssembly kernels beat the TypeScript ones (measured on the
 * paper's problems, batch 128: equal at n = p = 16, TypeScript 1.2–1.5× faster at 8–12, and
 * WebAssembly 1.5× faster at 24, 4× at 100): below, the calls cost more than the arithmetic.
 */
export const WASM_MIN_VARIABLES = 16;
/** Room above the workspace for the module's static data and the allocator's alignment. */
const WASM_MEMORY_MARGIN_BYTES = 1 << 16;

function hasWebAssembly(): boolean {
  return typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === "object";
}

export function chooseKernels(
  choice: KernelChoice | undefined,
  n: number,
  workspaceLength: number,
): DenseKernels {
  if (choice !== undefined && typeof choice !== "string") return choice;
  if (choice === "typescript") return typescriptKernels;
  if (choice === undefined && (n < WASM_MIN_VARIABLES || !hasWebAssembly())) {
    return typescriptKernels;
  }
  const options = { shared: false, initialBytes: 8 * workspaceLength + WASM_MEMORY_MARGIN_BYTES };
  if (choice === "wasm") return createWasmKernelsSync(options);
  try {
    return createWasmKernelsSync(options);
  } catch {
    // the default falls back where the module cannot load (no .wasm file, no SIMD)
    return typescriptKernels;
  }
}
