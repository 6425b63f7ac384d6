import type { DenseKernels } from "../kernels/types.js";
import {
  kernelVariant,
  loadKernelModule,
  loadKernelModuleSync,
  type KernelVariant,
} from "./load-module.js";
import {
  isSharedMemory,
  WASM_MAX_PAGES,
  WASM_PAGE_BYTES,
  webAssemblyApi,
  type WasmInstance,
  type WasmMemory,
  type WasmModule,
} from "./webassembly.js";

export interface WasmKernelOptions {
  /**
   * The linear memory to work in, imported by the module. Default: a new 16 MiB memory, shared
   * where the runtime allows (see `defaultMemory`). A `WebAssembly.Memory({ shared: true,
   * maximum })` selects the build for shared memory, so worker threads can run kernels on the
   * same buffers; an ordinary memory selects the plain build.
   */
  memory?: WasmMemory;
  /** An already compiled kernel module of the matching variant (e.g. posted to a worker). */
  module?: WasmModule;
  /**
   * First byte this provider's allocator hands out (default: just above the module's static
   * data). Providers sharing one memory need disjoint regions: give each its own start.
   */
  heapStart?: number;
  /**
   * Only without `memory`: the default memory's size in bytes (rounded up to pages; default
   * 16 MiB) and whether it is shared (default: where the runtime allows). A solve that knows its
   * workspace size asks for an ordinary memory of that size: it never grows, so no view detaches.
   */
  initialBytes?: number;
  shared?: boolean;
}

/**
 * `DenseKernels` in WebAssembly SIMD, plus the arena that owns its buffers.
 *
 * Memory grows inside `alloc` and `reserve` only, in doubling steps. On the default (shared)
 * memory earlier views stay valid. Growing an ordinary memory, though, detaches every
 * Float64Array taken before: such views read as empty and kernels reject them; with one, allocate
 * a solve's whole workspace together (or `reserve` its size first).
 *
 * Lifetime: a solution's backward pass reads the workspace of its solve, so `reset()` only once no
 * earlier solution will be differentiated any more; or make a provider per solve
 * (`createWasmKernelsSync()` costs tens of microseconds once the module is compiled).
 */
export interface WasmDenseKernels extends DenseKernels {
  readonly memory: WasmMemory;
  readonly module: WasmModule;
  /** Bytes handed out by `alloc` since the last `reset`, alignment padding included. */
  readonly bytesInUse: number;
  /** Makes room for `length` more float64 so that allocations up to that size do not grow memory. */
  reserve(length: number): void;
  /** Frees every buffer `alloc` handed out: their views (and what reads them) must not be used. */
  reset(): void;
  /** The small-member iteration's functions (src/solver/kkt/small-wasm.ts), on byte addresses. */
  readonly smallMember: SmallMemberExports;
}

/**
 * asm/kernels.ts's small-member functions. `block` is the byte address of a block of f64 naming
 * the member's arrays by byte address (SMALL_BLOCK in src/solver/kkt/small-wasm.ts).
 */
export interface SmallMemberExports {
  smallResiduals(block: number): void;
  smallFactor(block: number, split: number): number;
  smallDirection(block: number, target: number, corrected: number): void;
}

interface KernelExports extends SmallMemberExports {
  heapBase(): number;
  fusedMultiplyAdd(): number;
  syrkWeighted(g: number, p: number, n: number, w: number, out: number): void;
  syrk(x: number, k: number, n: number, out: number): void;
  syrkPlus(x: number, k: number, n: number, c: number, out: number): void;
  scaleColumns(m: number, rows: number, cols: number, d: number, out: number): void;
  gemvPair(
    m: number,
    rows: number,
    cols: number,
    x: number,
    y: number,
    scaled: number,
    d: number,
    c: number,
    v: number,
    beta: number,
    out: number,
  ): void;
  cholesky(a: number, n: number): number;
  choleskyGathered(
    c: number,
    stride: number,
    index: number,
    diagonal: number,
    a: number,
    n: number,
  ): number;
  solveLower(l: number, n: number, x: number): void;
  solveLowerTransposed(l: number, n: number, x: number): void;
  solveLowerRows(l: number, n: number, b: number, k: number): void;
  gemv(
    m: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    beta: number,
    y: number,
  ): void;
  gemvTransposed(
    m: number,
    rows: number,
    cols: number,
    alpha: number,
    x: number,
    beta: number,
    y: number,
  ): void;
}

