/** Messages between the page and its solver worker (solve-worker.ts). */

/** One entry of an output variable, whose gradient with respect to every parameter is asked. */
export interface OutputEntry {
  variable: string;
  /** Row-major index into the variable's entries. */
  index: number;
}

export interface SolveRequest {
  id: number;
  source: string;
  /** One member's values, as `layer.solve` takes them. */
  params: Record<string, unknown>;
  gradientOf: OutputEntry | null;
  /** "cpu": the float64 solver; "webgpu": the f32 GPU solver (docs/GPU.md). */
  device: "cpu" | "webgpu";
}

export interface SolvedReply {
  id: number;
  ok: true;
  status: string;
  iterations: number;
  objective: number;
  /** Each output variable's entries, row-major. */
  variables: Record<string, number[]>;
  duals: { text: string; line: number; values: number[] }[];
  /** d(chosen output entry)/d(parameter), each parameter's entries row-major. */
  gradients: Record<string, number[]> | null;
  milliseconds: number;
  /** Where it was solved: "cpu", or "webgpu: " and the adapter's name. */
  device: string;
}

export interface FailedReply {
  id: number;
  ok: false;
  message: string;
}

export type SolveReply = SolvedReply | FailedReply;

/**
 * The worker's first message, once its module (which awaits the kernels at the top level) has
 * run: a message posted before that would find no handler and be lost.
 */
export interface ReadyMessage {
  ready: true;
  /** Whether the worker's `navigator.gpu` gave an adapter, and if not, why. */
  webgpu: { available: true } | { available: false; reason: string };
}
