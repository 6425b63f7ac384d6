import { describe, expect, it } from "vitest";
import { createRandom } from "../../examples/experiments/lib/random.js";
import {
  countSolutions,
  decode,
  generatePuzzles,
  isValidSolution,
  oneHot,
} from "../../examples/experiments/sudoku/puzzles.js";

const grid = (text: string): Int8Array =>
  Int8Array.from(text.replace(/\//g, ""), (ch) => (ch === "." ? 0 : Number(ch)));

describe("4x4 Sudoku puzzles", () => {
  it("counts the completions of puzzles by backtracking", () => {
    expect(countSolutions(grid("1234/3412/2143/4321"))).toBe(1);
    // an empty board has 288 completions
    expect(countSolutions(grid("..../..../..../...."), 1000)).toBe(288);
    // two givens that break the row rule have none
    expect(countSolutions(grid("11../..../..../...."))).toBe(0);
    // one given leaves 288 / 4 = 72 completions; the count stops at the limit
    expect(countSolutions(grid("1.../..../..../...."), 1000)).toBe(72);
    expect(countSolutions(grid("1.../..../..../...."), 5)).toBe(5);
  });

  it("rejects grids that break a box rule", () => {
    expect(isValidSolution(grid("1234/3412/2143/4321"))).toBe(true);
    expect(isValidSolution(grid("1234/2341/3412/4123"))).toBe(false);
  });

  it("generates distinct puzzles with 4 to 8 givens and a unique solution that agrees with them", () => {
    const puzzles = generatePuzzles(300, createRandom(11));
    const keys = new Set(puzzles.map((p) => p.givens.join("")));
    expect(keys.size).toBe(300);
    for (const { givens, solution } of puzzles) {
      const count = givens.filter((d) => d > 0).length;
      expect(count).toBeGreaterThanOrEqual(4);
      expect(count).toBeLessThanOrEqual(8);
      expect(isValidSolution(solution)).toBe(true);
      expect(countSolutions(givens, 2)).toBe(1);
      givens.forEach((d, cell) => {
        if (d > 0) expect(solution[cell]).toBe(d);
      });
    }
  });

  it("encodes boards one-hot (cell-major) and decodes them back by argmax", () => {
    const solution = grid("1234/3412/2143/4321");
    const encoded = oneHot([solution]);
    expect(encoded.length).toBe(64);
    expect(encoded.reduce((s, v) => s + v, 0)).toBe(16);
    expect(encoded[0 * 4 + 0]).toBe(1); // cell 0 holds digit 1
    expect(encoded[1 * 4 + 1]).toBe(1); // cell 1 holds digit 2
    expect(Array.from(decode(encoded))).toEqual(Array.from(solution));
  });
});
