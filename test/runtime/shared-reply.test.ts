import { describe, expect, it } from "vitest";
import type {
  SolvedArrays,
  WorkerReply,
  WorkerRequest,
} from "../../src/runtime/workers/protocol.js";
import { readReply, replyAreaBytes, writeReply } from "../../src/runtime/workers/shared-reply.js";

/**
 * A page's solver thread answers through shared memory (a Web Worker cannot take a message
 * synchronously): the reply read back must be the reply written, typed arrays, NaN and all.
 */
const solved: SolvedArrays = {
  z: Float64Array.from([1.5, -0, Number.MIN_VALUE, 1e300]),
  lam: Float64Array.from([0.25, Infinity]),
  nu: new Float64Array(0),
  s: Float64Array.from([NaN, 3]),
  status: ["solved", "max_iterations"],
  iterations: Int32Array.from([7, 50]),
  primalResidual: Float64Array.from([1e-12, NaN]),
  dualResidual: Float64Array.from([2e-11, 1]),
  gap: Float64Array.from([3e-10, -Infinity]),
  workspaceBytes: 4096,
  kernels: "wasm",
  eliminatedColumns: Int32Array.from([3]),
};

function solveRequest(batch: number, n: number, m: number, p: number): WorkerRequest {
  const empty = { data: new Float64Array(0), shared: true };
  return {
    type: "solve",
    id: 1,
    keepFrom: 1,
    options: {},
    problem: { batch, n, m, p, Q: empty, q: empty, A: empty, b: empty, G: empty, h: empty },
  };
}

describe("replies through shared memory", () => {
  it("reads back a solved reply exactly, typed arrays as typed arrays", () => {
    const area = new SharedArrayBuffer(replyAreaBytes(solveRequest(2, 2, 0, 1)));
    writeReply(area, { type: "solved", solution: solved });
    const reply = readReply(area);
    expect(reply).toEqual({ type: "solved", solution: solved });
    if (reply.type !== "solved") throw new Error(reply.type);
    expect(reply.solution.iterations).toBeInstanceOf(Int32Array);
    expect(Object.is(reply.solution.z[1], -0)).toBe(true);
    expect(reply.solution.z.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it("reads back the small replies", () => {
    const area = new SharedArrayBuffer(replyAreaBytes({ type: "release", id: 3 }));
    for (const reply of [
      { type: "gradients", written: ["Q", "h"] },
      { type: "evicted" },
      { type: "error", message: "a message with \u00e9 and \u2264" },
    ] satisfies WorkerReply[]) {
      writeReply(area, reply);
      expect(readReply(area)).toEqual(reply);
    }
  });

  it("answers with an error, not a broken reply, where the area is too small", () => {
    const area = new SharedArrayBuffer(replyAreaBytes({ type: "release", id: 3 }));
    const big = { ...solved, z: new Float64Array(1000) };
    writeReply(area, { type: "solved", solution: big });
    expect(readReply(area)).toEqual({
      type: "error",
      message: expect.stringMatching(/could not write its reply: RangeError/),
    });
  });
});
