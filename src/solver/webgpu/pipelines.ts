/// <reference types="@webgpu/types" />
/**
 * The shader's kernels as compute pipelines, the order they run in, and the buffers they use:
 * what a solve from host data (solve-batch.ts) and a solve from data already on the GPU
 * (resident.ts) share.
 */
import {
  FACTOR_BLOCK,
  FACTOR_TILE,
  PHASE_BACKWARD,
  PHASE_ITERATION,
  PHASE_START,
} from "./shader.js";

type Phase = typeof PHASE_ITERATION | typeof PHASE_START | typeof PHASE_BACKWARD;
/**
 * A kernel (an entry point of shader.ts) in a phase, dispatched as batch × `groups` workgroups
 * (one per member, or per member and tile).
 */
export type Step = readonly [entryPoint: string, phase: Phase, groups?: number];

/**
 * From this side N = n + p + m of the KKT matrix on, its factorization runs in blocks with the
 * trailing update spread over tiles (factorSteps), not in one workgroup per member. On lavapipe
 * (`npm run bench:webgpu-factor`, bench/runs/2026-12-06-1448-webgpu-factor.txt) the tiled one
 * took 0.81–1.10× the time below N = 200 and was 1.04–1.26× faster from N = 200 on; a later run
 * found the two within noise (docs/GPU.md). The tiles are meant for a GPU, not yet measured.
 */
export const TILED_FACTOR_FROM = 192;

/** Static regularization of the quasi-definite KKT matrix, removed by the refinement. At 1e-7 the
 * examples with columns that Q leaves empty (least squares' residuals, lasso's and huber's
 * epigraph variables) ended at their first factorization in f32; 1e-5 solves them. */
export const RHO = 1e-5;
export const DELTA = 1e-5;
const REFINEMENT_STEPS = 2;

const solveSteps = (phase: Phase): Step[] => [
  ["solveFirst", phase],
  ...Array.from({ length: REFINEMENT_STEPS }, (): Step[] => [
    ["refineResidual", phase],
    ["refineSolve", phase],
  ]).flat(),
];
/**
 * The factorization of every member's KKT matrix: one kernel, or (from `tiledFrom` on) a panel
 * and a tiled trailing update per block of FACTOR_BLOCK columns, then the scaling of L.
 */
export function factorSteps(phase: Phase, N: number, tiledFrom = TILED_FACTOR_FROM): Step[] {
  if (N < tiledFrom) return [["factorize", phase]];
  const steps: Step[] = [];
  for (let start = 0; start < N; start += FACTOR_BLOCK) {
    steps.push(["factorPanel", phase]);
    const side = Math.ceil((N - Math.min(start + FACTOR_BLOCK, N)) / FACTOR_TILE);
    if (side > 0) steps.push(["factorTrailing", phase, (side * (side + 1)) / 2]);
  }
  steps.push(["factorFinish", phase]);
  return steps;
}

export function startSteps(N: number, tiledFrom?: number): Step[] {
  return [
    ["init", PHASE_START],
    ["build", PHASE_START],
    ...factorSteps(PHASE_START, N, tiledFrom),
    ["startRhs", PHASE_START],
    ...solveSteps(PHASE_START),
    ["startFinish", PHASE_START],
  ];
}

/** One iteration: the factors at the point, the test, the predictor, the corrector, the step. */
export function iterationSteps(N: number, tiledFrom?: number): Step[] {
  return [
    ["build", PHASE_ITERATION],
    ...factorSteps(PHASE_ITERATION, N, tiledFrom),
    ["measurePoint", PHASE_ITERATION],
    ["predictorRhs", PHASE_ITERATION],
    ...solveSteps(PHASE_ITERATION),
    ["correctorRhs", PHASE_ITERATION],
    ...solveSteps(PHASE_ITERATION),
    ["takeStep", PHASE_ITERATION],
  ];
}
export const BACKWARD_STEPS: Step[] = [
  ["backwardRhs", PHASE_BACKWARD],
  ...solveSteps(PHASE_BACKWARD),
  ["backwardFinish", PHASE_BACKWARD],
];

