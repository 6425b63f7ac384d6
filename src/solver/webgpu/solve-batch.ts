/// <reference types="@webgpu/types" />
/**
 * The WebGPU backend of solveBatch: the whole batch in GPU buffers (or, beyond one storage
 * binding, consecutive chunks of it: chunks.ts), the iteration in shader.ts,
 * and a read-back of one counter (members still running) every STEPS_PER_READBACK iterations. At the end the
 * iterate, statuses and factors come back once; the measures and the final statuses are checked
 * in float64 against the caller's data (measures.ts).
 */
import type {
  GradientRequest,
  QPBatch,
  QPBatchSolution,
  QPGradients,
  QPStatus,
  SolverOptions,
} from "../types.js";
import { validateBatch } from "../validate-batch.js";
import { joinSolutions, sliceBatch } from "./chunks.js";
import type { WebGPUContext } from "./device.js";
import { assembleGradients, solveWithHostFactors, type BackwardSolves } from "./gradients.js";
import { layoutOf, packData, type WorkLayout } from "./layout.js";
import { certifiesInfeasibility, measureMember } from "./measures.js";
import {
  BACKWARD_STEPS,
  DELTA,
  RHO,
  bindSolve,
  iterationSteps,
  startSteps,
  createBuffer,
  encodeSteps,
  pipelinesFor,
  readBack,
  type SolveBuffers,
  type Step,
} from "./pipelines.js";
import {
  STATUS_INFEASIBLE,
  STATUS_NUMERICAL,
  STATUS_SOLVED,
  STATUS_STALLED,
  STATUS_UNBOUNDED,
  parameterBlock,
  pdipmShader,
  type ShaderConstants,
} from "./shader.js";

/**
 * The default relative tolerance (SolverOptions.eps). Measured on the paper's random QPs
 * (docs/GPU.md): at 1e-3 every member of 16 solved at n = 10, 50 and 100; at 1e-4 all but one
 * at n ≤ 50 and about half at n = 100; at 1e-5 most at n = 10 only; at n = 500, 1e-3 is too
 * tight for f32 on most members (2 of 40 solved, bench/RESULTS.md). The f32 directions stall
 * there (more refinement steps, compensated residuals did not move it), and a member that
 * stalls short of eps is numerical_error, never solved.
 */
export const WEBGPU_DEFAULT_EPS = 1e-3;
/**
 * The default absolute tolerance: where every term of the gap vanishes with the iterate (a ReLU
 * member whose inputs are all negative: z → 0 with every bound active at h = 0) the relative
 * test alone never passes; and residuals of f32 iterates of unit size are ~1e-7 at best.
 */
export const WEBGPU_DEFAULT_EPS_ABS = 1e-6;
/** The least relative tolerance accepted: below it f32 has no room at any size. */
export const WEBGPU_MIN_EPS = 1e-6;
/**
 * The shader stops at this fraction of eps, so that its point, measured again in float64, meets
 * eps despite the f32 rounding of the shader's own measures.
 */
const SHADER_EPS_FRACTION = 0.5;
/** Certificates in f32: the f64 check (certificates.ts) uses 1e-8. */
const CERTIFICATE_TOLERANCE = 1e-5;
/** Iterations between two read-backs of the running count. */
export const STEPS_PER_READBACK = 4;
export const DEFAULT_MAX_ITER = 50;
/** WebGPU's guaranteed maxComputeWorkgroupsPerDimension: one workgroup per member. */
const MAX_BATCH = 65535;

export interface WebGPUSolution extends QPBatchSolution {
  /** "webgpu: " and the adapter's name */
  device: string;
  /** The backward pass on the GPU with the factors still there (the shader's `backward`). */
  backwardOnDevice(dz: Float64Array, request?: GradientRequest): Promise<QPGradients>;
  /** Frees the GPU buffers; `backwardOnDevice` then fails, `backward` still works. */
  dispose(): void;
}

export function checkOptions(problem: { batch: number }, options: SolverOptions): void {
  const eps = options.eps ?? WEBGPU_DEFAULT_EPS;
  const epsAbs = options.epsAbs ?? WEBGPU_DEFAULT_EPS_ABS;
  if (eps < WEBGPU_MIN_EPS && !(epsAbs > 0 && eps === 0)) {
    throw new Error(
      `solveBatch: eps = ${eps} is below what f32 arithmetic on the GPU can reach; ` +
        `device "webgpu" accepts eps >= ${WEBGPU_MIN_EPS} (default ${WEBGPU_DEFAULT_EPS}), ` +
        `or use the CPU solver (float64)`,
    );
  }
  if (options.warmStart !== undefined) {
    throw new Error('solveBatch: warmStart is not supported with device "webgpu"');
  }
  if (problem.batch > MAX_BATCH) {
    throw new Error(
      `solveBatch: device "webgpu" solves at most ${MAX_BATCH} members at once (one workgroup each), got ${problem.batch}`,
    );
  }
}

