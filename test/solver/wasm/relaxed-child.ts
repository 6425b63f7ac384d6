/**
 * Run by relaxed-simd.test.ts in a Node started with --experimental-wasm-relaxed-simd: solves the
 * batches of relaxed-problems.ts with the default kernels (which must then be the relaxed-SIMD
 * build) and checks each kernel against the TypeScript ones; prints the results as JSON.
 */
import { solveBatch, typescriptKernels } from "../../../src/solver/index.js";
import { createWasmKernelsSync, hasRelaxedSimd } from "../../../src/solver/wasm/index.js";
import { kernelDifferences, relaxedTestBatches } from "./relaxed-problems.js";

const solutions = relaxedTestBatches().map((batch) => {
  const solution = solveBatch(batch);
  return {
    kernels: solution.kernels,
    status: solution.status,
    iterations: Array.from(solution.iterations),
    z: Array.from(solution.z),
  };
});
const kernelErrors = kernelDifferences(createWasmKernelsSync(), typescriptKernels);
console.log(JSON.stringify({ relaxed: hasRelaxedSimd(), solutions, kernelErrors }));
