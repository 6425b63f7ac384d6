/**
 * A batch larger than one storage binding is solved in chunks that fit, with the results of the
 * whole batch solved at once: the members are independent, so equal to the bit. The binding
 * limit is lowered through solveBatchOnWebGPU's `bindingLimit`, on the real adapter. Needs a
 * WebGPU adapter; skipped with one line without one.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { QPBatch } from "../../../src/solver/types.js";
import { solveBatchOnWebGPU, type WebGPUContext } from "../../../src/solver/webgpu/index.js";
import { adapterFor } from "./adapter.js";
import { member, randomProblem, stackBatch } from "../helpers/problems.js";

const acquired = await adapterFor("WebGPU chunking tests");
const { skipReason } = acquired;

const COMPILE_TIMEOUT = 600_000;
const EPS = { eps: 1e-4 };
const [n, m, p] = [8, 2, 6];
/** Bytes of one member's KKT factors, (n+p+m)²·4: its largest buffer at these sizes. */
const MEMBER_BYTES = 4 * (n + p + m) ** 2;

/** Seven random members sharing one Q (a shared operand stays shared in every chunk). */
function sevenMembers(): QPBatch {
  const batch = stackBatch([1, 2, 3, 4, 5, 6, 7].map((seed) => randomProblem(n, m, p, seed)));
  return { ...batch, Q: { data: member(batch.Q.data, 0, n * n).slice(), shared: true } };
}

describe.skipIf(skipReason !== null)("the WebGPU solver in chunks", () => {
  let context: WebGPUContext;

  beforeAll(async () => {
    context = acquired.context!;
    // compiles the shader's pipelines (once per process)
    await solveBatchOnWebGPU(sevenMembers(), EPS, context);
  }, COMPILE_TIMEOUT);

  it("solves a batch beyond the binding limit in chunks, as the whole batch at once", async () => {
    const problem = sevenMembers();
    const whole = await solveBatchOnWebGPU(problem, EPS, context);
    // 3 members per chunk: chunks of 3, 3 and 1
    const chunked = await solveBatchOnWebGPU(problem, EPS, context, 3 * MEMBER_BYTES);
    expect(whole.status).toEqual(new Array(7).fill("solved"));
    expect(chunked.batch).toBe(7);
    for (const key of [
      "z",
      "lam",
      "nu",
      "s",
      "iterations",
      "primalResidual",
      "dualResidual",
      "gap",
    ] as const) {
      expect(chunked[key], key).toEqual(whole[key]);
    }
    expect(chunked.status).toEqual(whole.status);
    expect(chunked.device).toBe(whole.device);
    // three chunks: each holds its own copy of the shared Q (f32), the rest is split
    expect(chunked.workspaceBytes).toBe(whole.workspaceBytes! + 2 * 4 * n * n);

    const dz = Float64Array.from({ length: 7 * n }, (_, i) => Math.sin(i + 1));
    const all = { Q: true, q: true, A: true, b: true, G: true, h: true };
    expect(await chunked.backwardOnDevice(dz, all)).toEqual(await whole.backwardOnDevice(dz, all));
    expect(chunked.backward(dz, all)).toEqual(whole.backward(dz, all));
    expect(() => chunked.backward(dz.subarray(1))).toThrow("expected batch×n = 56");

    // into: the caller's arrays, filled with garbage first, are written in full and returned
    for (const solution of [whole, chunked]) {
      const expected = solution.backward(dz, { q: true, G: true });
      const into = {
        q: new Float64Array(7 * n).fill(Number.NaN),
        G: new Float64Array(7 * p * n).fill(Number.NaN),
      };
      const written = solution.backward(dz, { q: true, G: true }, into);
      expect(written.q).toBe(into.q);
      expect(written.G).toBe(into.G);
      expect(written).toEqual(expected);
      expect(() => solution.backward(dz, { q: true }, { q: new Float64Array(7 * n - 1) })).toThrow(
        "into.q has length",
      );
    }

    chunked.dispose();
    whole.dispose();
    await expect(chunked.backwardOnDevice(dz)).rejects.toThrow("disposed");
    expect(chunked.backward(dz)).toEqual(whole.backward(dz));
  });

  it("refuses a batch when one member alone exceeds the binding limit", async () => {
    await expect(
      solveBatchOnWebGPU(sevenMembers(), EPS, context, MEMBER_BYTES - 4),
    ).rejects.toThrow(
      `one member alone needs a ${MEMBER_BYTES}-byte GPU buffer (its KKT factors, (n+p+m)²·4 bytes) and this adapter binds at most ${MEMBER_BYTES - 4}`,
    );
  });
});