/** A GPU buffer of f32 or u32 values (at least 4 bytes: WebGPU has no empty bindings). */

/** The shader's tolerances and limits for a solve with `options` (defaults of the GPU). */
export function shaderConstants(options: SolverOptions): ShaderConstants {
  return {
    eps: (options.eps ?? WEBGPU_DEFAULT_EPS) * SHADER_EPS_FRACTION,
    epsAbs: (options.epsAbs ?? WEBGPU_DEFAULT_EPS_ABS) * SHADER_EPS_FRACTION,
    rho: RHO,
    delta: DELTA,
    certificate: CERTIFICATE_TOLERANCE,
    maxIter: options.maxIter ?? DEFAULT_MAX_ITER,
  };
}

/** Bytes of the largest GPU buffer per member: its KKT factors, or its work if larger. */
function bytesPerMember(layout: WorkLayout): number {
  return 4 * Math.max(layout.N * layout.N, layout.workStride);
}

/** Refuses a batch whose factors or work exceed one storage binding of the device. */
export function checkFits(device: GPUDevice, layout: WorkLayout): void {
  const { batch } = layout;
  const largest = batch * bytesPerMember(layout);
  const limit = device.limits.maxStorageBufferBindingSize;
  if (largest > limit) {
    const fits = Math.max(1, Math.floor(limit / bytesPerMember(layout)));
    throw new Error(
      `solveBatch: the batch needs a ${largest}-byte GPU buffer (the KKT factors, ` +
        `batch·(n+p+m)²·4 bytes) and this adapter binds at most ${limit}; solve at most ${fits} members at a time`,
    );
  }
}

/** How many members' buffers fit one storage binding of `limit` bytes; refuses where none does. */
function membersPerBinding(layout: WorkLayout, limit: number): number {
  const perMember = bytesPerMember(layout);
  if (perMember > limit) {
    throw new Error(
      `solveBatch: one member alone needs a ${perMember}-byte GPU buffer (its KKT factors, ` +
        `(n+p+m)²·4 bytes) and this adapter binds at most ${limit}; solve it on the CPU`,
    );
  }
  return Math.floor(limit / perMember);
}

/** A solve's buffers, the data and the uniform block written (the data buffer as given, or new). */
export function allocateSolve(
  device: GPUDevice,
  layout: WorkLayout,
  constants: ShaderConstants,
  data: Float32Array | GPUBuffer,
): SolveBuffers {
  const { batch, n } = layout;
  const { STORAGE, COPY_SRC, COPY_DST } = GPUBufferUsage;
  const parameters = parameterBlock(layout, constants);
  const buffers: SolveBuffers = {
    data:
      data instanceof Float32Array
        ? createBuffer(device, data.byteLength, STORAGE | COPY_DST)
        : data,
    // COPY_DST as well: tfjs copies it into a buffer of the same usage (gpu-apply.ts)
    work: createBuffer(device, 4 * batch * layout.workStride, STORAGE | COPY_SRC | COPY_DST),
    factors: createBuffer(device, 4 * batch * layout.N * layout.N, STORAGE | COPY_SRC),
    state: createBuffer(device, 4 * 2 * batch, STORAGE | COPY_SRC | COPY_DST),
    running: createBuffer(device, 4, STORAGE | COPY_SRC | COPY_DST),
    upstream: createBuffer(device, 4 * batch * n, STORAGE | COPY_DST),
    parameters: createBuffer(device, parameters.byteLength, GPUBufferUsage.UNIFORM | COPY_DST),
  };
  if (data instanceof Float32Array) device.queue.writeBuffer(buffers.data, 0, data);
  device.queue.writeBuffer(buffers.parameters, 0, parameters);
  return buffers;
}

const STATUS_NAMES: Record<number, QPStatus> = {
  [STATUS_SOLVED]: "solved",
  [STATUS_INFEASIBLE]: "infeasible",
  [STATUS_UNBOUNDED]: "unbounded",
  [STATUS_NUMERICAL]: "numerical_error",
};

