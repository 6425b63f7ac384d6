import type { BatchOperand, QPBatch, QPBatchSolution, SolverOptions } from "../solver/index.js";

/**
 * Cutting a batch into contiguous member ranges and joining the solutions back: members are
 * independent in the solver, so a batch solved in pieces gives the same numbers as one solve.
 */

function sliceOperand(
  operand: BatchOperand,
  size: number,
  start: number,
  count: number,
): BatchOperand {
  if (operand.shared) return operand;
  return { data: operand.data.subarray(start * size, (start + count) * size), shared: false };
}

/**
 * Members [start, start + count) of a batch, as views of its memory (the solver copies its input
 * into its workspace, so a solve on this thread needs no copy); shared operands stay shared.
 */
export function sliceBatch(problem: QPBatch, start: number, count: number): QPBatch {
  const { n, m, p } = problem;
  return {
    batch: count,
    n,
    m,
    p,
    Q: sliceOperand(problem.Q, n * n, start, count),
    q: sliceOperand(problem.q, n, start, count),
    A: sliceOperand(problem.A, m * n, start, count),
    b: sliceOperand(problem.b, m, start, count),
    G: sliceOperand(problem.G, p * n, start, count),
    h: sliceOperand(problem.h, p, start, count),
    structure: problem.structure,
  };
}

type OperandName = "Q" | "q" | "A" | "b" | "G" | "h";

/** Size of one member's entries of each operand, in the order of QPBatch's fields. */
function memberSizes(problem: QPBatch): [OperandName, number][] {
  const { n, m, p } = problem;
  return [
    ["Q", n * n],
    ["q", n],
    ["A", m * n],
    ["b", m],
    ["G", p * n],
    ["h", p],
  ];
}

/** Whether every operand holds as many entries as the sizes say (one member's when shared). */
export function hasExpectedLengths(problem: QPBatch): boolean {
  return memberSizes(problem).every(([key, size]) => {
    const { data, shared } = problem[key];
    return data.length === (shared ? size : problem.batch * size);
  });
}

/** Float64 entries of the per-member operands of `count` members: what `copySliceInto` needs. */
export function sliceLength(problem: QPBatch, count: number): number {
  let length = 0;
  for (const [key, size] of memberSizes(problem)) if (!problem[key].shared) length += count * size;
  return length;
}

/**
 * Members [start, start + count) of a batch with their per-member operands copied into `area`
 * (at least `sliceLength` entries, e.g. shared memory a worker reads from); shared operands
 * stay shared.
 */
export function copySliceInto(
  problem: QPBatch,
  start: number,
  count: number,
  area: Float64Array,
): QPBatch {
  const slice: QPBatch = { ...problem, batch: count };
  let offset = 0;
  for (const [key, size] of memberSizes(problem)) {
    const operand = problem[key];
    if (operand.shared) continue;
    // A malformed operand stays as short as it is, for the solver's check to report it.
    const from = operand.data.subarray(start * size, (start + count) * size);
    const data = area.subarray(offset, offset + from.length);
    data.set(from);
    slice[key] = { data, shared: false };
    offset += count * size;
  }
  return slice;
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
  const eliminated = parts.map((s) => s.eliminatedColumns);
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
    ...(eliminated.every((e): e is Int32Array => e !== undefined)
      ? { eliminatedColumns: Int32Array.from(eliminated.flatMap((e) => Array.from(e))) }
      : {}),
    backward,
  };
}
