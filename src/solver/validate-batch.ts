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

/** Rejects bound rows that are malformed or that G's data contradicts, and bad auxiliary columns. */
export function validateStructure(problem: QPBatch): void {
  validateAuxiliaryColumns(problem);
  const bounds = problem.structure?.boundRows;
  if (bounds === undefined) return;
  const { batch, n, p, G } = problem;
  const { row, column, sign } = bounds;
  const fail = (message: string): never => {
    throw new Error(`solveBatch: structure.boundRows ${message}`);
  };
  if (column.length !== row.length || sign.length !== row.length) {
    fail(`has ${row.length} rows, ${column.length} columns and ${sign.length} signs`);
  }
  const seen = new Uint8Array(p);
  const members = G.shared ? 1 : batch;
  for (let t = 0; t < row.length; t++) {
    const [r, c, sg] = [row[t], column[t], sign[t]];
    if (!(Number.isInteger(r) && r >= 0 && r < p)) fail(`row ${r} is not in [0, ${p})`);
    if (!(Number.isInteger(c) && c >= 0 && c < n)) fail(`column ${c} is not in [0, ${n})`);
    if (sg !== 1 && sg !== -1) fail(`sign ${sg} is not ±1`);
    if (seen[r]) fail(`lists row ${r} twice`);
    seen[r] = 1;
    for (let k = 0; k < members; k++) {
      const off = k * p * n + r * n;
      for (let j = 0; j < n; j++) {
        if (G.data[off + j] !== (j === c ? sg : 0)) {
          fail(
            `says row ${r} of G is ${sg}·e_${c}, but member ${k}'s G[${r}, ${j}] = ${G.data[off + j]}`,
          );
        }
      }
    }
  }
}

function validateAuxiliaryColumns(problem: QPBatch): void {
  const columns = problem.structure?.auxiliaryColumns;
  if (columns === undefined) return;
  for (let t = 0; t < columns.length; t++) {
    const c = columns[t];
    if (!(c >= 0 && c < problem.n) || (t > 0 && c <= columns[t - 1])) {
      throw new Error(
        `solveBatch: structure.auxiliaryColumns must be ascending distinct columns in [0, ${problem.n}); entry ${t} is ${c}`,
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
