import type { Random } from "../lib/random.js";

/** 4×4 Sudoku: cells 0..15 row-major, digits 1..4, 0 = empty; 2×2 boxes. */
export const side = 4;
export const cells = side * side;
/** one-hot size of a board: cell-major, digit-minor (index = cell·4 + digit − 1) */
export const oneHotSize = cells * side;

export type Grid = Int8Array;

function allowed(grid: Grid, cell: number, digit: number): boolean {
  const r = Math.floor(cell / side);
  const c = cell % side;
  const br = r - (r % 2);
  const bc = c - (c % 2);
  for (let k = 0; k < side; k++) {
    if (grid[r * side + k] === digit || grid[k * side + c] === digit) return false;
  }
  for (let i = br; i < br + 2; i++) {
    for (let j = bc; j < bc + 2; j++) if (grid[i * side + j] === digit) return false;
  }
  return true;
}

/** Whether a full grid satisfies every row, column and box rule. */
export function isValidSolution(grid: Grid): boolean {
  for (let cell = 0; cell < cells; cell++) {
    const digit = grid[cell] ?? 0;
    if (digit < 1 || digit > side) return false;
    const copy = Int8Array.from(grid);
    copy[cell] = 0;
    if (!allowed(copy, cell, digit)) return false;
  }
  return true;
}

/** Number of completions of `grid` by backtracking, counting no further than `limit`. */
export function countSolutions(grid: Grid, limit = 2): number {
  const work = Int8Array.from(grid);
  for (let cell = 0; cell < cells; cell++) {
    const digit = work[cell] ?? 0;
    if (digit === 0) continue;
    work[cell] = 0;
    const ok = allowed(work, cell, digit);
    work[cell] = digit;
    if (!ok) return 0;
  }
  let found = 0;
  const search = (cell: number): void => {
    if (found >= limit) return;
    if (cell === cells) {
      found++;
      return;
    }
    if (work[cell] !== 0) return search(cell + 1);
    for (let digit = 1; digit <= side; digit++) {
      if (!allowed(work, cell, digit)) continue;
      work[cell] = digit;
      search(cell + 1);
      work[cell] = 0;
    }
  };
  search(0);
  return found;
}

/** A uniformly shuffled complete grid (backtracking with digits tried in random order). */
export function randomSolution(random: Random): Grid {
  const grid = new Int8Array(cells);
  const fill = (cell: number): boolean => {
    if (cell === cells) return true;
    for (const digit of random.shuffled([1, 2, 3, 4])) {
      if (!allowed(grid, cell, digit)) continue;
      grid[cell] = digit;
      if (fill(cell + 1)) return true;
      grid[cell] = 0;
    }
    return false;
  };
  fill(0);
  return grid;
}

export interface Puzzle {
  givens: Grid;
  solution: Grid;
}

/**
 * `count` distinct puzzles, each with a unique solution and between `minGivens` and
 * `maxGivens` given cells (drawn uniformly), as in the OptNet paper's data set.
 */
export function generatePuzzles(
  count: number,
  random: Random,
  minGivens = 4,
  maxGivens = 8,
): Puzzle[] {
  const seen = new Set<string>();
  const puzzles: Puzzle[] = [];
  while (puzzles.length < count) {
    const solution = randomSolution(random);
    const givenCount = random.int(minGivens, maxGivens);
    const givens = new Int8Array(cells);
    for (const cell of random.sample(cells, givenCount)) givens[cell] = solution[cell] ?? 0;
    const key = givens.join("");
    if (seen.has(key) || countSolutions(givens, 2) !== 1) continue;
    seen.add(key);
    puzzles.push({ givens, solution });
  }
  return puzzles;
}

/** Row-major one-hot encoding of grids (empty cells are all zeros), `grids.length` × 64. */
export function oneHot(grids: readonly Grid[]): Float32Array {
  const out = new Float32Array(grids.length * oneHotSize);
  grids.forEach((grid, g) => {
    for (let cell = 0; cell < cells; cell++) {
      const digit = grid[cell] ?? 0;
      if (digit > 0) out[g * oneHotSize + cell * side + digit - 1] = 1;
    }
  });
  return out;
}

/** The grid read off a prediction by taking each cell's largest entry. */
export function decode(prediction: ArrayLike<number>): Grid {
  const grid = new Int8Array(cells);
  for (let cell = 0; cell < cells; cell++) {
    let best = 0;
    for (let d = 1; d < side; d++) {
      if ((prediction[cell * side + d] ?? 0) > (prediction[cell * side + best] ?? 0)) best = d;
    }
    grid[cell] = best + 1;
  }
  return grid;
}

/** Text form of a grid, rows separated by "/" ("." for empty cells). */
export function gridText(grid: Grid): string {
  const rows: string[] = [];
  for (let r = 0; r < side; r++) {
    rows.push(
      Array.from(grid.subarray(r * side, (r + 1) * side), (d) => (d ? String(d) : ".")).join(""),
    );
  }
  return rows.join("/");
}
