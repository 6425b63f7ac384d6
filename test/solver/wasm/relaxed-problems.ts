/** The batches and kernel calls that relaxed-simd.test.ts runs on both builds of the kernels. */
import type { DenseKernels, QPBatch } from "../../../src/solver/index.js";
import { randomProblem, stackBatch } from "../helpers/problems.js";
import { randomArray, randomSpd, relativeError } from "./reference.js";
import { mulberry32 } from "../../../bench/lib/random.js";

/** The paper's random QPs on the WebAssembly kernels (n ≥ 16): inequalities only, and with equalities. */
export function relaxedTestBatches(): QPBatch[] {
  const seeds = [1, 2, 3, 4];
  return [
    stackBatch(seeds.map((seed) => randomProblem(40, 0, 40, seed))),
    stackBatch(seeds.map((seed) => randomProblem(30, 5, 60, seed + 10))),
    stackBatch(seeds.slice(0, 2).map((seed) => randomProblem(120, 0, 120, seed + 20))),
  ];
}

/**
 * The relative difference between two kernel sets on the dot-product kernels a relaxed build
 * fuses (Cholesky, syrk, the triangular solves, gemv), n = 37 (odd: the tails run too).
 */
export function kernelDifferences(
  wasm: DenseKernels,
  reference: DenseKernels,
): Record<string, number> {
  const n = 37;
  const random = mulberry32(5);
  const spd = randomSpd(random, n);
  const X = randomArray(random, n * n);
  const x = randomArray(random, n);
  const run = (kernels: DenseKernels) => {
    const L = kernels.alloc(n * n);
    L.set(spd);
    kernels.cholesky(L, 0, n);
    const gram = kernels.alloc(n * n);
    const rows = kernels.alloc(n * n);
    rows.set(X);
    kernels.syrk(rows, 0, n, n, gram, 0);
    kernels.solveLowerRows(L, 0, n, rows, 0, n);
    const solved = kernels.alloc(n);
    solved.set(x);
    kernels.solveLower(L, 0, n, solved, 0);
    kernels.solveLowerTransposed(L, 0, n, solved, 0);
    const product = kernels.alloc(n);
    kernels.gemv(rows, 0, n, n, false, 1, solved, 0, 0, product, 0);
    const lower = (M: Float64Array) =>
      Array.from(M).map((v, i) => (i % n <= Math.floor(i / n) ? v : 0));
    return { L: lower(L), gram: lower(gram), rows: Array.from(rows), solved, product };
  };
  const a = run(wasm);
  const b = run(reference);
  return {
    cholesky: relativeError(a.L, b.L),
    syrk: relativeError(a.gram, b.gram),
    solveLowerRows: relativeError(a.rows, b.rows),
    triangularSolves: relativeError(a.solved, b.solved),
    gemv: relativeError(a.product, b.product),
  };
}
