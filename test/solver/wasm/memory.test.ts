import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import {
  createWasmKernels,
  createWasmKernelsSync,
  loadKernelModuleSync,
  type WasmMemory,
} from "../../../src/solver/wasm/index.js";
import { choleskyRef, randomSpd, relativeError } from "./reference.js";
import { mulberry32 } from "../../../bench/lib/random.js";

interface MemoryConstructor {
  new (descriptor: { initial: number; maximum?: number; shared?: boolean }): WasmMemory;
}
const WasmMemoryClass = (globalThis as unknown as { WebAssembly: { Memory: MemoryConstructor } })
  .WebAssembly.Memory;

function sharedMemory(initialPages: number): WasmMemory {
  return new WasmMemoryClass({ initial: initialPages, maximum: 4096, shared: true });
}

describe("wasm kernel buffers", () => {
  it("alloc hands out zero-filled, disjoint, 64-byte aligned views of the provider's memory", () => {
    const kernels = createWasmKernelsSync();
    const a = kernels.alloc(3);
    a.fill(7);
    const b = kernels.alloc(5);
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0]);
    expect(a.buffer).toBe(kernels.memory.buffer);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 3 * 8);
    expect(a.byteOffset % 64).toBe(0);
    expect(b.byteOffset % 64).toBe(0);
    expect(Array.from(a)).toEqual([7, 7, 7]);
  });

  it("reset frees the arena: the next alloc reuses the space, zero-filled again", () => {
    const kernels = createWasmKernelsSync();
    const first = kernels.alloc(10).fill(3);
    expect(kernels.bytesInUse).toBeGreaterThanOrEqual(80);
    kernels.reset();
    expect(kernels.bytesInUse).toBe(0);
    const again = kernels.alloc(10);
    expect(again.byteOffset).toBe(first.byteOffset);
    expect(Array.from(again)).toEqual(new Array(10).fill(0));
  });

  it("zero-fills allocations in a caller's memory that already holds data", () => {
    const memory = new WasmMemoryClass({ initial: 2 });
    new Float64Array(memory.buffer).fill(5);
    const kernels = createWasmKernelsSync({ memory });
    expect(Array.from(kernels.alloc(6))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("grows memory for a large alloc, and the new buffer works in kernels", () => {
    const kernels = createWasmKernelsSync({ memory: new WasmMemoryClass({ initial: 1 }) });
    const n = 200; // 320 KB: more than the one initial page
    const a = kernels.alloc(n * n);
    a.set(randomSpd(mulberry32(1), n));
    const expected = a.slice();
    expect(choleskyRef(expected, n)).toBe(true);
    expect(kernels.cholesky(a, 0, n)).toBe(true);
    const lower = (_: number, i: number) => i % n <= Math.floor(i / n);
    expect(relativeError(a.filter(lower), expected.filter(lower))).toBeLessThan(1e-12);
  });

  it("keeps earlier views of the default memory valid when a later alloc grows it", () => {
    const kernels = createWasmKernelsSync();
    const early = kernels.alloc(4);
    early.set([4, 0, 2, 5]);
    const pagesBefore = kernels.memory.buffer.byteLength;
    kernels.alloc(pagesBefore / 8 + 1);
    expect(kernels.memory.buffer.byteLength).toBeGreaterThan(pagesBefore);
    expect(kernels.cholesky(early, 0, 2)).toBe(true);
    expect(Array.from(early)).toEqual([2, 0, 1, 2]);
  });

  it("rejects a view of an ordinary memory detached by growth instead of reading it as empty", () => {
    const kernels = createWasmKernelsSync({ memory: new WasmMemoryClass({ initial: 1 }) });
    const early = kernels.alloc(4);
    kernels.alloc(100_000); // forces growth: `early` is now detached
    expect(() => kernels.cholesky(early, 0, 2)).toThrow(/detached/);
  });

  it("reserve grows up front so later allocs keep earlier views valid", () => {
    const kernels = createWasmKernelsSync({ memory: new WasmMemoryClass({ initial: 1 }) });
    kernels.reserve(4 + 100_000 + 64);
    const early = kernels.alloc(4);
    early.set([4, 0, 2, 5]);
    kernels.alloc(100_000);
    expect(kernels.cholesky(early, 0, 2)).toBe(true);
    expect(Array.from(early)).toEqual([2, 0, 1, 2]);
  });

  it("rejects an array that is not in the provider's memory", () => {
    const kernels = createWasmKernelsSync();
    expect(() => kernels.cholesky(new Float64Array(4), 0, 2)).toThrow(/not allocated/);
    const other = createWasmKernelsSync().alloc(4);
    expect(() => kernels.cholesky(other, 0, 2)).toThrow(/not allocated/);
  });

  it("rejects an operand that does not fit its array at the given offset", () => {
    const kernels = createWasmKernelsSync();
    const a = kernels.alloc(9);
    expect(() => kernels.cholesky(a, 1, 3)).toThrow(RangeError);
    const x = kernels.alloc(2);
    expect(() => kernels.solveLower(a, 0, 3, x, 0)).toThrow(RangeError);
    expect(() =>
      kernels.gemv(a, 0, 3, 3, false, 1, kernels.alloc(3), 0, 0, kernels.alloc(3), 1),
    ).toThrow(RangeError);
  });

  it("createWasmKernels (async) gives a provider with the same results", async () => {
    const asyncKernels = await createWasmKernels();
    const syncKernels = createWasmKernelsSync();
    const spd = randomSpd(mulberry32(5), 9);
    const a = asyncKernels.alloc(81);
    const b = syncKernels.alloc(81);
    a.set(spd);
    b.set(spd);
    expect(asyncKernels.cholesky(a, 0, 9)).toBe(true);
    expect(syncKernels.cholesky(b, 0, 9)).toBe(true);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe("wasm kernels on shared memory", () => {
  it("runs on a shared memory, whose views stay valid when it grows", () => {
    const kernels = createWasmKernelsSync({ memory: sharedMemory(1) });
    const a = kernels.alloc(4);
    a.set([9, 0, 3, 5]);
    kernels.alloc(100_000);
    expect(kernels.memory.buffer.byteLength).toBeGreaterThan(65536);
    expect(kernels.cholesky(a, 0, 2)).toBe(true);
    expect(Array.from(a)).toEqual([3, 0, 1, 2]);
  });

  it("gives providers on one memory the disjoint regions their heapStart says", () => {
    const memory = sharedMemory(4);
    const first = createWasmKernelsSync({ memory });
    const second = createWasmKernelsSync({ memory, heapStart: 65536 });
    const a = first.alloc(100);
    const b = second.alloc(100);
    expect(a.byteOffset + a.byteLength).toBeLessThanOrEqual(b.byteOffset);
    expect(b.byteOffset).toBe(65536);
  });

  it("lets a worker thread factor a matrix that the main thread placed in shared memory", async () => {
    const memory = sharedMemory(2);
    const kernels = createWasmKernelsSync({ memory });
    const n = 33;
    const a = kernels.alloc(n * n);
    a.set(randomSpd(mulberry32(9), n));
    const expected = a.slice();
    expect(choleskyRef(expected, n)).toBe(true);
    // The worker instantiates the same compiled module on the same memory and runs the raw export.
    const workerSource = `
      const { parentPort, workerData } = require("node:worker_threads");
      const { module, memory, address, n } = workerData;
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      parentPort.postMessage(instance.exports.cholesky(address, n));
    `;
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { module: loadKernelModuleSync("shared"), memory, address: a.byteOffset, n },
    });
    const status = await new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    await worker.terminate();
    expect(status).toBe(1);
    const lower = (_: number, i: number) => i % n <= Math.floor(i / n);
    expect(relativeError(a.filter(lower), expected.filter(lower))).toBeLessThan(1e-12);
  });
});
