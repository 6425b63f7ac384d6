import type { KernelSource, KernelVariant } from "./kernel-source.js";
import { webAssemblyApi, type WasmModule } from "./webassembly.js";

/**
 * A page's kernels: fetched next to this module. The literal `new URL("./….wasm",
 * import.meta.url)` is what bundlers recognise (Vite and webpack 5 as they are, Rollup and
 * esbuild with a plugin): they copy the file into the build and rewrite the address.
 */
function kernelUrl(variant: KernelVariant): URL {
  switch (variant) {
    case "plain":
      return new URL("./kernels.wasm", import.meta.url);
    case "shared":
      return new URL("./kernels-shared.wasm", import.meta.url);
    case "relaxed":
      return new URL("./kernels-relaxed.wasm", import.meta.url);
    case "shared-relaxed":
      return new URL("./kernels-shared-relaxed.wasm", import.meta.url);
  }
}

interface StreamingApi {
  compileStreaming?(source: Promise<unknown>): Promise<WasmModule>;
}

async function fetchKernels(variant: KernelVariant): Promise<WasmModule> {
  const url = kernelUrl(variant);
  const api = webAssemblyApi();
  const streaming = (api as unknown as StreamingApi).compileStreaming;
  const response = fetch(url).then((r) => {
    if (!r.ok) throw new Error(`could not fetch the solver's kernels at ${url}: HTTP ${r.status}`);
    return r;
  });
  // A server that sends another type than application/wasm makes the streaming compile fail:
  // the bytes compile all the same.
  if (streaming !== undefined) {
    try {
      return await streaming.call(api, response);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  return api.compile(new Uint8Array(await (await response).arrayBuffer()));
}

/** Fetches the .wasm files; there is no synchronous way, so the browser entry awaits them. */
export const browserKernelSource: KernelSource = { compile: fetchKernels };
