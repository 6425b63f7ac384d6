import { describe, expect, it } from "vitest";
import { typescriptKernels as ts } from "../../../src/solver/kernels/typescript.js";
import { createWasmKernelsSync } from "../../../src/solver/wasm/index.js";
import { randomArray, randomLower, randomSpd, relativeError } from "./reference.js";
import { mulberry32 } from "../../../bench/lib/random.js";

const wasm = createWasmKernelsSync();
const TOLERANCE = 1e-12;

/** The same data in a buffer of each provider, at offset `lead`. */
function pair(values: Float64Array, lead: number) {
  const a = ts.alloc(lead + values.length);
  const b = wasm.alloc(lead + values.length);
  a.set(values, lead);
  b.set(values, lead);
  return { ts: a, wasm: b };
}

function expectSame(tsResult: Float64Array, wasmResult: Float64Array): void {
  expect(relativeError(wasmResult, tsResult)).toBeLessThan(TOLERANCE);
}

describe("wasm kernels agree with the TypeScript kernels", () => {
  const sizes = [1, 2, 3, 7, 33, 100];

  it.each(sizes)("syrkWeighted and syrk (n=%i)", (n) => {
    const random = mulberry32(n + 500);
    const p = n + 3;
    const G = pair(randomArray(random, p * n), 3);
    const w = pair(randomArray(random, p).map(Math.abs), 1);
    const out = pair(randomArray(random, n * n), 2);
    ts.syrkWeighted(G.ts, 3, p, n, w.ts, 1, out.ts, 2);
    wasm.syrkWeighted(G.wasm, 3, p, n, w.wasm, 1, out.wasm, 2);
    expectSame(out.ts, out.wasm);
    const k = n + 1;
    const gram = pair(randomArray(random, k * k), 5);
    ts.syrk(G.ts, 3, k, n, gram.ts, 5);
    wasm.syrk(G.wasm, 3, k, n, gram.wasm, 5);
    expectSame(gram.ts, gram.wasm);
  });

  it.each(sizes)("cholesky and the three triangular solves (n=%i)", (n) => {
    const random = mulberry32(n + 900);
    const a = pair(randomSpd(random, n), 3);
    expect(ts.cholesky(a.ts, 3, n)).toBe(true);
    expect(wasm.cholesky(a.wasm, 3, n)).toBe(true);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) a.ts[3 + i * n + j] = a.wasm[3 + i * n + j] = 0;
    }
    expectSame(a.ts, a.wasm);
    const L = pair(randomLower(random, n), 1);
    const x = pair(randomArray(random, n), 2);
    ts.solveLower(L.ts, 1, n, x.ts, 2);
    wasm.solveLower(L.wasm, 1, n, x.wasm, 2);
    expectSame(x.ts, x.wasm);
    ts.solveLowerTransposed(L.ts, 1, n, x.ts, 2);
    wasm.solveLowerTransposed(L.wasm, 1, n, x.wasm, 2);
    expectSame(x.ts, x.wasm);
    const B = pair(randomArray(random, 5 * n), 4);
    ts.solveLowerRows(L.ts, 1, n, B.ts, 4, 5);
    wasm.solveLowerRows(L.wasm, 1, n, B.wasm, 4, 5);
    expectSame(B.ts, B.wasm);
  });

  it.each(sizes.flatMap((rows) => [false, true].map((transposed) => [rows, transposed] as const)))(
    "gemv (rows=%i, transposed=%s)",
    (rows, transposed) => {
      const random = mulberry32(rows + (transposed ? 1 : 0));
      const cols = rows + 2;
      const M = pair(randomArray(random, rows * cols), 1);
      const x = pair(randomArray(random, transposed ? rows : cols), 2);
      const y = pair(randomArray(random, transposed ? cols : rows), 3);
      ts.gemv(M.ts, 1, rows, cols, transposed, 1.5, x.ts, 2, -0.5, y.ts, 3);
      wasm.gemv(M.wasm, 1, rows, cols, transposed, 1.5, x.wasm, 2, -0.5, y.wasm, 3);
      expectSame(y.ts, y.wasm);
    },
  );

  it("cholesky fails on the same indefinite matrix", () => {
    const a = pair(new Float64Array([1, 0, 0, 2, 1, 0, 0, 0, 1]), 0);
    expect(ts.cholesky(a.ts, 0, 3)).toBe(false);
    expect(wasm.cholesky(a.wasm, 0, 3)).toBe(false);
  });
});
