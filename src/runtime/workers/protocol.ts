import type {
  GradientRequest,
  QPBatch,
  QPGradients,
  QPStatus,
  SolverOptions,
} from "../../solver/index.js";

/** Messages from the calling thread to a solver worker. */
export type WorkerRequest =
  | { type: "solve"; id: number; problem: QPBatch; options: SolverOptions }
  | { type: "backward"; id: number; dz: Float64Array; request: GradientRequest | undefined }
  /** The solution is no longer needed (its output was garbage collected); no reply. */
  | { type: "release"; id: number };

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
}

export type WorkerReply =
  | { type: "solved"; solution: SolvedArrays }
  | { type: "gradients"; gradients: QPGradients }
  /** The worker no longer holds that solution: the caller recomputes it. */
  | { type: "evicted" }
  | { type: "error"; message: string };