/** Alignment of every buffer `alloc` hands out: a cache line, which also aligns f64x2 loads. */
const ALLOC_ALIGN = 64;
/** Size of the default memory: enough for a 128 × 100×100 batch workspace without growing. */
const DEFAULT_INITIAL_PAGES = 256;

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

class WasmKernels implements WasmDenseKernels {
  /** "wasm-relaxed-simd" for a relaxed-SIMD build (fused multiply-adds), else "wasm-simd". */
  readonly name: string;
  private readonly exports: KernelExports;
  readonly smallMember: SmallMemberExports;
  private readonly heapStart: number;
  private top: number;
  /**
   * Bytes from here on have never been handed out and are still zero (only in a memory created
   * here: a caller's memory may hold anything), so `alloc` need not touch those pages to zero them.
   */
  private zeroFrom: number;
  /** Every buffer object this memory has shown: a shared memory's old views stay valid. */
  private readonly knownBuffers = new WeakSet<ArrayBufferLike>();
  /** The memory's buffer as last seen: arrays on it need no further ownership check. */
  private currentBuffer: ArrayBufferLike;

  constructor(
    readonly memory: WasmMemory,
    readonly module: WasmModule,
    instance: WasmInstance,
    heapStart: number | undefined,
    memoryIsFresh: boolean,
  ) {
    this.exports = instance.exports as unknown as KernelExports;
    this.name = this.exports.fusedMultiplyAdd() === 1 ? "wasm-relaxed-simd" : "wasm-simd";
    this.smallMember = this.exports;
    this.heapStart = alignUp(heapStart ?? this.exports.heapBase(), ALLOC_ALIGN);
    this.top = this.heapStart;
    this.zeroFrom = memoryIsFresh ? this.heapStart : Infinity;
    this.currentBuffer = memory.buffer;
    this.knownBuffers.add(memory.buffer);
  }

  get bytesInUse(): number {
    return this.top - this.heapStart;
  }

