import { isNode } from "../../platform/node-builtin.js";
import { nodeKernelSource } from "./node-kernel-source.js";
import { kernelFiles, type KernelSource, type KernelVariant } from "./kernel-source.js";
import type { WasmModule } from "./webassembly.js";

export type { KernelSource, KernelVariant };

const compiled = new Map<KernelVariant, WasmModule>();
let installed: KernelSource | undefined;

/** Sets where kernel modules come from; modules compiled before stay. */
export function setKernelSource(source: KernelSource): void {
  installed = source;
}

function source(): KernelSource {
  installed ??= isNode() ? nodeKernelSource : undefined;
  if (installed === undefined) {
    throw new Error(
      "no WebAssembly kernels here: in a page, import optnet through its browser entry " +
        '(the bundler\'s "browser" condition), which fetches them',
    );
  }
  return installed;
}

/** The compiled kernel module, compiled once per thread. */
export function loadKernelModuleSync(variant: KernelVariant): WasmModule {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  const from = source();
  if (from.compileSync === undefined) {
    throw new Error(
      `the ${kernelFiles[variant]} kernels are not loaded yet: await loadKernelModule("${variant}") first`,
    );
  }
  const module = from.compileSync(variant);
  compiled.set(variant, module);
  return module;
}

/** As `loadKernelModuleSync`, compiling without blocking the thread. */
export async function loadKernelModule(variant: KernelVariant): Promise<WasmModule> {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  const module = await source().compile(variant);
  compiled.set(variant, module);
  return module;
}