/** The GPU solver's options: the contract's, and where its factorization starts to be tiled. */
export interface WebGPUSolverOptions extends SolverOptions {
  /** KKT size from which the factorization is blocked and tiled (pipelines.ts; for tests). */
  tiledFactorFrom?: number;
}

/**
 * Solves the batch on the device. A batch whose factors exceed one storage binding (`bindingLimit`,
 * the adapter's by default) is solved in consecutive chunks that fit, joined in order; every
 * chunk's buffers stay on the device until `dispose`, for `backwardOnDevice`.
 */
export async function solveBatchOnWebGPU(
  problem: QPBatch,
  options: WebGPUSolverOptions,
  context: WebGPUContext,
  bindingLimit = context.device.limits.maxStorageBufferBindingSize,
): Promise<WebGPUSolution> {
  validateBatch(problem);
  checkOptions(problem, options);
  const perChunk = membersPerBinding(layoutOf(problem), bindingLimit);
  if (problem.batch <= perChunk) return solveInOneBinding(problem, options, context);
  const parts: WebGPUSolution[] = [];
  try {
    for (let start = 0; start < problem.batch; start += perChunk) {
      const chunk = sliceBatch(problem, start, Math.min(start + perChunk, problem.batch));
      parts.push(await solveInOneBinding(chunk, options, context));
    }
  } catch (error) {
    for (const part of parts) part.dispose();
    throw error;
  }
  return joinSolutions(parts);
}

