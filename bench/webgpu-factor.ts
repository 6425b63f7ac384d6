/**
 * `npm run bench:webgpu-factor`: the WebGPU solver's two factorizations side by side on the
 * paper's random QPs (n = p), one workgroup per member against the blocked factorization with
 * tiled trailing updates (pipelines.ts TILED_FACTOR_FROM), each setting solved three times in
 * turn and the median kept. The ratio is what chooses TILED_FACTOR_FROM; on a software adapter
 * it reflects a CPU's caches and cores, not a GPU's.
 */
import { performance } from "node:perf_hooks";
import {
  WEBGPU_SETUP_HINT,
  acquireWebGPU,
  solveBatchOnWebGPU,
  type WebGPUContext,
} from "../src/solver/webgpu/index.js";
import { randomBatch } from "./lib/generator.js";

const SETTINGS: readonly (readonly [n: number, batch: number])[] = [
  [32, 1],
  [32, 16],
  [64, 1],
  [64, 16],
  [80, 1],
  [80, 16],
  [100, 1],
  [100, 16],
  [200, 1],
  [200, 8],
];
const REPEATS = 3;
const ONE_WORKGROUP = Number.MAX_SAFE_INTEGER;
const TILED = 1;

async function timeSolve(
  context: WebGPUContext,
  n: number,
  batch: number,
  tiledFactorFrom: number,
): Promise<number> {
  const problem = randomBatch(batch, n, n, 1);
  const started = performance.now();
  const solution = await solveBatchOnWebGPU(problem, { tiledFactorFrom }, context);
  const elapsed = performance.now() - started;
  solution.dispose();
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

process.env.XDG_RUNTIME_DIR ??= "/tmp";
const acquired = await acquireWebGPU();
if (acquired.context === null) {
  console.log(`no WebGPU adapter: ${acquired.reason}; ${WEBGPU_SETUP_HINT}`);
  process.exit(1);
}
const context = acquired.context;
console.log(`${context.name}, ${new Date().toISOString()}`);
// both ways compiled and warm before any timing
for (const way of [ONE_WORKGROUP, TILED]) await timeSolve(context, 20, 1, way);
console.log("| n = p | N | batch | one workgroup (ms) | tiled (ms) | one workgroup / tiled |");
console.log("| --: | --: | --: | --: | --: | --: |");
for (const [n, batch] of SETTINGS) {
  const times = { one: [] as number[], tiled: [] as number[] };
  for (let r = 0; r < REPEATS; r++) {
    times.one.push(await timeSolve(context, n, batch, ONE_WORKGROUP));
    times.tiled.push(await timeSolve(context, n, batch, TILED));
  }
  const one = median(times.one);
  const tiled = median(times.tiled);
  console.log(
    `| ${n} | ${2 * n} | ${batch} | ${one.toFixed(0)} | ${tiled.toFixed(0)} | ${(one / tiled).toFixed(2)} |`,
  );
}
