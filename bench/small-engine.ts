/**
 * `npm run bench:small-engine`: what the small-member kernels (kkt/small-wasm.ts: the residuals,
 * the factorization and the Newton directions of pdipm.ts's iteration in three WebAssembly
 * kernels) save at the paper's n = p = 10 against the same iteration on the general measures and
 * KKT forms with either kernel set, forward only, one thread, in one process: the measurement
 * behind keeping them (docs/SOLVER.md, "Small members"). Medians of 40 solves after 20 warm-ups,
 * three rounds in turn.
 */
import { performance } from "node:perf_hooks";
import { solveBatch } from "../src/solver/pdipm.js";
import type { SolverOptions } from "../src/solver/types.js";
import { randomBatch } from "./lib/generator.js";

const problem = randomBatch(128, 10, 10, 1);

function medianMs(options: SolverOptions): number {
  for (let r = 0; r < 20; r++) solveBatch(problem, options);
  const times: number[] = [];
  for (let r = 0; r < 40; r++) {
    const started = performance.now();
    solveBatch(problem, options);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[20];
}

console.log(`n = p = 10, batch 128, forward, one thread; ${new Date().toISOString()}`);
console.log(
  "| round | small-member kernels | general forms, TypeScript kernels | general forms, wasm kernels |",
);
console.log("| --: | --: | --: | --: |");
for (let round = 1; round <= 3; round++) {
  const small = medianMs({});
  const typescript = medianMs({ kernels: "typescript" });
  const wasm = medianMs({ kernels: "wasm" });
  const cell = (ms: number) => `${ms.toFixed(2)} ms (${(ms / small).toFixed(2)}×)`;
  console.log(`| ${round} | ${small.toFixed(2)} ms | ${cell(typescript)} | ${cell(wasm)} |`);
}