/** The solve of a batch whose buffers fit one storage binding each. */
async function solveInOneBinding(
  problem: QPBatch,
  options: WebGPUSolverOptions,
  context: WebGPUContext,
): Promise<WebGPUSolution> {
  const { device } = context;
  const { batch, n, m, p } = problem;
  const eps = options.eps ?? WEBGPU_DEFAULT_EPS;
  const epsAbs = options.epsAbs ?? WEBGPU_DEFAULT_EPS_ABS;
  const constants = shaderConstants(options);
  const maxIter = constants.maxIter;
  const layout = layoutOf(problem);
  const pipelines = await pipelinesFor(device, pdipmShader());
  const buffers = allocateSolve(device, layout, constants, packData(problem, layout));
  const bindGroup = bindSolve(device, pipelines, buffers);

  const run = (steps: readonly Step[]) => {
    const encoder = device.createCommandEncoder();
    encodeSteps(encoder, pipelines, bindGroup, steps, batch);
    device.queue.submit([encoder.finish()]);
  };
  if (batch > 0) {
    run(startSteps(layout.N, options.tiledFactorFrom));
    const iteration = iterationSteps(layout.N, options.tiledFactorFrom);
    for (let done = 0; done < maxIter; done += STEPS_PER_READBACK) {
      // the count of members still running after the last of these iterations
      const encoder = device.createCommandEncoder();
      const earlier = Array.from({ length: STEPS_PER_READBACK - 1 }, () => iteration);
      encodeSteps(encoder, pipelines, bindGroup, earlier.flat(), batch);
      encoder.clearBuffer(buffers.running);
      encodeSteps(encoder, pipelines, bindGroup, iteration, batch);
      device.queue.submit([encoder.finish()]);
      const running = new Uint32Array(await readBack(device, buffers.running))[0];
      if (running === 0) break;
    }
  }
  const [workData, factorData, stateData] = await Promise.all([
    readBack(device, buffers.work),
    readBack(device, buffers.factors),
    readBack(device, buffers.state),
  ]);
  const work = new Float32Array(workData);
  const factors = new Float32Array(factorData);
  const state = new Uint32Array(stateData);

  const pick = (slot: keyof WorkLayout["work"], length: number) => {
    const out = new Float64Array(batch * length);
    for (let k = 0; k < batch; k++) {
      const from = k * layout.workStride + layout.work[slot];
      for (let i = 0; i < length; i++) out[k * length + i] = work[from + i];
    }
    return out;
  };
  const z = pick("z", n);
  const s = pick("s", p);
  const lam = pick("lam", p);
  const nu = pick("nu", m);
  const w = pick("w", p);
  const status: QPStatus[] = [];
  const iterations = new Int32Array(batch);
  const primalResidual = new Float64Array(batch);
  const dualResidual = new Float64Array(batch);
  const gap = new Float64Array(batch);
  for (let k = 0; k < batch; k++) {
    const point = {
      z: z.subarray(k * n, (k + 1) * n),
      s: s.subarray(k * p, (k + 1) * p),
      lam: lam.subarray(k * p, (k + 1) * p),
      nu: nu.subarray(k * m, (k + 1) * m),
    };
    const measured = measureMember(problem, k, point, eps, epsAbs);
    primalResidual[k] = measured.primalResidual;
    dualResidual[k] = measured.dualResidual;
    gap[k] = measured.gap;
    iterations[k] = state[2 * k + 1];
    status.push(
      finalStatus(state[2 * k], measured.meets, () =>
        certifiesInfeasibility(problem, k, point, CERTIFICATE_TOLERANCE),
      ),
    );
  }

  // the backward kernels work on the members whose state says solved: the final statuses
  const finalState = new Uint32Array(2 * batch);
  status.forEach((named, k) => {
    finalState[2 * k] = named === "solved" ? STATUS_SOLVED : STATUS_NUMERICAL;
    finalState[2 * k + 1] = iterations[k];
  });
  if (batch > 0) device.queue.writeBuffer(buffers.state, 0, finalState);

  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    releaseWhenCollected.unregister(solution);
    for (const buffer of Object.values(buffers)) buffer.destroy();
  };
  const point = { z, lam, nu, status };
  const checkUpstream = (dz: Float64Array) => {
    if (dz.length !== batch * n) {
      throw new Error(`backward: dz has length ${dz.length}, expected batch×n = ${batch * n}`);
    }
  };
  const emptySolves = (): BackwardSolves => ({
    dz: new Float64Array(batch * n),
    dnu: new Float64Array(batch * m),
    yG: new Float64Array(batch * p),
  });
  const solution: WebGPUSolution = {
    batch,
    n,
    m,
    p,
    z,
    lam,
    nu,
    s,
    status,
    iterations,
    primalResidual,
    dualResidual,
    gap,
    workspaceBytes: buffers.work.size + buffers.factors.size + buffers.data.size,
    kernels: "webgpu",
    device: context.name,
    backward(dz, request = {}, into) {
      checkUpstream(dz);
      const solves = emptySolves();
      const g = dz.map((x) => (Number.isFinite(x) ? x : 0));
      for (let k = 0; k < batch; k++) {
        if (status[k] === "solved") solveWithHostFactors(problem, k, factors, w, g, solves);
      }
      return assembleGradients(problem, point, solves, request, into);
    },
    async backwardOnDevice(dz, request = {}) {
      checkUpstream(dz);
      if (disposed) throw new Error("backwardOnDevice: the solution's GPU buffers were disposed");
      const g = new Float32Array(batch * n);
      dz.forEach((x, i) => (g[i] = Number.isFinite(x) ? x : 0));
      device.queue.writeBuffer(buffers.upstream, 0, g);
      if (batch > 0) run(BACKWARD_STEPS);
      const after = new Float32Array(await readBack(device, buffers.work));
      const solves = emptySolves();
      for (let k = 0; k < batch; k++) {
        const base = k * layout.workStride;
        const copy = (slot: keyof WorkLayout["work"], into: Float64Array, length: number) => {
          for (let i = 0; i < length; i++)
            into[k * length + i] = after[base + layout.work[slot] + i];
        };
        copy("dz", solves.dz, n);
        copy("dnu", solves.dnu, m);
        copy("yG", solves.yG, p);
      }
      return assembleGradients(problem, point, solves, request);
    },
    dispose,
  };
  // a solution dropped without dispose() still frees its GPU buffers
  releaseWhenCollected.register(solution, buffers, solution);
  return solution;
}

const releaseWhenCollected = new FinalizationRegistry<SolveBuffers>((buffers) => {
  for (const buffer of Object.values(buffers)) buffer.destroy();
});

/**
 * The shader's status, kept only where the float64 check agrees: a point that does not meet the
 * tolerance in float64, or a certificate that does not hold there, is a numerical error of f32.
 */
function finalStatus(
  shaderStatus: number,
  meetsTolerance: boolean,
  certified: () => boolean,
): QPStatus {
  const named = STATUS_NAMES[shaderStatus] ?? "max_iterations";
  if (named === "solved" && !meetsTolerance) return "numerical_error";
  if (named === "infeasible" && !certified()) return "numerical_error";
  if (shaderStatus === STATUS_STALLED) return meetsTolerance ? "solved" : "numerical_error";
  return named;
}
