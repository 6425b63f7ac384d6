import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { webAssemblyApi, type WasmModule } from "./webassembly.js";

/** "plain" imports an ordinary memory; "shared" imports a `WebAssembly.Memory({ shared: true })`. */
export type KernelVariant = "plain" | "shared";

const variantFiles: Record<KernelVariant, string> = {
  plain: "kernels.wasm",
  shared: "kernels-shared.wasm",
};

// The .wasm sits next to this module (src/solver/wasm or dist/solver/wasm); the source and the
// build script sit at the repository root, which exists only in a checkout, not in the package.
const buildScriptPath = fileURLToPath(new URL("../../../scripts/build-wasm.mjs", import.meta.url));
const kernelSourcePath = fileURLToPath(new URL("../../../asm/kernels.ts", import.meta.url));

function wasmPath(variant: KernelVariant): string {
  return fileURLToPath(new URL(`./${variantFiles[variant]}`, import.meta.url));
}

const compiled = new Map<KernelVariant, WasmModule>();

/** The built file is usable unless it is missing or older than the source it came from. */
function builtFileIsCurrent(path: string): boolean {
  if (!existsSync(path)) return false;
  if (!existsSync(kernelSourcePath)) return true;
  return statSync(path).mtimeMs >= statSync(kernelSourcePath).mtimeMs;
}

function missingBuildError(variant: KernelVariant): Error {
  return new Error(
    `${wasmPath(variant)} is missing and cannot be rebuilt here: run \`node scripts/build-wasm.mjs\``,
  );
}

// The AssemblyScript compiler runs in a child process: in-process, a TypeScript loader (tsx,
// vitest) would transform its 10 MB of JavaScript first, which takes seconds.
function buildArguments(variant: KernelVariant, outDir: string): string[] {
  return [buildScriptPath, "--out", outDir, "--only", variant];
}

function buildBytesSync(variant: KernelVariant): Uint8Array {
  const outDir = mkdtempSync(join(tmpdir(), "optnet-wasm-"));
  try {
    execFileSync(process.execPath, buildArguments(variant, outDir), { stdio: "pipe" });
    return readFileSync(join(outDir, variantFiles[variant]));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function buildBytes(variant: KernelVariant): Promise<Uint8Array> {
  const outDir = await mkdtemp(join(tmpdir(), "optnet-wasm-"));
  try {
    await promisify(execFile)(process.execPath, buildArguments(variant, outDir));
    return await readFile(join(outDir, variantFiles[variant]));
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

function canRebuild(): boolean {
  return existsSync(buildScriptPath) && existsSync(kernelSourcePath);
}

/**
 * The compiled kernel module, compiled once per process. Reads the built .wasm next to this
 * module, or compiles the AssemblyScript source on the fly when that file is missing or stale.
 */
export function loadKernelModuleSync(variant: KernelVariant): WasmModule {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  const path = wasmPath(variant);
  let bytes: Uint8Array;
  if (builtFileIsCurrent(path)) bytes = readFileSync(path);
  else if (canRebuild()) bytes = buildBytesSync(variant);
  else if (existsSync(path)) bytes = readFileSync(path);
  else throw missingBuildError(variant);
  const module = new (webAssemblyApi().Module)(bytes);
  compiled.set(variant, module);
  return module;
}

/** As `loadKernelModuleSync`, compiling without blocking the thread. */
export async function loadKernelModule(variant: KernelVariant): Promise<WasmModule> {
  const cached = compiled.get(variant);
  if (cached !== undefined) return cached;
  const path = wasmPath(variant);
  let bytes: Uint8Array;
  if (builtFileIsCurrent(path)) bytes = readFileSync(path);
  else if (canRebuild()) bytes = await buildBytes(variant);
  else if (existsSync(path)) bytes = readFileSync(path);
  else throw missingBuildError(variant);
  const module = await webAssemblyApi().compile(bytes);
  compiled.set(variant, module);
  return module;
}
