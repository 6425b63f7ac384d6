import { availableParallelism } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { closeWorkers, compile, solveBatch } from "../../src/runtime/index.js";
import { solutionOf } from "../../src/runtime/layer.js";
import { workerCount } from "../../src/runtime/solve.js";
import { solveAcrossWorkers, splitBatch } from "../../src/runtime/workers/parallel.js";
import { solveBatch as solveBatchOnThread, type QPBatch } from "../../src/solver/index.js";
import { exampleSource } from "./helpers/examples.js";
import { matrix, seededRandom, spd, vector } from "./helpers/random.js";

afterAll(async () => {
  await closeWorkers();
});

const n = 24;
const batch = 37;
const layer = compile(exampleSource("qp-dense.qp"), { dims: { n, p: n }, file: "qp-dense.qp" });
const rand = seededRandom(21);
const G = matrix(rand, n, n);
const params = {
  Q: spd(rand, n, 0.5),
  q: Array.from({ length: batch }, () => vector(rand, n)),
  G,
  h: Array.from({ length: batch }, () => {
    const z0 = vector(rand, n);
    return G.map((row) => row.reduce((s, v, j) => s + v * z0[j], 0) + rand());
  }),
};
const upstream = { z: Array.from({ length: batch }, () => vector(rand, n)) };

