/**
 * `npm run bench:kernels`: the WebAssembly dense kernels' rate in multiply-adds per second, the
 * plain build against the relaxed-SIMD one (fused multiply-adds) in one process, at the sizes the
 * paper's n = p = 100 and 500 problems factor: the measurement behind the relaxed builds
 * (docs/SOLVER.md, "The kernels"). Relaxed SIMD is turned on first (lib/relaxed-simd.ts); an
 * engine without it measures the plain build only.
 * Best of 15 calls each, the builds in turn, three rounds.
 */
// First: relaxed SIMD on before any WebAssembly is compiled (see the module).
import "./lib/relaxed-simd.js";
import { performance } from "node:perf_hooks";
import type { WasmDenseKernels } from "../src/solver/index.js";
import {
  createWasmKernelsSync,
  hasRelaxedSimd,
  loadKernelModuleSync,
  type KernelVariant,
} from "../src/solver/wasm/index.js";
import { mulberry32 } from "./lib/random.js";

const SIZES = [64, 100, 250, 500];

function kernels(variant: KernelVariant): WasmDenseKernels {
  return createWasmKernelsSync({
    shared: false,
    initialBytes: 8 * 4 * 500 * 500 + 2 ** 20,
    module: loadKernelModuleSync(variant),
  });
}

function bestMs(call: () => void, before: () => void = () => {}): number {
  let best = Infinity;
  for (let r = 0; r < 15; r++) {
    before();
    const started = performance.now();
    call();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/** G multiply-adds per second of syrk, Cholesky and the triangular solve of n rows, n×n. */
function rates(k: WasmDenseKernels, n: number): number[] {
  const random = mulberry32(n);
  const X = k.alloc(n * n);
  const gram = k.alloc(n * n);
  const A = k.alloc(n * n);
  const rows = k.alloc(n * n);
  for (let i = 0; i < X.length; i++) X[i] = 2 * random() - 1;
  k.syrk(X, 0, n, n, gram, 0);
  for (let i = 0; i < n; i++) gram[i * n + i] += n;
  const syrk = bestMs(() => k.syrk(X, 0, n, n, A, 0));
  const cholesky = bestMs(
    () => k.cholesky(A, 0, n),
    () => A.set(gram),
  );
  const solve = bestMs(
    () => k.solveLowerRows(A, 0, n, rows, 0, n),
    () => rows.set(X),
  );
  const gmacs = (macs: number, ms: number) => macs / ms / 1e6;
  return [gmacs(n ** 3 / 2, syrk), gmacs(n ** 3 / 6, cholesky), gmacs(n ** 3 / 2, solve)];
}

const builds: KernelVariant[] = hasRelaxedSimd() ? ["plain", "relaxed"] : ["plain"];
console.log(
  `WebAssembly kernels, G multiply-adds/s (best of 15); ${new Date().toISOString()}; relaxed SIMD: ${hasRelaxedSimd() ? "yes" : "no"}`,
);
console.log("| round | n | build | syrk n×n | Cholesky n×n | triangular solve, n rows |");
console.log("| --: | --: | --- | --: | --: | --: |");
for (let round = 1; round <= 3; round++) {
  for (const n of SIZES) {
    for (const build of builds) {
      const [syrk, cholesky, solve] = rates(kernels(build), n);
      console.log(
        `| ${round} | ${n} | ${build} | ${syrk.toFixed(1)} | ${cholesky.toFixed(1)} | ${solve.toFixed(1)} |`,
      );
    }
  }
}
