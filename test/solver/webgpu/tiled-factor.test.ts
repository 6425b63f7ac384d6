/**
 * The blocked, tiled factorization of larger members (pipelines.ts factorSteps, shader.ts
 * factorPanel / factorTrailing / factorFinish) against the one-workgroup factorization: the
 * same operations, each entry's products subtracted in the same order, so the same statuses,
 * iterations, solutions and gradients (bitwise on lavapipe; a GPU compiler may fuse a product
 * and its subtraction in one kernel and not the other, hence the f32-level tolerances). The
 * dispatch plan is checked without a GPU.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { solveBatch } from "../../../src/solver/pdipm.js";
import {
  TILED_FACTOR_FROM,
  factorSteps,
  iterationSteps,
} from "../../../src/solver/webgpu/pipelines.js";
import { FACTOR_BLOCK, PHASE_ITERATION } from "../../../src/solver/webgpu/shader.js";
import { solveBatchOnWebGPU, type WebGPUContext } from "../../../src/solver/webgpu/index.js";
import { adapterFor } from "./adapter.js";
import { maxRelativeDifference } from "../helpers/dense.js";
import { randomProblem, stackBatch } from "../helpers/problems.js";

const acquired = await adapterFor("tiled factorization tests");
const { skipReason } = acquired;

const COMPILE_TIMEOUT = 600_000;
const ONE_WORKGROUP = { eps: 1e-4, tiledFactorFrom: Number.MAX_SAFE_INTEGER };
const TILED = { eps: 1e-4, tiledFactorFrom: 1 };

describe("the tiled factorization's dispatches", () => {
  it("has a panel per block of columns and a trailing update over the tiles left below it", () => {
    // N = 40: blocks [0, 16), [16, 32), [32, 40); tiles of 16 below them: 2 rows (3 tiles), 1, none
    expect(factorSteps(PHASE_ITERATION, 40, 1)).toEqual([
      ["factorPanel", PHASE_ITERATION],
      ["factorTrailing", PHASE_ITERATION, 3],
      ["factorPanel", PHASE_ITERATION],
      ["factorTrailing", PHASE_ITERATION, 1],
      ["factorPanel", PHASE_ITERATION],
      ["factorFinish", PHASE_ITERATION],
    ]);
    expect(FACTOR_BLOCK).toBe(16);
  });

  it("keeps one workgroup per member below TILED_FACTOR_FROM", () => {
    const entries = (N: number) => iterationSteps(N).map(([entry]) => entry);
    expect(entries(TILED_FACTOR_FROM - 1)).toContain("factorize");
    expect(entries(TILED_FACTOR_FROM - 1)).not.toContain("factorPanel");
    expect(entries(TILED_FACTOR_FROM)).not.toContain("factorize");
    expect(entries(TILED_FACTOR_FROM)).toContain("factorTrailing");
  });
});

describe.skipIf(skipReason !== null)("the tiled factorization on the GPU", () => {
  let context: WebGPUContext;

  beforeAll(async () => {
    context = acquired.context!;
    await solveBatchOnWebGPU(stackBatch([randomProblem(4, 0, 4, 1)]), TILED, context);
  }, COMPILE_TIMEOUT);

  it("solves as one workgroup does, with a last block and tiles cut short (N = 79)", async () => {
    // n = p = 37, m = 5: N = 79 is not a multiple of 16, and the equality block is factored too
    const problem = stackBatch([1, 2, 3].map((seed) => randomProblem(37, 5, 37, seed)));
    const one = await solveBatchOnWebGPU(problem, ONE_WORKGROUP, context);
    const tiled = await solveBatchOnWebGPU(problem, TILED, context);
    const cpu = solveBatch(problem);
    expect(cpu.status).toEqual(["solved", "solved", "solved"]);
    expect(tiled.status).toEqual(one.status);
    expect(tiled.status).toEqual(cpu.status);
    expect(tiled.iterations).toEqual(one.iterations);
    expect(maxRelativeDifference(tiled.z, one.z)).toBeLessThan(1e-6);
    expect(maxRelativeDifference(tiled.z, cpu.z)).toBeLessThan(1e-3);

    const dz = Float64Array.from({ length: 3 * 37 }, (_, i) => Math.sin(i + 1));
    const gradients = {
      one: await one.backwardOnDevice(dz),
      tiled: await tiled.backwardOnDevice(dz),
      cpu: cpu.backward(dz),
    };
    for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
      const reference = gradients.cpu[key]!;
      expect(maxRelativeDifference(gradients.tiled[key]!, gradients.one[key]!), key).toBeLessThan(
        1e-5,
      );
      // f32's reach at eps 1e-4 and this size (docs/GPU.md: 1.6e-2 at n = 50), for both ways
      expect(maxRelativeDifference(gradients.tiled[key]!, reference), key).toBeLessThan(5e-2);
    }
    one.dispose();
    tiled.dispose();
  });

  it("ends a member whose pivot is not finite with numerical_error, as one workgroup does", async () => {
    const problem = stackBatch([randomProblem(20, 0, 20, 4), randomProblem(20, 0, 20, 5)]);
    // finite in float64, infinite in f32: the last pivot of the second member
    problem.Q.data[problem.Q.data.length - 1] = 1e39;
    const one = await solveBatchOnWebGPU(problem, ONE_WORKGROUP, context);
    const tiled = await solveBatchOnWebGPU(problem, TILED, context);
    expect(one.status).toEqual(["solved", "numerical_error"]);
    expect(tiled.status).toEqual(one.status);
  });
});
