import type {
  GradientRequest,
  QPBatch,
  QPGradients,
  QPStatus,
  SolverOptions,
} from "../../solver/index.js";

/** Messages from the calling thread to a solver worker. */
export type WorkerRequest =
  /** Solve and keep the solution; never forget those from `keepFrom` on to make room. */
  | { type: "solve"; id: number; problem: QPBatch; options: SolverOptions; keepFrom: number }
  | {
      type: "backward";
      id: number;
      dz: Float64Array;
      request: GradientRequest | undefined;
      /** The slice's range of each output gradient (shared memory), for the worker to fill. */
      into: QPGradients;
    }
  /** The solution is no longer needed (its output was garbage collected); no reply. */
  | { type: "release"; id: number };

export type GradientName = keyof QPGradients;

/** The arrays of a QPBatchSolution, without its backward closure (which stays in the worker). */
export interface SolvedArrays {
  z: Float64Array;
  lam: Float64Array;
  nu: Float64Array;
  s: Float64Array;
  status: QPStatus[];
  iterations: Int32Array;
  primalResidual: Float64Array;
  dualResidual: Float64Array;
  gap: Float64Array;
  workspaceBytes?: number;
  kernels?: string;
  eliminatedColumns?: Int32Array;
}

export type WorkerReply =
  | { type: "solved"; solution: SolvedArrays }
  /** The gradients were written into the request's `into`: those named here. */
  | { type: "gradients"; written: GradientName[] }
  /** The worker no longer holds that solution: the caller recomputes it. */
  | { type: "evicted" }
  | { type: "error"; message: string };
