import { isNode } from "../../platform/node-builtin.js";
import { nodeKernelSource } from "./node-kernel-source.js";
import { kernelFiles, type KernelSource, type KernelVariant } from "./kernel-source.js";
import { webAssemblyApi, type WasmModule } from "./webassembly.js";

export type { KernelSource, KernelVariant };

/**
 * The smallest module that uses relaxed SIMD: one function returning f64x2.relaxed_madd of its
 * three arguments. An engine validates it where it has relaxed SIMD: Chrome from 114 and Node
 * from 22 by default, Node 20 with --experimental-wasm-relaxed-simd.
 */
export const RELAXED_SIMD_PROBE = Uint8Array.of(
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  // type section: (v128, v128, v128) → v128
  ...[0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b],
  // function section: one function of type 0
  ...[0x03, 0x02, 0x01, 0x00],
  // code section: local.get 0, 1, 2; f64x2.relaxed_madd (0xfd 0x107); end
  ...[0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x87, 0x02, 0x0b],
);

let relaxedSimd: boolean | undefined;

/** Whether this engine runs relaxed SIMD (asked once per thread). */
export function hasRelaxedSimd(): boolean {
  relaxedSimd ??= webAssemblyApi().validate(RELAXED_SIMD_PROBE);
  return relaxedSimd;
}

/**
 * The build to load for a memory of this kind: in relaxed SIMD where the engine has it (its
 * dot products fuse each multiply-add: ~1.3× faster, the last bit may differ), else the plain one.
 */
export function kernelVariant(shared: boolean): KernelVariant {
  if (hasRelaxedSimd()) return shared ? "shared-relaxed" : "relaxed";
  return shared ? "shared" : "plain";
}

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
