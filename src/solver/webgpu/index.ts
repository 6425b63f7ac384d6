/**
 * The solver on a GPU through WebGPU (f32; docs/GPU.md): `solveBatchOnWebGPU` with the process's
 * shared device, or the CPU solver with one notice where no adapter can be had.
 */
import { solveBatch } from "../pdipm.js";
import type { QPBatch, QPBatchSolution, SolverOptions } from "../types.js";
import { acquireWebGPU, WEBGPU_SETUP_HINT } from "./device.js";
import { solveBatchOnWebGPU, type WebGPUSolution } from "./solve-batch.js";

export { acquireWebGPU, WEBGPU_SETUP_HINT, type WebGPUContext } from "./device.js";
export {
  WEBGPU_DEFAULT_EPS,
  WEBGPU_DEFAULT_EPS_ABS,
  WEBGPU_MIN_EPS,
  solveBatchOnWebGPU,
  type WebGPUSolution,
} from "./solve-batch.js";

/** Where a solve ran: "webgpu: <adapter>", or "cpu" (and why, after a fallback). */
export type DeviceSolution = QPBatchSolution & { device: string };

let noticeGiven = false;

/** The fallback's notice, once per process (console.warn). */
function noticeFallback(reason: string): void {
  if (noticeGiven) return;
  noticeGiven = true;
  console.warn(
    `optnet: device "webgpu" is not available (${reason}); solving on the CPU instead (float64). ` +
      `To get an adapter: ${WEBGPU_SETUP_HINT}.`,
  );
}

/**
 * Solves the batch on the WebGPU device; where there is none, on the CPU with the same options
 * (the CPU's default tolerance then applies) after one notice.
 */
export async function solveBatchOnDevice(
  problem: QPBatch,
  options: SolverOptions,
): Promise<DeviceSolution | WebGPUSolution> {
  const acquired = await acquireWebGPU();
  if (acquired.context === null) {
    noticeFallback(acquired.reason);
    return { ...solveBatch(problem, options), device: "cpu" };
  }
  return solveBatchOnWebGPU(problem, options, acquired.context);
}
