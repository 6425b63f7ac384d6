import { afterAll, describe, expect, it } from "vitest";
import { closeWorkers } from "../../src/runtime/index.js";
import { copySliceInto, sliceBatch, sliceLength } from "../../src/runtime/batch-slices.js";
import { estimateWorkspace } from "../../src/runtime/memory.js";
import { solveProblem } from "../../src/runtime/solve.js";
import { KeptSolutions } from "../../src/runtime/workers/kept-solutions.js";
import { solveAcrossWorkers } from "../../src/runtime/workers/parallel.js";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { matrix, seededRandom, spd, vector } from "./helpers/random.js";

afterAll(async () => {
  await closeWorkers();
});

const rand = seededRandom(7);

/** The paper's random QPs, every operand per member: Q spd, h = G z0 + 1 so z0 is feasible. */
function randomBatch(batch: number, n: number): QPBatch {
  const members = Array.from({ length: batch }, () => {
    const G = matrix(rand, n, n);
    const z0 = vector(rand, n);
    return {
      Q: spd(rand, n, 0.5).flat(),
      q: vector(rand, n),
      G: G.flat(),
      h: G.map((row) => row.reduce((s, v, j) => s + v * z0[j], 0) + 1),
    };
  });
  const stacked = (key: "Q" | "q" | "G" | "h") => ({
    data: Float64Array.from(members.flatMap((m) => m[key])),
    shared: false,
  });
  const empty = { data: new Float64Array(0), shared: true };
  return {
    batch,
    n,
    m: 0,
    p: n,
    Q: stacked("Q"),
    q: stacked("q"),
    A: empty,
    b: empty,
    ...{ G: stacked("G"), h: stacked("h") },
  };
}

function upstream(batch: number, n: number): Float64Array {
  return Float64Array.from({ length: batch * n }, () => rand() - 0.5);
}

// n ≥ WASM_MIN_VARIABLES, so that solves run on (reused) WebAssembly memory
const n = 20;

describe("a thread's kept solutions and the reuse of their kernel memory", () => {
  it("differentiates a solution solved on reused memory exactly like a fresh solve", () => {
    const keeper = new KeptSolutions();
    const problems = [randomBatch(5, n), randomBatch(5, n), randomBatch(5, n)];
    // each solve after the first reuses the memory of the one differentiated before it
    for (const [i, problem] of problems.entries()) {
      const dz = upstream(5, n);
      const kept = keeper.solve(i, problem, {});
      const fresh = solveBatch(problem);
      expect(kept.z).toEqual(fresh.z);
      expect(keeper.backward(i, dz)).toEqual(fresh.backward(dz));
    }
  });

  it("never reuses the memory of a kept solution that was not differentiated", () => {
    const keeper = new KeptSolutions();
    const first = randomBatch(4, n);
    const dz = upstream(4, n);
    keeper.solve(1, first, {});
    // other solves, each differentiated (their memory is handed on), fewer than the cap
    for (let id = 2; id <= 6; id++) {
      keeper.solve(id, randomBatch(4, n), {});
      keeper.backward(id, upstream(4, n));
    }
    expect(keeper.backward(1, dz)).toEqual(solveBatch(first).backward(dz));
  });

  it("forgets a differentiated solution at the next solve and answers undefined for it", () => {
    const keeper = new KeptSolutions();
    const problem = randomBatch(3, n);
    keeper.solve(1, problem, {});
    const dz = upstream(3, n);
    expect(keeper.backward(1, dz)).toBeDefined();
    // a second backward pass before any other solve still runs on the kept solution
    expect(keeper.backward(1, dz)).toEqual(solveBatch(problem).backward(dz));
    keeper.solve(2, problem, {});
    expect(keeper.get(1)).toBeUndefined();
    expect(keeper.backward(1, dz)).toBeUndefined();
    expect(keeper.get(2)).toBeDefined();
  });

  it("keeps at most eight solutions that are never differentiated", () => {
    const keeper = new KeptSolutions();
    const problem = randomBatch(2, n);
    for (let id = 1; id <= 20; id++) keeper.solve(id, problem, {});
    expect(keeper.size).toBe(8);
    expect(keeper.get(12)).toBeUndefined();
    expect(keeper.get(13)).toBeDefined();
  });

  it("keeps every solution from keepFrom on, beyond the cap (the chunks of one batch)", () => {
    const keeper = new KeptSolutions();
    const problem = randomBatch(2, n);
    keeper.solve(1, problem, {});
    keeper.backward(1, upstream(2, n));
    for (let id = 2; id <= 12; id++) keeper.solve(id, problem, {}, 2);
    expect(keeper.size).toBe(11);
    expect(keeper.get(1)).toBeUndefined();
    expect(keeper.get(2)).toBeDefined();
  });

  it("forgets nothing and keeps no memory for a solve that fails", () => {
    const keeper = new KeptSolutions();
    const good = randomBatch(2, n);
    keeper.solve(1, good, {});
    const bad = { ...good, q: { data: new Float64Array(3), shared: false } };
    expect(() => keeper.solve(2, bad, {})).toThrow(/q has 3 entries/);
    expect(keeper.size).toBe(1);
    expect(keeper.get(2)).toBeUndefined();
  });
});