describe("solving across worker threads", () => {
  it("splits a batch into near-equal contiguous slices", () => {
    expect(splitBatch(10, 3)).toEqual([
      [0, 4],
      [4, 3],
      [7, 3],
    ]);
    expect(splitBatch(2, 4)).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it("uses workers only when asked or when the batch is large enough to pay for them", () => {
    const sized = (batch: number, columns: number) => ({ batch, n: columns }) as QPBatch;
    expect(workerCount(sized(1000, 100), false)).toBe(0);
    expect(workerCount(sized(1000, 100), 3)).toBe(3);
    expect(workerCount(sized(3, 100), 8)).toBe(2);
    expect(workerCount(sized(16, 100), undefined)).toBe(0);
    // measured: a batch of 128 at n = 100 is faster split in two than on one thread
    expect(workerCount(sized(128, 100), undefined)).toBe(Math.min(availableParallelism(), 4) - 1);
    expect(workerCount(sized(1024, 100), undefined)).toBe(Math.min(availableParallelism(), 32) - 1);
    expect(workerCount(sized(63, 100), undefined)).toBe(0);
    expect(workerCount(sized(1000, 10), undefined)).toBe(Math.min(availableParallelism(), 32) - 1);
    expect(workerCount(sized(1000, 9), undefined)).toBe(0);
    expect(() => workerCount(sized(10, 10), -1)).toThrow(RangeError);
  });

  it("gives results and gradients bitwise identical to a single-thread solve", () => {
    const single = layer.solve(params, { workers: false });
    const parallel = layer.solve(params, { workers: 1 });
    expect(parallel.status.every((s) => s === "solved")).toBe(true);
    expect(parallel).toEqual(single);
    const a = solutionOf(single)!;
    const b = solutionOf(parallel)!;
    for (const key of ["z", "lam", "nu", "s"] as const) expect(b[key]).toEqual(a[key]);
    expect(layer.vjp(parallel, upstream)).toEqual(layer.vjp(single, upstream));
  });

  it("matches a single-thread solve with per-member Q and G and a warm start, inputs left intact", () => {
    const members = 9;
    const Gs = Array.from({ length: members }, () => matrix(rand, n, n));
    const perMember = {
      Q: Array.from({ length: members }, () => spd(rand, n, 0.5)),
      q: Array.from({ length: members }, () => vector(rand, n)),
      G: Gs,
      h: Gs.map((Gb) => Gb.map((row) => row.reduce((s, v) => s + v * 0.1, 0) + 1)),
    };
    const copy = structuredClone(perMember);
    const first = layer.solve(perMember, { workers: false });
    const single = layer.solve(perMember, { workers: false, warmStart: first });
    const parallel = layer.solve(perMember, { workers: 2, warmStart: first });
    expect(parallel).toEqual(single);
    const dz = { z: Array.from({ length: members }, () => vector(rand, n)) };
    expect(layer.vjp(parallel, dz)).toEqual(layer.vjp(single, dz));
    // the slices moved to the workers are copies: the caller's values are untouched
    expect(perMember).toEqual(copy);
    expect(solutionOf(first)!.z).toEqual(solutionOf(layer.solve(perMember, { workers: false }))!.z);
  });

  it("gives the single-thread answer with the default choice of workers", () => {
    const single = layer.solve(params, { workers: false });
    const auto = layer.solve(params);
    expect(auto).toEqual(single);
  });

  it("recomputes the backward pass when the workers were closed in between", async () => {
    const single = layer.solve(params, { workers: false });
    const parallel = layer.solve(params, { workers: 1 });
    await closeWorkers();
    expect(layer.vjp(parallel, upstream)).toEqual(layer.vjp(single, upstream));
  });

  it("passes a worker's error on, and the worker answers the next request correctly", () => {
    // min 1/2 z'z + q'z for 4 members of size 2: z = −q. The last member's q is cut short, so
    // only the worker's slice is malformed.
    const problem = (q: number[]): QPBatch => ({
      batch: 4,
      n: 2,
      m: 0,
      p: 0,
      Q: { data: Float64Array.of(1, 0, 0, 1), shared: true },
      q: { data: Float64Array.from(q), shared: false },
      A: { data: new Float64Array(0), shared: true },
      b: { data: new Float64Array(0), shared: true },
      G: { data: new Float64Array(0), shared: true },
      h: { data: new Float64Array(0), shared: true },
    });
    expect(() => solveAcrossWorkers(problem([1, 2, 3, 4, 5, 6, 7]), {}, 1)).toThrow(
      /q has 3 entries/,
    );
    const solved = solveAcrossWorkers(problem([1, 2, 3, 4, 5, 6, 7, 8]), {}, 1);
    Array.from(solved.z).forEach((v, i) => expect(v).toBeCloseTo(-(i + 1), 8));
  });
});

describe("the public solveBatch", () => {
  it("solves a QPBatch across workers to the solver's single-thread answer and gradients", () => {
    const members = 12;
    const qs = Array.from({ length: members }, () => vector(rand, n)).flat();
    const problem: QPBatch = {
      batch: members,
      n,
      m: 0,
      p: n,
      Q: { data: Float64Array.from(params.Q.flat()), shared: true },
      q: { data: Float64Array.from(qs), shared: false },
      A: { data: new Float64Array(0), shared: true },
      b: { data: new Float64Array(0), shared: true },
      G: { data: Float64Array.from(G.flat()), shared: true },
      h: { data: Float64Array.from(params.h.slice(0, members).flat()), shared: false },
    };
    const single = solveBatchOnThread(problem);
    const parallel = solveBatch(problem, { workers: 2 });
    expect(Array.from(parallel.status)).toEqual(Array.from(single.status));
    expect(parallel.z).toEqual(single.z);
    expect(parallel.lam).toEqual(single.lam);
    const dz = Float64Array.from({ length: members * n }, (_, i) => Math.cos(i));
    expect(parallel.backward(dz)).toEqual(single.backward(dz));
  });
});

describe("memory across many solves in a synchronous loop", () => {
  it("differentiates every one of many outputs correctly while workers reuse kernel memory", () => {
    const single = layer.solve(params, { workers: false });
    const expected = layer.vjp(single, upstream);
    // more outputs than a worker keeps: the oldest are recomputed, the rest use kept solutions
    // whose neighbours' memory was handed on
    const outputs = Array.from({ length: 12 }, () => layer.solve(params, { workers: 1 }));
    for (const out of [outputs[0]!, outputs[5]!, outputs[11]!]) {
      expect(out).toEqual(single);
      expect(layer.vjp(out, upstream)).toEqual(expected);
    }
  });

  it("does not keep the calling thread's slices of dropped outputs until the event loop turns", () => {
    const tv = compile(exampleSource("tv-denoise.qp"), { file: "tv-denoise.qp" });
    const x = Array.from({ length: 64 }, (_, b) =>
      Array.from({ length: 100 }, (_, i) => (i < 50 ? 20 : 60) + 10 * Math.sin(7 * i + b)),
    );
    const external = () => process.memoryUsage().external;
    tv.solve({ x, lam: 21 }, { eps: 1e-6, workers: 1 });
    const before = external();
    // ~30 MB of kernel memory per solve on this thread: kept, 40 solves would hold over 1 GB
    for (let i = 0; i < 40; i++) tv.solve({ x, lam: 21 }, { eps: 1e-6, workers: 1 });
    expect(external() - before).toBeLessThan(600 * 2 ** 20);
  });
});
