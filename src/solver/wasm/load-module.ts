import { existsSync, readFileSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { webAssemblyApi, type WasmModule } from "./webassembly.js";

/** "plain" imports an ordinary memory; "shared" imports a `WebAssembly.Memory({ shared: true })`. */
export type KernelVariant = "plain" | "shared";

const variantFiles: Record<KernelVariant, string> = {
  plain: "kernels.wasm",
  shared: "kernels-shared.wasm",
};

// The .wasm sits next to this module (src/solver/wasm or dist/solver/wasm), built by `npm ci` /
// `npm run build` (scripts/build-wasm.mjs). The library only loads it: it never runs a compiler.
// The AssemblyScript source sits at the repository root, which exists only in a checkout.
const kernelSourcePath = fileURLToPath(new URL("../../../asm/kernels.ts", import.meta.url));

function wasmPath(variant: KernelVariant): string {
  return fileURLToPath(new URL(`./${variantFiles[variant]}`, import.meta.url));
}

const compiled = new Map<KernelVariant, WasmModule>();

/**
 * The built file's path, or an error that says how to build it: where it is missing, and, in a
 * checkout, where it is older than the kernels' source (it would run the old kernels).
 */
function builtFile(variant: KernelVariant): string {
  const path = wasmPath(variant);
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: run \`npm run build\` (it compiles asm/kernels.ts)`);
  }
  if (existsSync(kernelSourcePath) && statSync(path).mtimeMs < statSync(kernelSourcePath).mtimeMs) {
    throw new Error(
      `${path} is older than asm/kernels.ts: run \`node scripts/build-wasm.mjs\` to rebuild it`,
    );
  }
  return path;
}

/** The compiled kernel module, compiled once per process from the built .wasm. */
export function loadKernelModuleSync(variant: KernelVariant): WasmModule {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  const module = new (webAssemblyApi().Module)(readFileSync(builtFile(variant)));
  compiled.set(variant, module);
  return module;
}

/** As `loadKernelModuleSync`, compiling without blocking the thread. */
export async function loadKernelModule(variant: KernelVariant): Promise<WasmModule> {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  const module = await webAssemblyApi().compile(await readFile(builtFile(variant)));
  compiled.set(variant, module);
  return module;
}