describe("slices handed to workers through shared staging memory", () => {
  it("copies a slice's per-member operands into the area and leaves shared ones shared", () => {
    const problem = randomBatch(6, 3);
    const area = new Float64Array(new SharedArrayBuffer(8 * sliceLength(problem, 2)));
    expect(sliceLength(problem, 2)).toBe(2 * (9 + 3 + 9 + 3));
    const staged = copySliceInto(problem, 3, 2, area);
    const copied = sliceBatch(problem, 3, 2);
    for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
      expect(Array.from(staged[key].data)).toEqual(Array.from(copied[key].data));
      expect(staged[key].shared).toBe(problem[key].shared);
    }
    expect(staged.Q.data.buffer).toBe(area.buffer);
    expect(staged.A).toBe(problem.A);
  });

  it("keeps a malformed operand short, so the solver's check still reports it", () => {
    const problem = randomBatch(2, 3);
    const short = { ...problem, h: { data: new Float64Array(4), shared: false } };
    const area = new Float64Array(sliceLength(short, 1));
    expect(copySliceInto(short, 1, 1, area).h.data.length).toBe(1);
  });

  it("solves batches of changing sizes in a row to the single-thread answers", () => {
    // the staging memory of the first (largest) batch is reused by the smaller ones
    for (const batch of [9, 4, 7]) {
      const problem = randomBatch(batch, n);
      const before = problem.Q.data.slice();
      const dz = upstream(batch, n);
      const single = solveBatch(problem);
      const parallel = solveAcrossWorkers(problem, {}, 2);
      expect(parallel.z).toEqual(single.z);
      expect(parallel.lam).toEqual(single.lam);
      expect(parallel.backward(dz)).toEqual(single.backward(dz));
      expect(problem.Q.data).toEqual(before);
    }
  });
});

describe("a batch solved on the calling thread alone", () => {
  it("reuses kernel memory and still gives the solver's solution and gradients", () => {
    const problem = randomBatch(5, n);
    const dz = upstream(5, n);
    const single = solveBatch(problem);
    const expected = single.backward(dz);
    const first = solveProblem(problem, {}, false);
    expect(first.z).toEqual(single.z);
    expect(first.eliminatedColumns).toEqual(single.eliminatedColumns);
    expect(first.backward(dz)).toEqual(expected);
    // later solves take first's memory: its next backward pass solves again
    for (let i = 0; i < 2; i++) solveProblem(randomBatch(5, n), {}, false).backward(dz);
    expect(first.backward(dz)).toEqual(expected);
  });
});

describe("a malformed batch", () => {
  it.each([false, 1] as const)(
    "is refused with the solver's message, with workers %s",
    (workers) => {
      const problem = randomBatch(4, n);
      const long = { ...problem, G: { data: new Float64Array(5 * n * n), shared: false } };
      expect(() => solveProblem(long, {}, workers)).toThrow(/G has 2000 entries, expected 1600/);
    },
  );
});

describe("a batch solved in chunks across workers", () => {
  it("gives the single-thread solution and gradients with near-equal chunks", () => {
    const problem = randomBatch(10, n);
    const { perMember, shared } = estimateWorkspace(problem);
    // chunks of at most 4 members: 3 chunks of 4, 3 and 3, each split across two threads
    const limits = { chunkBytes: shared + 4 * perMember, memberBytes: 1e12, totalBytes: 1e12 };
    const dz = upstream(10, n);
    const single = solveBatch(problem);
    const chunked = solveProblem(problem, {}, 1, limits);
    expect(chunked.z).toEqual(single.z);
    expect(chunked.status).toEqual(single.status);
    expect(chunked.backward(dz)).toEqual(single.backward(dz));
    expect(chunked.backward(dz, { q: true, Q: false, G: false, h: false })).toEqual(
      single.backward(dz, { q: true, Q: false, G: false, h: false }),
    );
  });
});

describe("the backward pass across workers", () => {
  it("writes every thread's gradients into one output, for all or some operands", () => {
    const problem = randomBatch(7, n);
    const dz = upstream(7, n);
    const single = solveBatch(problem);
    const parallel = solveAcrossWorkers(problem, {}, 2);
    expect(parallel.backward(dz, { q: true, h: true, Q: false, G: false })).toEqual(
      single.backward(dz, { q: true, h: true, Q: false, G: false }),
    );
    const all = parallel.backward(dz);
    expect(Object.keys(all).sort()).toEqual(["A", "G", "Q", "b", "h", "q"]);
    expect(all).toEqual(single.backward(dz));
  });

  it("recomputes the slices forgotten since, when an output is differentiated again later", () => {
    const problem = randomBatch(6, n);
    const dz = upstream(6, n);
    const expected = solveBatch(problem).backward(dz);
    const output = solveAcrossWorkers(problem, {}, 1);
    expect(output.backward(dz)).toEqual(expected);
    // the next solves take the memory of output's differentiated slices, here and in the worker
    for (let i = 0; i < 3; i++) {
      const other = solveAcrossWorkers(randomBatch(6, n), {}, 1);
      other.backward(upstream(6, n));
    }
    expect(output.backward(dz)).toEqual(expected);
  });

  it("refuses to recompute a forgotten slice from data changed since the solve", () => {
    const problem = randomBatch(6, n);
    const dz = upstream(6, n);
    const output = solveAcrossWorkers(problem, {}, 1);
    output.backward(dz);
    solveAcrossWorkers(randomBatch(6, n), {}, 1).backward(dz);
    problem.q.data[0] += 1;
    expect(() => output.backward(dz)).toThrow(/data has changed since the solve/);
  });

  it("differentiates each of many solves in a loop like a single-thread solve", () => {
    const problems = [randomBatch(8, n), randomBatch(8, n)];
    const dz = upstream(8, n);
    const expected = problems.map((p) => solveBatch(p).backward(dz));
    for (let i = 0; i < 12; i++) {
      const output = solveAcrossWorkers(problems[i % 2], {}, 1);
      expect(output.backward(dz)).toEqual(expected[i % 2]);
    }
  });
});
