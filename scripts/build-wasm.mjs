#!/usr/bin/env node
// Compiles the AssemblyScript dense kernels (asm/kernels.ts) to WebAssembly with f64x2 SIMD.
//
// Four variants of identical code, differing in the memory they import as env.memory:
//   kernels.wasm         an ordinary WebAssembly.Memory (one thread)
//   kernels-shared.wasm  a WebAssembly.Memory({ shared: true }) that worker threads can share
// and, as kernels-relaxed.wasm and kernels-shared-relaxed.wasm, in relaxed SIMD: the dot
// products' multiply-adds fused (asm/kernels.ts `madd`). The loader takes those where the engine
// validates relaxed SIMD (src/solver/wasm/load-module.ts).
//
//   node scripts/build-wasm.mjs                 writes all four to src/solver/wasm/ and dist/solver/wasm/
//   node scripts/build-wasm.mjs --out DIR       writes all four to DIR only
//   ... --only plain|shared|relaxed|shared-relaxed   builds one variant
//
// `npm ci` / `npm run build` run it; the test suite's global setup (test/global-setup.ts) runs it
// where the .wasm files are missing or older than the source. The library never runs it.
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const kernelSource = join(repoRoot, "asm", "kernels.ts");

/** File name of each variant (src/solver/wasm/kernel-source.ts names them too). */
export const variantFiles = {
  plain: "kernels.wasm",
  shared: "kernels-shared.wasm",
  relaxed: "kernels-relaxed.wasm",
  "shared-relaxed": "kernels-shared-relaxed.wasm",
};

const commonFlags = [
  "--optimizeLevel",
  "3",
  "--shrinkLevel",
  "0",
  "--runtime",
  "stub",
  "--importMemory",
  "--noExportMemory",
  "--noAssert",
  // No `abort` import: the kernels never allocate or check bounds.
  "--use",
  "abort=",
];

// A shared memory import must declare a maximum; 65536 pages is all of wasm32.
const sharedMemoryFlags = ["--sharedMemory", "--maximumMemory", "65536"];
const variantFlags = {
  plain: ["--enable", "simd"],
  shared: ["--enable", "simd,threads", ...sharedMemoryFlags],
  relaxed: ["--enable", "simd,relaxed-simd"],
  "shared-relaxed": ["--enable", "simd,relaxed-simd,threads", ...sharedMemoryFlags],
};

/**
 * Compiles one variant and returns its bytes.
 * @param {keyof typeof variantFiles} variant
 * @returns {Promise<Uint8Array>}
 */
export async function compileKernels(variant = "plain") {
  const { default: asc } = await import("assemblyscript/asc");
  const outName = variantFiles[variant];
  /** @type {Uint8Array | undefined} */
  let binary;
  const stderr = asc.createMemoryStream();
  const result = await asc.main(
    [kernelSource, "--outFile", outName, ...commonFlags, ...variantFlags[variant]],
    {
      stderr,
      writeFile(name, contents) {
        if (name.endsWith(outName) && typeof contents !== "string") binary = contents;
      },
    },
  );
  if (result.error || binary === undefined) {
    throw new Error(
      `AssemblyScript failed on ${kernelSource}: ${result.error?.message ?? "no output"}\n${stderr.toString()}`,
    );
  }
  return binary;
}

/** Writes through a temporary name so a concurrent reader never sees half a file. */
function writeAtomically(path, bytes) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

async function main(argv) {
  const outIndex = argv.indexOf("--out");
  // dist/ is written even before tsc has created it: `tsc -p tsconfig.build.json` copies no .wasm.
  const targets =
    outIndex >= 0
      ? [resolve(argv[outIndex + 1])]
      : [join(repoRoot, "src", "solver", "wasm"), join(repoRoot, "dist", "solver", "wasm")];
  const onlyIndex = argv.indexOf("--only");
  const variants = onlyIndex >= 0 ? [argv[onlyIndex + 1]] : Object.keys(variantFiles);
  for (const variant of variants) {
    if (!(variant in variantFiles)) throw new Error(`unknown variant ${variant}`);
    const bytes = await compileKernels(variant);
    for (const dir of targets) writeAtomically(join(dir, variantFiles[variant]), bytes);
  }
  console.log(`wasm kernels written to ${targets.join(", ")}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
