export type * from "./types.js";
export type { DenseKernels } from "./kernels/types.js";
export { typescriptKernels } from "./kernels/typescript.js";
export { solveBatch } from "./pdipm.js";
export { WASM_MIN_VARIABLES } from "./choose-kernels.js";
export {
  createWasmKernels,
  createWasmKernelsSync,
  type WasmDenseKernels,
  type WasmKernelOptions,
} from "./wasm/index.js";
export {
  solveQP,
  type SolveQPResult,
  type QPArguments,
  type MatrixArgument,
  type VectorArgument,
  type ArgumentGradient,
  type QPGradientsByArgument,
} from "./solve-qp.js";
