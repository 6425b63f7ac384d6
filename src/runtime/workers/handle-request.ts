import { writeGradients } from "./gradient-output.js";
import type { KeptSolutions } from "./kept-solutions.js";
import type { SolvedArrays, WorkerReply, WorkerRequest } from "./protocol.js";

/**
 * A solver thread's answer to one request (Node's worker thread and a page's Web Worker alike),
 * with the buffers that may move to the caller. A failure is answered, never thrown.
 */
export function handleRequest(
  kept: KeptSolutions,
  request: Exclude<WorkerRequest, { type: "release" }>,
): [WorkerReply, ArrayBuffer[]] {
  try {
    return answer(kept, request);
  } catch (error) {
    return [{ type: "error", message: error instanceof Error ? error.message : String(error) }, []];
  }
}

function answer(
  kept: KeptSolutions,
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
  const gradients = kept.backward(request.id, request.dz, request.request, request.into);
  if (gradients === undefined) return [{ type: "evicted" }, []];
  const written = writeGradients(gradients, request.into);
  return [{ type: "gradients", written }, []];
}
