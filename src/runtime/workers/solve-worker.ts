import { workerData, type MessagePort } from "node:worker_threads";
import { solveBatch, type QPBatchSolution } from "../../solver/index.js";
import type { SolvedArrays, WorkerReply, WorkerRequest } from "./protocol.js";

/** Solutions kept for a later backward pass; the oldest are dropped beyond this many. */
const KEPT_SOLUTIONS = 16;

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const kept = new Map<number, QPBatchSolution>();

port.on("message", (request: WorkerRequest) => {
  if (request.type === "release") {
    kept.delete(request.id);
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
    const solution = solveBatch(request.problem, request.options);
    kept.set(request.id, solution);
    if (kept.size > KEPT_SOLUTIONS) kept.delete(kept.keys().next().value as number);
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
