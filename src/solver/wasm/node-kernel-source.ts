import { requireNodeBuiltin } from "../../platform/node-builtin.js";
import { kernelFiles, type KernelSource, type KernelVariant } from "./kernel-source.js";
import { webAssemblyApi } from "./webassembly.js";

/** The parts of node:fs and node:url used here (declared: the core compiles without Node's types). */
interface Fs {
  existsSync(path: string): boolean;
  statSync(path: string): { mtimeMs: number };
  readFileSync(path: string): Uint8Array;
  promises: { readFile(path: string): Promise<Uint8Array> };
}
interface Url {
  fileURLToPath(url: URL): string;
}

// The .wasm sits next to this module (src/solver/wasm or dist/solver/wasm), built by `npm ci` /
// `npm run build` (scripts/build-wasm.mjs). The library only loads it: it never runs a compiler.
// The AssemblyScript source sits at the repository root, which exists only in a checkout. The
// paths are held in variables: a bundler would otherwise take `new URL("…", import.meta.url)` for
// assets of the browser build, where this file never runs.
const KERNEL_SOURCE = "../../../asm/kernels.ts";

function path(relative: string): string {
  return requireNodeBuiltin<Url>("node:url").fileURLToPath(new URL(relative, import.meta.url));
}

/**
 * The built file's path, or an error that says how to build it: where it is missing, and, in a
 * checkout, where it is older than the kernels' source (it would run the old kernels).
 */
function builtFile(variant: KernelVariant): string {
  const fs = requireNodeBuiltin<Fs>("node:fs");
  const wasm = path(`./${kernelFiles[variant]}`);
  const source = path(KERNEL_SOURCE);
  if (!fs.existsSync(wasm)) {
    throw new Error(`${wasm} is missing: run \`npm run build\` (it compiles asm/kernels.ts)`);
  }
  if (fs.existsSync(source) && fs.statSync(wasm).mtimeMs < fs.statSync(source).mtimeMs) {
    throw new Error(
      `${wasm} is older than asm/kernels.ts: run \`node scripts/build-wasm.mjs\` to rebuild it`,
    );
  }
  return wasm;
}

/** Node's kernels: the package's own .wasm files, read from disk. */
export const nodeKernelSource: KernelSource = {
  compileSync(variant) {
    const bytes = requireNodeBuiltin<Fs>("node:fs").readFileSync(builtFile(variant));
    return new (webAssemblyApi().Module)(bytes);
  },
  async compile(variant) {
    const bytes = await requireNodeBuiltin<Fs>("node:fs").promises.readFile(builtFile(variant));
    return webAssemblyApi().compile(bytes);
  },
};
