import type {
  BatchOperand,
  QPBatch,
  QPBatchSolution,
  QPGradients,
  SolverOptions,
} from "../solver/index.js";

/**
 * Cutting a batch into contiguous member ranges and joining the solutions back: members are
 * independent in the solver, so a batch solved in pieces gives the same numbers as one solve.
 */

function sliceOperand(
  operand: BatchOperand,
  size: number,
  start: number,
  count: number,
  view: boolean,
): BatchOperand {
  if (operand.shared) return operand;
  const [from, to] = [start * size, (start + count) * size];
  return {
    data: view ? operand.data.subarray(from, to) : operand.data.slice(from, to),
    shared: false,
  };
}

/**
 * Members [start, start + count) of a batch; shared operands stay shared. A copy unless `view`:
 * a view shares the batch's memory (enough for a solve on this thread), a copy owns its buffers
 * (so they can be transferred to a worker).
 */
export function sliceBatch(problem: QPBatch, start: number, count: number, view = false): QPBatch {
  const { n, m, p } = problem;
  return {
    batch: count,
    n,
    m,
    p,
    Q: sliceOperand(problem.Q, n * n, start, count, view),
    q: sliceOperand(problem.q, n, start, count, view),
    A: sliceOperand(problem.A, m * n, start, count, view),
    b: sliceOperand(problem.b, m, start, count, view),
    G: sliceOperand(problem.G, p * n, start, count, view),
    h: sliceOperand(problem.h, p, start, count, view),
    structure: problem.structure,
  };
}

/** The options of a slice: its part of the warm start. */
export function sliceOptions(
  options: SolverOptions,
  problem: QPBatch,
  start: number,
  count: number,
): SolverOptions {
  const warm = options.warmStart;
  if (warm === undefined) return options;
  const { n, m, p } = problem;
  const cut = (a: Float64Array, size: number) => a.slice(start * size, (start + count) * size);
  return {
    ...options,
    warmStart: { z: cut(warm.z, n), lam: cut(warm.lam, p), nu: cut(warm.nu, m), s: cut(warm.s, p) },
  };
}

export function concat(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((total, a) => total + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** What joining needs of a slice's solution: its arrays (a worker's reply has only these). */
export type SolvedPart = Omit<QPBatchSolution, "backward" | "batch" | "n" | "m" | "p">;

/** The solution arrays of consecutive slices as one, with the given backward pass. */
export function joinSolutions(
  problem: QPBatch,
  parts: readonly SolvedPart[],
  backward: QPBatchSolution["backward"],
): QPBatchSolution {
  const bytes = parts.map((s) => s.workspaceBytes);
  const kernels = parts[0]?.kernels;
  return {
    batch: problem.batch,
    n: problem.n,
    m: problem.m,
    p: problem.p,
    z: concat(parts.map((s) => s.z)),
    lam: concat(parts.map((s) => s.lam)),
    nu: concat(parts.map((s) => s.nu)),
    s: concat(parts.map((s) => s.s)),
    status: parts.flatMap((s) => s.status),
    iterations: Int32Array.from(parts.flatMap((s) => Array.from(s.iterations))),
    primalResidual: concat(parts.map((s) => s.primalResidual)),
    dualResidual: concat(parts.map((s) => s.dualResidual)),
    gap: concat(parts.map((s) => s.gap)),
    ...(bytes.every((b): b is number => b !== undefined)
      ? { workspaceBytes: bytes.reduce((a, b) => a + b, 0) }
      : {}),
    ...(kernels !== undefined ? { kernels } : {}),
    backward,
  };
}

/** Per-slice gradients joined along the batch; an operand is present when every slice has it. */
export function joinGradients(parts: readonly (QPGradients | null)[]): QPGradients {
  const gradients: QPGradients = {};
  for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
    const pieces = parts.map((g) => g?.[key]);
    if (pieces.every((g): g is Float64Array => g !== undefined)) gradients[key] = concat(pieces);
  }
  return gradients;
}
