import type { QPBatch, SolverOptions } from "./types.js";

/** Rejects a QPBatch whose sizes and operand lengths disagree, naming the operand. */
export function validateBatch(problem: QPBatch): void {
  const { batch, n, m, p } = problem;
  for (const [name, value] of [
    ["batch", batch],
    ["n", n],
    ["m", m],
    ["p", p],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`solveBatch: ${name} must be a nonnegative integer, got ${value}`);
    }
  }
  const operands = [
    ["Q", problem.Q, n * n],
    ["q", problem.q, n],
    ["A", problem.A, m * n],
    ["b", problem.b, m],
    ["G", problem.G, p * n],
    ["h", problem.h, p],
  ] as const;
  for (const [name, operand, size] of operands) {
    const expected = operand.shared ? size : batch * size;
    if (operand.data.length !== expected) {
      throw new Error(
        `solveBatch: ${name} has ${operand.data.length} entries, expected ${expected}` +
          (operand.shared ? ` (shared, ${size} per member)` : ` (${batch} members × ${size})`),
      );
    }
  }
}

/** Rejects a warm start whose arrays do not hold one point per member. */
export function validateWarmStart(problem: QPBatch, start: SolverOptions["warmStart"]): void {
  if (start === undefined) return;
  const { batch, n, m, p } = problem;
  for (const [name, array, size] of [
    ["z", start.z, n],
    ["lam", start.lam, p],
    ["nu", start.nu, m],
    ["s", start.s, p],
  ] as const) {
    if (array.length !== batch * size) {
      throw new Error(
        `solveBatch: warmStart.${name} has ${array.length} entries, expected ${batch}×${size}`,
      );
    }
  }
}
