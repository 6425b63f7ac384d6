/// <reference types="@webgpu/types" />
/**
 * A solve whose data is already on the GPU and whose answer stays there: what a tfjs operation
 * on the webgpu backend needs (runtime/gpu-apply.ts). Everything is encoded at once and nothing
 * is read back, so it can run inside a synchronous tfjs kernel: the start and `maxIter`
 * iterations go to the queue together, and members that have stopped return at once from each
 * later kernel (their status in `state`). Without the float64 check of solve-batch.ts, the
 * shader's statuses are final; a member that stalled near the tolerance counts as solved for
 * the backward pass.
 */
import type { SolverOptions } from "../types.js";
import { layoutFor, type WorkLayout } from "./layout.js";
import {
  BACKWARD_STEPS,
  bindSolve,
  iterationSteps,
  startSteps,
  createBuffer,
  encodeSteps,
  pipelinesNow,
  type SolveBuffers,
} from "./pipelines.js";
import { pdipmShader } from "./shader.js";
import { allocateSolve, checkFits, checkOptions, shaderConstants } from "./solve-batch.js";

export interface ResidentSolve {
  /** Every operand per member (stride = its size), in the order Q, q, A, b, G, h. */
  layout: WorkLayout;
  /** `work` holds each member's iterate (layout.work), `state` its status and iterations. */
  buffers: SolveBuffers;
  /**
   * Encodes the backward pass for dℓ/dz in `upstream` (batch·n f32, member-major), reusing the
   * final factors: D(lam) d_lam, d_z and d_nu land in the work slots yG, dz and dnu of each member
   * the shader solved (others keep what they held).
   */
  backward(upstream: GPUBuffer): void;
  /** Frees the buffers once the queue has finished with them. */
  dispose(): void;
}

/** The layout of a resident solve: no operand shared, so any batch of tensors fits it. */
export function residentLayout(dims: { batch: number; n: number; m: number; p: number }) {
  return layoutFor(dims, () => false);
}

/**
 * Solves the batch whose operands are in `data` (f32, laid out as residentLayout(dims)): copied
 * into the solve's own buffer at once, so the caller may release it after this returns.
 */
export function solveResident(
  device: GPUDevice,
  dims: { batch: number; n: number; m: number; p: number },
  data: GPUBuffer,
  options: SolverOptions,
): ResidentSolve {
  checkOptions(dims, options);
  const layout = residentLayout(dims);
  checkFits(device, layout);
  const { batch } = layout;
  const pipelines = pipelinesNow(device, pdipmShader());
  const { STORAGE, COPY_DST } = GPUBufferUsage;
  const own = createBuffer(device, 4 * layout.dataLength, STORAGE | COPY_DST);
  const constants = shaderConstants(options);
  const buffers = allocateSolve(device, layout, constants, own);
  const bindGroup = bindSolve(device, pipelines, buffers);
  const { maxIter } = constants;

  const encoder = device.createCommandEncoder();
  if (layout.dataLength > 0) encoder.copyBufferToBuffer(data, 0, own, 0, 4 * layout.dataLength);
  if (batch > 0) {
    encodeSteps(encoder, pipelines, bindGroup, startSteps(layout.N), batch);
    const iterations = Array.from({ length: maxIter }, () => iterationSteps(layout.N)).flat();
    encodeSteps(encoder, pipelines, bindGroup, iterations, batch);
  }
  device.queue.submit([encoder.finish()]);

  let disposed = false;
  return {
    layout,
    buffers,
    backward(upstream) {
      if (disposed) throw new Error("backward: the resident solve was disposed");
      const encoder = device.createCommandEncoder();
      const bytes = 4 * batch * layout.n;
      if (bytes > 0) encoder.copyBufferToBuffer(upstream, 0, buffers.upstream, 0, bytes);
      if (batch > 0) encodeSteps(encoder, pipelines, bindGroup, BACKWARD_STEPS, batch);
      device.queue.submit([encoder.finish()]);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void device.queue.onSubmittedWorkDone().then(() => {
        for (const buffer of Object.values(buffers)) buffer.destroy();
      });
    },
  };
}
