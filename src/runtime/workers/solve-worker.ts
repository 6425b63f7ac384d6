import { workerData, type MessagePort } from "node:worker_threads";
import {
  createWasmKernelsSync,
  solveBatch,
  WASM_MIN_VARIABLES,
  type QPBatch,
  type QPBatchSolution,
  type SolverOptions,
  type WasmDenseKernels,
} from "../../solver/index.js";
import type { SolvedArrays, WorkerReply, WorkerRequest } from "./protocol.js";

/**
 * Solutions kept for a later backward pass; the oldest are dropped beyond this many, or beyond
 * this many bytes of workspace. Releases from the calling thread wait for its event loop, which a
 * synchronous training loop may not reach for many batches, so the caps bound the memory; a
 * backward pass of a dropped solution is recomputed by the caller (the same iterates).
 */
const KEPT_SOLUTIONS = 8;
const KEPT_BYTES = 512 * 2 ** 20;

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const kept = new Map<number, QPBatchSolution>();
let keptBytes = 0;

/**
 * WebAssembly kernel providers of forgotten solutions, reset for the next solve. A fresh memory
 * per solve (the solver's default) costs a page fault on every page of the workspace at first
 * touch, about a fifth of the CPU time of the paper's n = 100 problems; a worker knows when a
 * solution's backward pass can no longer come, so it can hand its memory on.
 */
const idleKernels: WasmDenseKernels[] = [];
const kernelsOf = new Map<number, WasmDenseKernels>();
/** Idle providers kept beyond this many are left to the garbage collector. */
const IDLE_KERNELS = 2;

function forget(id: number): void {
  keptBytes -= kept.get(id)?.workspaceBytes ?? 0;
  kept.delete(id);
  const kernels = kernelsOf.get(id);
  if (kernels === undefined) return;
  kernelsOf.delete(id);
  kernels.reset();
  if (idleKernels.length < IDLE_KERNELS) idleKernels.push(kernels);
}

/** The options with a reused WebAssembly provider where the solver would make a fresh one. */
function withReusedKernels(id: number, problem: QPBatch, options: SolverOptions): SolverOptions {
  if (options.kernels !== undefined || problem.n < WASM_MIN_VARIABLES) return options;
  let kernels = idleKernels.pop();
  try {
    kernels ??= createWasmKernelsSync({ shared: false });
  } catch {
    return options; // no WebAssembly here: the solver's own choice falls back to TypeScript
  }
  kernelsOf.set(id, kernels);
  return { ...options, kernels };
}

port.on("message", (request: WorkerRequest) => {
  if (request.type === "release") {
    forget(request.id);
    return;
  }
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    [reply, transfer] = handle(request);
  } catch (error) {
    reply = { type: "error", message: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, transfer);
  // The caller blocks on this flag (Atomics.wait), then takes the reply off the port.
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});

function handle(
  request: Exclude<WorkerRequest, { type: "release" }>,
): [WorkerReply, ArrayBuffer[]] {
  if (request.type === "solve") {
    let solution: QPBatchSolution;
    try {
      solution = solveBatch(
        request.problem,
        withReusedKernels(request.id, request.problem, request.options),
      );
    } catch (error) {
      forget(request.id);
      throw error;
    }
    kept.set(request.id, solution);
    keptBytes += solution.workspaceBytes ?? 0;
    while (kept.size > 1 && (kept.size > KEPT_SOLUTIONS || keptBytes > KEPT_BYTES)) {
      forget(kept.keys().next().value as number);
    }
    // Copies: the kept solution's own arrays must stay usable for its backward pass.
    const arrays: SolvedArrays = {
      z: solution.z.slice(),
      lam: solution.lam.slice(),
      nu: solution.nu.slice(),
      s: solution.s.slice(),
      status: [...solution.status],
      iterations: solution.iterations.slice(),
      primalResidual: solution.primalResidual.slice(),
      dualResidual: solution.dualResidual.slice(),
      gap: solution.gap.slice(),
    };
    const buffers = [arrays.z, arrays.lam, arrays.nu, arrays.s, arrays.iterations].map(
      (a) => a.buffer as ArrayBuffer,
    );
    return [{ type: "solved", solution: arrays }, buffers];
  }
  const solution = kept.get(request.id);
  if (solution === undefined) return [{ type: "evicted" }, []];
  const gradients = solution.backward(request.dz, request.request);
  // Fresh arrays, not needed here again: moved rather than cloned.
  const buffers = Object.values(gradients).map((g: Float64Array) => g.buffer as ArrayBuffer);
  return [{ type: "gradients", gradients }, buffers];
}
