export {
  createWasmKernels,
  createWasmKernelsSync,
  type WasmDenseKernels,
  type SmallMemberExports,
  type WasmKernelOptions,
} from "./wasm-kernels.js";
export {
  hasRelaxedSimd,
  kernelVariant,
  loadKernelModule,
  loadKernelModuleSync,
  type KernelVariant,
} from "./load-module.js";
export type { WasmMemory, WasmModule } from "./webassembly.js";
