import { cells, oneHotSize, side } from "./puzzles.js";

/**
 * The rules of 4×4 Sudoku as equality rows over the one-hot board (index cell·4 + digit − 1),
 * each "= 1": every cell holds one digit, and every row, column and 2×2 box holds each digit once.
 */
export function sudokuConstraintRows(): Float64Array[] {
  const rows: Float64Array[] = [];
  const row = (entries: number[]): void => {
    const r = new Float64Array(oneHotSize);
    for (const e of entries) r[e] = 1;
    rows.push(r);
  };
  const index = (cell: number, digit: number): number => cell * side + digit;
  for (let cell = 0; cell < cells; cell++)
    row(Array.from({ length: side }, (_, d) => index(cell, d)));
  for (let d = 0; d < side; d++) {
    for (let r = 0; r < side; r++)
      row(Array.from({ length: side }, (_, c) => index(r * side + c, d)));
    for (let c = 0; c < side; c++)
      row(Array.from({ length: side }, (_, r) => index(r * side + c, d)));
    for (const [br, bc] of [
      [0, 0],
      [0, 2],
      [2, 0],
      [2, 2],
    ] as const)
      row([0, 1, 2, 3].map((k) => index((br + (k >> 1)) * side + bc + (k & 1), d)));
  }
  return rows;
}

/** An orthonormal basis of the row space of a (rows × cols) matrix (modified Gram–Schmidt). */
function rowSpaceBasis(matrix: ArrayLike<number>, rows: number, cols: number): Float64Array[] {
  const basis: Float64Array[] = [];
  let scale = 0;
  for (let k = 0; k < rows * cols; k++) scale = Math.max(scale, Math.abs(matrix[k] ?? 0));
  for (let i = 0; i < rows; i++) {
    const v = Float64Array.from({ length: cols }, (_, j) => matrix[i * cols + j] ?? 0);
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += (b[j] ?? 0) * (v[j] ?? 0);
        for (let j = 0; j < cols; j++) v[j] = (v[j] ?? 0) - dot * (b[j] ?? 0);
      }
    const norm = Math.hypot(...v);
    // rows dependent on earlier ones (to rounding) add nothing
    if (norm > 1e-9 * Math.max(scale, 1) * Math.sqrt(cols)) basis.push(v.map((x) => x / norm));
  }
  return basis;
}

export interface RowSpaceResidual {
  /** dimension of the row space projected onto */
  rank: number;
  /** ‖r − P r‖ / ‖r‖ for each projected row r, P the projection onto the row space */
  residuals: number[];
  mean: number;
  max: number;
}

function residualsOnto(
  projected: readonly Float64Array[],
  basis: Float64Array[],
): RowSpaceResidual {
  const residuals = projected.map((r) => {
    const rest = Float64Array.from(r);
    for (const b of basis) {
      let dot = 0;
      for (let j = 0; j < r.length; j++) dot += (b[j] ?? 0) * (r[j] ?? 0);
      for (let j = 0; j < r.length; j++) rest[j] = (rest[j] ?? 0) - dot * (b[j] ?? 0);
    }
    const norm = Math.hypot(...r);
    return norm > 0 ? Math.hypot(...rest) / norm : 0;
  });
  return {
    rank: basis.length,
    residuals,
    mean: residuals.reduce((a, b) => a + b, 0) / residuals.length,
    max: Math.max(...residuals),
  };
}

function rowsOf(A: ArrayLike<number>, rows: number): Float64Array[] {
  return Array.from({ length: rows }, (_, i) =>
    Float64Array.from({ length: oneHotSize }, (_, j) => A[i * oneHotSize + j] ?? 0),
  );
}

/** How much of each rule row lies outside the row space of A (rows × 64). */
export function rulesOntoLearned(A: ArrayLike<number>, rows: number): RowSpaceResidual {
  return residualsOnto(sudokuConstraintRows(), rowSpaceBasis(A, rows, oneHotSize));
}

/** How much of each row of A lies outside the row space of the rules (the converse). */
export function learnedOntoRules(A: ArrayLike<number>, rows: number): RowSpaceResidual {
  const rules = sudokuConstraintRows();
  const flat = new Float64Array(rules.length * oneHotSize);
  rules.forEach((r, i) => flat.set(r, i * oneHotSize));
  return residualsOnto(rowsOf(A, rows), rowSpaceBasis(flat, rules.length, oneHotSize));
}
