/**
 * The slice of the WebAssembly JS API this folder uses. TypeScript declares `WebAssembly` only in
 * lib.dom, which this project does not load (Node has the API all the same), so the types are
 * spelled out here and the value is read from globalThis. A real `WebAssembly.Memory` fits
 * `WasmMemory`, so callers with lib.dom pass theirs unchanged.
 */

export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** Adds `deltaPages` pages of 64 KiB; returns the old size in pages. */
  grow(deltaPages: number): number;
}

/** A compiled module: opaque here; it can be posted to a worker and instantiated there. */
export type WasmModule = object;

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmImports {
  env: { memory: WasmMemory };
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  compile(bytes: Uint8Array): Promise<WasmModule>;
  validate(bytes: Uint8Array): boolean;
  instantiate(module: WasmModule, imports: WasmImports): Promise<WasmInstance>;
}

export const WASM_PAGE_BYTES = 65536;

/** wasm32 addresses 4 GiB: 65536 pages. */
export const WASM_MAX_PAGES = 65536;

export function webAssemblyApi(): WebAssemblyApi {
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) throw new Error("this JavaScript runtime has no WebAssembly");
  return api;
}

export function isSharedMemory(memory: WasmMemory): boolean {
  return typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
}