export interface Pipelines {
  layout: GPUBindGroupLayout;
  byStep: Map<string, GPUComputePipeline>;
}

interface Compiled {
  pipelines: Pipelines;
  /** Resolves once the device has validated the module; a WGSL error rejects. */
  checked: Promise<Pipelines>;
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Compiled>>();

function compiled(device: GPUDevice, code: string): Compiled {
  let cache = pipelineCache.get(device);
  if (cache === undefined) {
    cache = new Map();
    pipelineCache.set(device, cache);
  }
  const cached = cache.get(code);
  if (cached !== undefined) return cached;
  const made = compile(device, code);
  cache.set(code, made);
  made.checked.catch(() => cache.delete(code));
  return made;
}

/** The shader's pipelines, compiled once per code and device; a WGSL error rejects. */
export function pipelinesFor(device: GPUDevice, code: string): Promise<Pipelines> {
  return compiled(device, code).checked;
}

/**
 * The same pipelines at once, for work that must be encoded synchronously (a tfjs operation):
 * WebGPU creates them without waiting, and a WGSL error surfaces as the device's uncaptured
 * error (and rejects a later `pipelinesFor`).
 */
export function pipelinesNow(device: GPUDevice, code: string): Pipelines {
  return compiled(device, code).pipelines;
}

function compile(device: GPUDevice, code: string): Compiled {
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
  const every = [
    ...startSteps(1, 2),
    ...startSteps(FACTOR_BLOCK + 1, 1),
    ...iterationSteps(1, 2),
    ...iterationSteps(FACTOR_BLOCK + 1, 1),
    ...BACKWARD_STEPS,
  ];
  for (const [entryPoint, phase] of every) {
    const key = `${entryPoint}/${phase}`;
    if (byStep.has(key)) continue;
    const compute = { module, entryPoint, constants: { PHASE: phase } };
    byStep.set(key, device.createComputePipeline({ layout: pipelineLayout, compute }));
  }
  const pipelines = { layout, byStep };
  const checked = device.popErrorScope().then((error) => {
    if (error !== null) throw new Error(`solveBatch: the WebGPU shader failed: ${error.message}`);
    return pipelines;
  });
  return { pipelines, checked };
}

/** The bind group of one solve: its buffers at the shader's bindings 0–6, in order. */
export interface SolveBuffers {
  data: GPUBuffer;
  work: GPUBuffer;
  factors: GPUBuffer;
  state: GPUBuffer;
  running: GPUBuffer;
  upstream: GPUBuffer;
  parameters: GPUBuffer;
}

export function bindSolve(
  device: GPUDevice,
  pipelines: Pipelines,
  buffers: SolveBuffers,
): GPUBindGroup {
  const inOrder = [
    buffers.data,
    buffers.work,
    buffers.factors,
    buffers.state,
    buffers.running,
    buffers.upstream,
    buffers.parameters,
  ];
  return device.createBindGroup({
    layout: pipelines.layout,
    entries: inOrder.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/** A GPU buffer of f32 or u32 values (at least 4 bytes: WebGPU has no empty bindings). */
export function createBuffer(device: GPUDevice, bytes: number, usage: number): GPUBuffer {
  return device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage });
}

export async function readBack(device: GPUDevice, source: GPUBuffer): Promise<ArrayBuffer> {
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
export function encodeSteps(
  encoder: GPUCommandEncoder,
  pipelines: Pipelines,
  bindGroup: GPUBindGroup,
  steps: readonly Step[],
  batch: number,
): void {
  const pass = encoder.beginComputePass();
  pass.setBindGroup(0, bindGroup);
  for (const [entryPoint, phase, groups = 1] of steps) {
    pass.setPipeline(pipelines.byStep.get(`${entryPoint}/${phase}`)!);
    pass.dispatchWorkgroups(batch, groups);
  }
  pass.end();
}
