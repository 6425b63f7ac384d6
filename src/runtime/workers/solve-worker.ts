import { workerData, type MessagePort } from "node:worker_threads";
import { loadKernelModuleSync } from "../../solver/wasm/index.js";
import { KeptSolutions } from "./kept-solutions.js";
import { writeGradients } from "./gradient-output.js";
import type { SolvedArrays, WorkerReply, WorkerRequest } from "./protocol.js";

const { port, signal } = workerData as { port: MessagePort; signal: Int32Array };
const kept = new KeptSolutions();

port.on("message", (request: WorkerRequest) => {
  if (request.type === "release") {
    kept.forget(request.id);
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

// Compiled now rather than in the first request; then the caller may count on this thread.
try {
  loadKernelModuleSync("plain");
} catch {
  // no kernels: the solver falls back to TypeScript ones, as on the calling thread
}
Atomics.store(signal, 1, 1);

function handle(
  request: Exclude<WorkerRequest, { type: "release" }>,
): [WorkerReply, ArrayBuffer[]] {
  if (request.type === "solve") {
    const solution = kept.solve(request.id, request.problem, request.options, request.keepFrom);
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
      ...(solution.workspaceBytes !== undefined ? { workspaceBytes: solution.workspaceBytes } : {}),
      ...(solution.kernels !== undefined ? { kernels: solution.kernels } : {}),
      ...(solution.eliminatedColumns !== undefined
        ? { eliminatedColumns: solution.eliminatedColumns.slice() }
        : {}),
    };
    const buffers = [arrays.z, arrays.lam, arrays.nu, arrays.s, arrays.iterations].map(
      (a) => a.buffer as ArrayBuffer,
    );
    return [{ type: "solved", solution: arrays }, buffers];
  }
  const gradients = kept.backward(request.id, request.dz, request.request);
  if (gradients === undefined) return [{ type: "evicted" }, []];
  const written = writeGradients(gradients, request.into);
  return [{ type: "gradients", written }, []];
}
