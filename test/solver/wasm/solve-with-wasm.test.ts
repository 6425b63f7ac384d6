import { describe, expect, it } from "vitest";
import {
  solveBatch,
  typescriptKernels,
  type DenseKernels,
  type QPBatch,
} from "../../../src/solver/index.js";
import { createWasmKernelsSync } from "../../../src/solver/wasm/index.js";
import { relativeError } from "./reference.js";
import { stackBatch } from "../../../bench/lib/generator.js";
import {
  loadQPVectors,
  qpVectorProblem,
  type QPVectorCase,
} from "../../../bench/lib/qp-vectors.js";

const cases = loadQPVectors();
// Strictly convex cases with a solution: z is unique there, so it can be compared directly.
const strictlyConvex = cases.filter((c) => c.name.startsWith("pd_") && c.z !== undefined);
const withGradients = strictlyConvex.filter((c) => c.grad_of_w_dot_z !== undefined);

/** The case repeated `batch` times, each member's own copy (not shared). */
function batchOf(c: QPVectorCase, batch: number): QPBatch {
  return stackBatch(Array.from({ length: batch }, () => qpVectorProblem(c)));
}

describe("the solver on wasm kernels", () => {
  it.each(strictlyConvex.map((c) => [c.name, c] as const))(
    "solves %s like cvxopt and like the TypeScript kernels, in a batch of 3",
    (_, c) => {
      const problem = batchOf(c, 3);
      const onWasm = solveBatch(problem, {}, createWasmKernelsSync());
      const onTs = solveBatch(problem, {}, typescriptKernels);
      expect(onWasm.status).toEqual(["solved", "solved", "solved"]);
      const n = c.q.length;
      for (let k = 0; k < 3; k++) {
        const z = onWasm.z.subarray(k * n, (k + 1) * n);
        expect(relativeError(z, c.z as number[])).toBeLessThan(1e-6);
      }
      expect(relativeError(onWasm.z, onTs.z)).toBeLessThan(1e-8);
    },
  );

  // At a solution tight to 1e-9 the backward system is ill-conditioned (λ/s spans ~1e±10), so
  // rounding differences between kernels show up near 1e-4; the check is therefore that the wasm
  // kernels get as close to the finite-difference gradients as the TypeScript ones do.
  it.each(withGradients.map((c) => [c.name, c] as const))(
    "gives a backward pass as close to finite differences as the TypeScript kernels on %s",
    (_, c) => {
      const problem = batchOf(c, 1);
      const upstream = new Float64Array(c.w as number[]);
      const error = (kernels: DenseKernels) => {
        const gradients = solveBatch(problem, {}, kernels).backward(upstream);
        let worst = 0;
        for (const key of ["q", "A", "b", "G", "h"] as const) {
          const reference = (c.grad_of_w_dot_z ?? {})[key] ?? [];
          const computed = gradients[key] ?? new Float64Array(0);
          worst = Math.max(worst, relativeError(computed, reference.flat()));
        }
        return worst;
      };
      const onTs = error(typescriptKernels);
      expect(error(createWasmKernelsSync())).toBeLessThanOrEqual(2 * onTs + 1e-6);
    },
  );
});