  alloc(length: number, zeroed = length): Float64Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`bad length ${length}`);
    if (!Number.isInteger(zeroed) || zeroed < 0) throw new RangeError(`bad zeroed ${zeroed}`);
    const start = this.top;
    const end = start + alignUp(length * 8, ALLOC_ALIGN);
    this.ensureCapacity(end);
    this.top = end;
    const view = new Float64Array(this.memory.buffer, start, length);
    const reused = (this.zeroFrom - start) / 8;
    if (reused > 0) view.fill(0, 0, Math.max(0, Math.min(length, zeroed, reused)));
    this.zeroFrom = Math.max(this.zeroFrom, end);
    return view;
  }

  reserve(length: number): void {
    this.ensureCapacity(this.top + alignUp(length * 8, ALLOC_ALIGN));
  }

  reset(): void {
    this.top = this.heapStart;
  }

  private ensureCapacity(endByte: number): void {
    const currentBytes = this.memory.buffer.byteLength;
    if (endByte <= currentBytes) return;
    const currentPages = currentBytes / WASM_PAGE_BYTES;
    const neededPages = Math.ceil((endByte - currentBytes) / WASM_PAGE_BYTES);
    if (currentPages + neededPages > WASM_MAX_PAGES) {
      throw new RangeError(`kernel workspace of ${endByte} bytes exceeds WebAssembly's 4 GiB`);
    }
    // Doubling keeps the number of grows (each detaching old views) logarithmic.
    const doubled = Math.min(Math.max(neededPages, currentPages), WASM_MAX_PAGES - currentPages);
    try {
      this.memory.grow(doubled);
    } catch {
      this.memory.grow(neededPages);
    }
    this.currentBuffer = this.memory.buffer;
    this.knownBuffers.add(this.currentBuffer);
  }

  /** Byte address of element `offset` of `array`, after checking `length` elements fit there. */
  private address(array: Float64Array, offset: number, length: number, role: string): number {
    if (array.buffer !== this.currentBuffer) this.checkOwnership(array, role);
    if (!Number.isInteger(offset) || offset < 0 || offset + length > array.length) {
      if (array.buffer.byteLength === 0) throw this.detachedError(role);
      throw new RangeError(
        `${this.name}: ${role} needs ${length} elements at offset ${offset}, has ${array.length}`,
      );
    }
    return array.byteOffset + 8 * offset;
  }

  /** The slow path of `address`: the array is on an older buffer of this memory, or foreign. */
  private checkOwnership(array: Float64Array, role: string): void {
    this.currentBuffer = this.memory.buffer;
    this.knownBuffers.add(this.currentBuffer);
    if (!this.knownBuffers.has(array.buffer)) {
      throw new Error(`${this.name}: ${role} was not allocated by this provider's alloc`);
    }
    if (array.buffer.byteLength === 0) throw this.detachedError(role);
  }

  private detachedError(role: string): Error {
    return new Error(
      `${this.name}: ${role} was detached when memory grew; allocate (or reserve) before taking views`,
    );
  }

  syrkWeighted(
    G: Float64Array,
    gOff: number,
    p: number,
    n: number,
    w: Float64Array,
    wOff: number,
    out: Float64Array,
    outOff: number,
  ): void {
    this.exports.syrkWeighted(
      this.address(G, gOff, p * n, "G"),
      p,
      n,
      this.address(w, wOff, p, "w"),
      this.address(out, outOff, n * n, "out"),
    );
  }

  syrk(
    X: Float64Array,
    xOff: number,
    k: number,
    n: number,
    out: Float64Array,
    outOff: number,
  ): void {
    this.exports.syrk(
      this.address(X, xOff, k * n, "X"),
      k,
      n,
      this.address(out, outOff, k * k, "out"),
    );
  }

  syrkPlus(
    X: Float64Array,
    xOff: number,
    k: number,
    n: number,
    C: Float64Array,
    cOff: number,
    out: Float64Array,
    outOff: number,
  ): void {
    this.exports.syrkPlus(
      this.address(X, xOff, k * n, "X"),
      k,
      n,
      this.address(C, cOff, k * k, "C"),
      this.address(out, outOff, k * k, "out"),
    );
  }

  scaleColumns(
    M: Float64Array,
    mOff: number,
    rows: number,
    cols: number,
    d: Float64Array,
    dOff: number,
    out: Float64Array,
    outOff: number,
  ): void {
    this.exports.scaleColumns(
      this.address(M, mOff, rows * cols, "M"),
      rows,
      cols,
      this.address(d, dOff, cols, "d"),
      this.address(out, outOff, rows * cols, "out"),
    );
  }

  gemvPair(
    M: Float64Array,
    mOff: number,
    rows: number,
    cols: number,
    x: Float64Array,
    xOff: number,
    y: Float64Array,
    yOff: number,
    d: Float64Array | null,
    dOff: number,
    c: Float64Array,
    cOff: number,
    v: Float64Array,
    vOff: number,
    beta: number,
    out: Float64Array,
    outOff: number,
  ): void {
    this.exports.gemvPair(
      this.address(M, mOff, rows * cols, "M"),
      rows,
      cols,
      this.address(x, xOff, cols, "x"),
      this.address(y, yOff, rows, "y"),
      d === null ? 0 : 1,
      d === null ? 0 : this.address(d, dOff, rows, "d"),
      this.address(c, cOff, rows, "c"),
      this.address(v, vOff, rows, "v"),
      beta,
      this.address(out, outOff, cols, "out"),
    );
  }

  cholesky(a: Float64Array, off: number, n: number): boolean {
    return this.exports.cholesky(this.address(a, off, n * n, "a"), n) === 1;
  }

  choleskyGathered(
    C: Float64Array,
    cOff: number,
    stride: number,
    index: Float64Array | null,
    indexOff: number,
    diagonal: Float64Array,
    dOff: number,
    a: Float64Array,
    off: number,
    n: number,
  ): boolean {
    if (index !== null) {
      // the kernel reads C at these rows and columns: each must be one of C's
      for (let i = indexOff; i < indexOff + n; i++) {
        const row = index[i];
        if (!(Number.isInteger(row) && row >= 0 && row < stride)) {
          throw new RangeError(`${this.name}: index[${i - indexOff}] = ${row} is no row of C`);
        }
      }
    }
    return (
      this.exports.choleskyGathered(
        this.address(C, cOff, stride * stride, "C"),
        stride,
        index === null ? 0 : this.address(index, indexOff, n, "index"),
        this.address(diagonal, dOff, n, "diagonal"),
        this.address(a, off, n * n, "a"),
        n,
      ) === 1
    );
  }

  solveLower(L: Float64Array, lOff: number, n: number, x: Float64Array, xOff: number): void {
    this.exports.solveLower(this.address(L, lOff, n * n, "L"), n, this.address(x, xOff, n, "x"));
  }

  solveLowerTransposed(
    L: Float64Array,
    lOff: number,
    n: number,
    x: Float64Array,
    xOff: number,
  ): void {
    this.exports.solveLowerTransposed(
      this.address(L, lOff, n * n, "L"),
      n,
      this.address(x, xOff, n, "x"),
    );
  }

  solveLowerRows(
    L: Float64Array,
    lOff: number,
    n: number,
    B: Float64Array,
    bOff: number,
    k: number,
  ): void {
    this.exports.solveLowerRows(
      this.address(L, lOff, n * n, "L"),
      n,
      this.address(B, bOff, k * n, "B"),
      k,
    );
  }

  gemv(
    M: Float64Array,
    mOff: number,
    rows: number,
    cols: number,
    transposed: boolean,
    alpha: number,
    x: Float64Array,
    xOff: number,
    beta: number,
    y: Float64Array,
    yOff: number,
  ): void {
    const m = this.address(M, mOff, rows * cols, "M");
    const xLength = transposed ? rows : cols;
    const yLength = transposed ? cols : rows;
    const xAddress = this.address(x, xOff, xLength, "x");
    const yAddress = this.address(y, yOff, yLength, "y");
    if (transposed) this.exports.gemvTransposed(m, rows, cols, alpha, xAddress, beta, yAddress);
    else this.exports.gemv(m, rows, cols, alpha, xAddress, beta, yAddress);
  }
}

