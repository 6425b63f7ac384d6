import { workerData, type MessagePort } from "node:worker_threads";
import { solveBatch, type QPBatchSolution } from "../../solver/index.js";
import type { SolvedArrays, WorkerReply, WorkerRequest } from "./protocol.js";

/**
 * Solutions kept for a later backward pass; the oldest are dropped beyond this many, or beyond
 * this many bytes of workspace. Releases from the calling thread wait for its event loop, which a
 * synchronous training loop may not reach for many batches, so the caps bound the memory; a
 * backward pass of a dropped solution is recomputed by the caller (the same iterates).
 */
const KEPT_SOLUTIONS = 16;
const KEPT_BYTES = 512 * 2 ** 20;

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const kept = new Map<number, QPBatchSolution>();
let keptBytes = 0;

function forget(id: number): void {
  keptBytes -= kept.get(id)?.workspaceBytes ?? 0;
  kept.delete(id);
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
    const solution = solveBatch(request.problem, request.options);
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
