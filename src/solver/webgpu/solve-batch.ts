/// <reference types="@webgpu/types" />
/**
 * The WebGPU backend of solveBatch: the whole batch in GPU buffers, the iteration in shader.ts,
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
import type { WebGPUContext } from "./device.js";
import { assembleGradients, solveWithHostFactors, type BackwardSolves } from "./gradients.js";
import { layoutOf, packData, type WorkLayout } from "./layout.js";
import { certifiesInfeasibility, measureMember } from "./measures.js";
import {
  PHASE_BACKWARD,
  PHASE_ITERATION,
  PHASE_START,
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
 * at n ≤ 50 and about half at n = 100; at 1e-5 most at n = 10 only. The f32 directions stall
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
/**
 * Static regularization of the quasi-definite KKT matrix, removed by the refinement. At 1e-7 the
 * examples with columns that Q leaves empty (least squares' residuals, lasso's and huber's
 * epigraph variables) ended at their first factorization in f32; 1e-5 solves them.
 */
const RHO = 1e-5;
const DELTA = 1e-5;
const REFINEMENT_STEPS = 2;
/** Certificates in f32: the f64 check (certificates.ts) uses 1e-8. */
const CERTIFICATE_TOLERANCE = 1e-5;
/** Iterations between two read-backs of the running count. */
export const STEPS_PER_READBACK = 4;
const DEFAULT_MAX_ITER = 50;
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

type Phase = typeof PHASE_ITERATION | typeof PHASE_START | typeof PHASE_BACKWARD;
/** A kernel (an entry point of shader.ts) in a phase. */
type Step = readonly [entryPoint: string, phase: Phase];

const solveSteps = (phase: Phase): Step[] => [
  ["solveFirst", phase],
  ...Array.from({ length: REFINEMENT_STEPS }, (): Step[] => [
    ["refineResidual", phase],
    ["refineSolve", phase],
  ]).flat(),
];
const START_STEPS: Step[] = [
  ["init", PHASE_START],
  ["build", PHASE_START],
  ["factorize", PHASE_START],
  ["startRhs", PHASE_START],
  ...solveSteps(PHASE_START),
  ["startFinish", PHASE_START],
];
/** One iteration: the factors at the point, the test, the predictor, the corrector, the step. */
const ITERATION_STEPS: Step[] = [
  ["build", PHASE_ITERATION],
  ["factorize", PHASE_ITERATION],
  ["measurePoint", PHASE_ITERATION],
  ["predictorRhs", PHASE_ITERATION],
  ...solveSteps(PHASE_ITERATION),
  ["correctorRhs", PHASE_ITERATION],
  ...solveSteps(PHASE_ITERATION),
  ["takeStep", PHASE_ITERATION],
];
const BACKWARD_STEPS: Step[] = [
  ["backwardRhs", PHASE_BACKWARD],
  ...solveSteps(PHASE_BACKWARD),
  ["backwardFinish", PHASE_BACKWARD],
];

interface Pipelines {
  layout: GPUBindGroupLayout;
  byStep: Map<string, GPUComputePipeline>;
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<Pipelines>>>();

/** The shader's pipelines, compiled once per layout and device; a WGSL error throws. */
function pipelinesFor(device: GPUDevice, code: string): Promise<Pipelines> {
  let cache = pipelineCache.get(device);
  if (cache === undefined) {
    cache = new Map();
    pipelineCache.set(device, cache);
  }
  const cached = cache.get(code);
  if (cached !== undefined) return cached;
  const compiled = compile(device, code);
  cache.set(code, compiled);
  compiled.catch(() => cache.delete(code));
  return compiled;
}

async function compile(device: GPUDevice, code: string): Promise<Pipelines> {
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ code });
  const storage = (type: GPUBufferBindingType, binding: number): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  const layout = device.createBindGroupLayout({
    entries: [
      storage("read-only-storage", 0),
      storage("storage", 1),
      storage("storage", 2),
      storage("storage", 3),
      storage("storage", 4),
      storage("read-only-storage", 5),
      storage("uniform", 6),
    ],
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const byStep = new Map<string, GPUComputePipeline>();
  for (const [entryPoint, phase] of [...START_STEPS, ...ITERATION_STEPS, ...BACKWARD_STEPS]) {
    const key = `${entryPoint}/${phase}`;
    if (byStep.has(key)) continue;
    const compute = { module, entryPoint, constants: { PHASE: phase } };
    byStep.set(key, device.createComputePipeline({ layout: pipelineLayout, compute }));
  }
  const error = await device.popErrorScope();
  if (error !== null) throw new Error(`solveBatch: the WebGPU shader failed: ${error.message}`);
  return { layout, byStep };
}

function checkOptions(problem: QPBatch, options: SolverOptions): void {
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
function createBuffer(device: GPUDevice, bytes: number, usage: number): GPUBuffer {
  return device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage });
}

async function readBack(device: GPUDevice, source: GPUBuffer): Promise<ArrayBuffer> {
  const staging = createBuffer(
    device,
    source.size,
    GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  );
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, staging, 0, source.size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const copy = staging.getMappedRange().slice(0);
  staging.unmap();
  staging.destroy();
  return copy;
}

