export type * from "./types.js";
export type { DenseKernels } from "./kernels/types.js";
