/**
 * Our solver: the package's `solveBatch` (src/index.ts), which splits a large batch across worker
 * threads by default (batch ≥ 64 of n ≥ 10, as a Layer does). Looked up at run time so that the
 * benchmark still runs (the other methods) while the solver is missing or broken.
 */

import type { QPBatch, QPBatchSolution, SolverOptions } from "../../src/solver/index.js";

export type SolveBatch = (problem: QPBatch, options?: SolverOptions) => QPBatchSolution;

export async function loadOurSolver(): Promise<SolveBatch | string> {
  try {
    const solver = (await import("../../src/index.js")) as { solveBatch?: unknown };
    if (typeof solver.solveBatch !== "function") return "src/index.ts exports no solveBatch";
    return solver.solveBatch as SolveBatch;
  } catch (error) {
    return `src/index.ts failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
}