/** The steps in order, one workgroup per member each, in one compute pass of `encoder`. */
function encodeSteps(
  encoder: GPUCommandEncoder,
  pipelines: Pipelines,
  bindGroup: GPUBindGroup,
  steps: readonly Step[],
  batch: number,
): void {
  const pass = encoder.beginComputePass();
  pass.setBindGroup(0, bindGroup);
  for (const [entryPoint, phase] of steps) {
    pass.setPipeline(pipelines.byStep.get(`${entryPoint}/${phase}`)!);
    pass.dispatchWorkgroups(batch);
  }
  pass.end();
}

const STATUS_NAMES: Record<number, QPStatus> = {
  [STATUS_SOLVED]: "solved",
  [STATUS_INFEASIBLE]: "infeasible",
  [STATUS_UNBOUNDED]: "unbounded",
  [STATUS_NUMERICAL]: "numerical_error",
};

export async function solveBatchOnWebGPU(
  problem: QPBatch,
  options: SolverOptions,
  context: WebGPUContext,
): Promise<WebGPUSolution> {
  validateBatch(problem);
  checkOptions(problem, options);
  const { device } = context;
  const { batch, n, m, p } = problem;
  const eps = options.eps ?? WEBGPU_DEFAULT_EPS;
  const epsAbs = options.epsAbs ?? WEBGPU_DEFAULT_EPS_ABS;
  const maxIter = options.maxIter ?? DEFAULT_MAX_ITER;
  const layout = layoutOf(problem);
  const constants: ShaderConstants = {
    eps: eps * SHADER_EPS_FRACTION,
    epsAbs: epsAbs * SHADER_EPS_FRACTION,
    rho: RHO,
    delta: DELTA,
    certificate: CERTIFICATE_TOLERANCE,
    maxIter,
  };
  const largest = 4 * batch * Math.max(layout.N * layout.N, layout.workStride);
  const limit = device.limits.maxStorageBufferBindingSize;
  if (largest > limit) {
    const fits = Math.max(1, Math.floor(limit / (largest / Math.max(batch, 1))));
    throw new Error(
      `solveBatch: the batch needs a ${largest}-byte GPU buffer (the KKT factors, ` +
        `batch·(n+p+m)²·4 bytes) and this adapter binds at most ${limit}; solve at most ${fits} members at a time`,
    );
  }
  const pipelines = await pipelinesFor(device, pdipmShader());
  const { STORAGE, COPY_SRC, COPY_DST } = GPUBufferUsage;
  const data = packData(problem, layout);
  const parameters = parameterBlock(layout, constants);
  const buffers = {
    data: createBuffer(device, data.byteLength, STORAGE | COPY_DST),
    work: createBuffer(device, 4 * batch * layout.workStride, STORAGE | COPY_SRC),
    factors: createBuffer(device, 4 * batch * layout.N * layout.N, STORAGE | COPY_SRC),
    state: createBuffer(device, 4 * 2 * batch, STORAGE | COPY_SRC | COPY_DST),
    running: createBuffer(device, 4, STORAGE | COPY_SRC | COPY_DST),
    upstream: createBuffer(device, 4 * batch * n, STORAGE | COPY_DST),
    parameters: createBuffer(device, parameters.byteLength, GPUBufferUsage.UNIFORM | COPY_DST),
  };
  device.queue.writeBuffer(buffers.data, 0, data);
  device.queue.writeBuffer(buffers.parameters, 0, parameters);
  const bindGroup = device.createBindGroup({
    layout: pipelines.layout,
    entries: [
      buffers.data,
      buffers.work,
      buffers.factors,
      buffers.state,
      buffers.running,
      buffers.upstream,
      buffers.parameters,
    ].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });

  const run = (steps: readonly Step[]) => {
    const encoder = device.createCommandEncoder();
    encodeSteps(encoder, pipelines, bindGroup, steps, batch);
    device.queue.submit([encoder.finish()]);
  };
  if (batch > 0) {
    run(START_STEPS);
    for (let done = 0; done < maxIter; done += STEPS_PER_READBACK) {
      // the count of members still running after the last of these iterations
      const encoder = device.createCommandEncoder();
      const earlier = Array.from({ length: STEPS_PER_READBACK - 1 }, () => ITERATION_STEPS);
      encodeSteps(encoder, pipelines, bindGroup, earlier.flat(), batch);
      encoder.clearBuffer(buffers.running);
      encodeSteps(encoder, pipelines, bindGroup, ITERATION_STEPS, batch);
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
    backward(dz, request = {}) {
      checkUpstream(dz);
      const solves = emptySolves();
      const g = dz.map((x) => (Number.isFinite(x) ? x : 0));
      for (let k = 0; k < batch; k++) {
        if (status[k] === "solved") solveWithHostFactors(problem, k, factors, w, g, solves);
      }
      return assembleGradients(problem, point, solves, request);
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

const releaseWhenCollected = new FinalizationRegistry<Record<string, GPUBuffer>>((buffers) => {
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
