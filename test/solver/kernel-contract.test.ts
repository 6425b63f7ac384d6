import { describe, expect, it } from "vitest";
import { solveBatch, typescriptKernels, type DenseKernels } from "../../src/solver/index.js";
import { randomProblem, stackBatch } from "./helpers/problems.js";

/**
 * A provider that runs the TypeScript kernels but records every buffer its `alloc` handed out
 * and every kernel call, and rejects a call on any other buffer: the contract a WebAssembly
 * provider relies on (its kernels can only reach their own linear memory).
 */
function strictKernels() {
  const owned = new Set<ArrayBufferLike>();
  const calls: string[] = [];
  let allocations = 0;
  const check = (name: string, ...arrays: Float64Array[]) => {
    calls.push(name);
    for (const array of arrays) {
      if (!owned.has(array.buffer)) throw new Error(`${name} got a buffer not from alloc`);
    }
  };
  const base = typescriptKernels;
  const kernels: DenseKernels = {
    name: "strict",
    alloc(length) {
      allocations++;
      const buffer = base.alloc(length);
      owned.add(buffer.buffer);
      return buffer;
    },
    syrkWeighted(G, gOff, p, n, w, wOff, out, outOff) {
      check("syrkWeighted", G, w, out);
      base.syrkWeighted(G, gOff, p, n, w, wOff, out, outOff);
    },
    syrk(X, xOff, k, n, out, outOff) {
      check("syrk", X, out);
      base.syrk(X, xOff, k, n, out, outOff);
    },
    syrkPlus(X, xOff, k, n, C, cOff, out, outOff) {
      check("syrkPlus", X, C, out);
      base.syrkPlus!(X, xOff, k, n, C, cOff, out, outOff);
    },
    scaleColumns(M, mOff, rows, cols, d, dOff, out, outOff) {
      check("scaleColumns", M, d, out);
      base.scaleColumns!(M, mOff, rows, cols, d, dOff, out, outOff);
    },
    gemvPair(M, mOff, rows, cols, x, xOff, y, yOff, d, dOff, c, cOff, v, vOff, beta, out, outOff) {
      check("gemvPair", M, x, y, ...(d ? [d] : []), c, v, out);
      base.gemvPair!(
        M,
        mOff,
        rows,
        cols,
        x,
        xOff,
        y,
        yOff,
        d,
        dOff,
        c,
        cOff,
        v,
        vOff,
        beta,
        out,
        outOff,
      );
    },
    cholesky(a, off, n) {
      check("cholesky", a);
      return base.cholesky(a, off, n);
    },
    choleskyGathered(C, cOff, stride, index, indexOff, diagonal, dOff, a, off, n) {
      check("choleskyGathered", C, diagonal, a, ...(index === null ? [] : [index]));
      return base.choleskyGathered(C, cOff, stride, index, indexOff, diagonal, dOff, a, off, n);
    },
    solveLower(L, lOff, n, x, xOff) {
      check("solveLower", L, x);
      base.solveLower(L, lOff, n, x, xOff);
    },
    solveLowerTransposed(L, lOff, n, x, xOff) {
      check("solveLowerTransposed", L, x);
      base.solveLowerTransposed(L, lOff, n, x, xOff);
    },
    solveLowerRows(L, lOff, n, B, bOff, k) {
      check("solveLowerRows", L, B);
      base.solveLowerRows(L, lOff, n, B, bOff, k);
    },
    gemv(M, mOff, rows, cols, transposed, alpha, x, xOff, beta, y, yOff) {
      check("gemv", M, x, y);
      base.gemv(M, mOff, rows, cols, transposed, alpha, x, xOff, beta, y, yOff);
    },
  };
  return { kernels, calls, allocations: () => allocations };
}

/** The strict provider without the optional fused kernels: the solver falls back to the others. */
function minimalKernels() {
  const strict = strictKernels();
  const { syrkPlus, scaleColumns, gemvPair, ...required } = strict.kernels;
  void syrkPlus;
  void scaleColumns;
  void gemvPair;
  return { ...strict, kernels: required as DenseKernels };
}

describe("the DenseKernels contract", () => {
  it("runs every kernel on buffers from the provider's alloc, allocated in one piece per solve", () => {
    const problems = [1, 2, 3].map((seed) => randomProblem(6, 2, 9, seed));
    const batch = stackBatch(problems);
    // a shared operand too: it is copied into kernel memory once
    const problem = { ...batch, Q: { data: problems[0].Q, shared: true } };
    const strict = strictKernels();
    const r = solveBatch(problem, {}, strict.kernels);
    expect(r.status).toEqual(["solved", "solved", "solved"]);
    r.backward(new Float64Array(18).fill(1));
    expect(strict.allocations()).toBe(1);
    for (const kernel of [
      "syrk",
      "syrkPlus",
      "scaleColumns",
      "gemvPair",
      "cholesky",
      "solveLower",
      "solveLowerTransposed",
      "gemv",
    ]) {
      expect(strict.calls).toContain(kernel);
    }
    // the same answer as with the plain provider
    const plain = solveBatch(problem, { kernels: "typescript" });
    expect(Array.from(r.z)).toEqual(Array.from(plain.z));
  });

  it("solves with a provider that lacks the optional fused kernels, to rounding", () => {
    const problems = [1, 2, 3].map((seed) => randomProblem(6, 2, 9, seed));
    const minimal = minimalKernels();
    const r = solveBatch(stackBatch(problems), {}, minimal.kernels);
    const plain = solveBatch(stackBatch(problems), { kernels: "typescript" });
    expect(r.status).toEqual(["solved", "solved", "solved"]);
    for (const name of ["syrkPlus", "scaleColumns", "gemvPair"]) {
      expect(minimal.calls).not.toContain(name);
    }
    for (let i = 0; i < r.z.length; i++) expect(Math.abs(r.z[i] - plain.z[i])).toBeLessThan(1e-9);
  });
});