/**
 * A shared memory where the runtime allows one (Node; browsers only when cross-origin isolated):
 * growing it leaves earlier views valid, so `alloc` can never detach a buffer handed out before.
 */
function defaultMemory(options: WasmKernelOptions): WasmMemory {
  const { Memory } = webAssemblyApi();
  const initial =
    options.initialBytes === undefined
      ? DEFAULT_INITIAL_PAGES
      : Math.min(WASM_MAX_PAGES, Math.max(1, Math.ceil(options.initialBytes / WASM_PAGE_BYTES)));
  if (options.shared !== false && typeof SharedArrayBuffer !== "undefined") {
    try {
      return new Memory({ initial, maximum: WASM_MAX_PAGES, shared: true });
    } catch {
      // no shared memory here: fall back to an ordinary one
    }
  }
  return new Memory({ initial });
}

function variantOf(memory: WasmMemory): KernelVariant {
  return kernelVariant(isSharedMemory(memory));
}

/**
 * WebAssembly SIMD kernels, compiled and instantiated without blocking (the module is compiled
 * once per process and reused).
 */
export async function createWasmKernels(
  options: WasmKernelOptions = {},
): Promise<WasmDenseKernels> {
  const memory = options.memory ?? defaultMemory(options);
  const module = options.module ?? (await loadKernelModule(variantOf(memory)));
  const instance = await webAssemblyApi().instantiate(module, { env: { memory } });
  return new WasmKernels(memory, module, instance, options.heapStart, options.memory === undefined);
}

/** As `createWasmKernels`, synchronously: for the synchronous solver. */
export function createWasmKernelsSync(options: WasmKernelOptions = {}): WasmDenseKernels {
  const memory = options.memory ?? defaultMemory(options);
  const module = options.module ?? loadKernelModuleSync(variantOf(memory));
  const instance = new (webAssemblyApi().Instance)(module, { env: { memory } });
  return new WasmKernels(memory, module, instance, options.heapStart, options.memory === undefined);
}
