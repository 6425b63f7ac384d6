import { describe, expect, it } from "vitest";
import { differenceLikeness } from "../../examples/experiments/denoise/difference-likeness.js";
import { differenceMatrix } from "../../examples/experiments/denoise/signals.js";
import { createRandom, normalArray } from "../../examples/experiments/lib/random.js";
import {
  learnedOntoRules,
  rulesOntoLearned,
  sudokuConstraintRows,
} from "../../examples/experiments/sudoku/constraints.js";
import { generatePuzzles, oneHot, oneHotSize } from "../../examples/experiments/sudoku/puzzles.js";

describe("how close an operator is to a difference operator", () => {
  it("scores diff(n) as all difference and a random matrix as almost none", () => {
    const exact = differenceLikeness(differenceMatrix(100), 99, 100);
    expect(exact.meanShareOnBestDifference).toBeCloseTo(1, 6);
    expect(exact.rowsMostlyOneDifference).toBe(99);
    expect(exact.meanRelativeRowSum).toBeCloseTo(0, 6);
    const random = differenceLikeness(normalArray(createRandom(3), 99 * 100, 1), 99, 100);
    expect(random.meanShareOnBestDifference).toBeLessThan(0.15);
    expect(random.rowsMostlyOneDifference).toBe(0);
  });

  it("does not count a scaled shifted row sum as a difference", () => {
    // rows e_i + e_(i+1): one pair, but a sum, not a difference
    const sums = new Float32Array(99 * 100);
    for (let i = 0; i < 99; i++) sums[i * 100 + i] = sums[i * 100 + i + 1] = 1;
    const score = differenceLikeness(sums, 99, 100);
    expect(score.rowsMostlyOneDifference).toBe(0);
    expect(score.meanRelativeRowSum).toBeGreaterThan(0.1);
  });
});

describe("the rules of 4x4 Sudoku as rows, and a learned A's row space", () => {
  it("holds 64 rule rows that every solution satisfies with right-hand side 1", () => {
    const rules = sudokuConstraintRows();
    expect(rules).toHaveLength(64);
    const solutions = oneHot(generatePuzzles(5, createRandom(4)).map((p) => p.solution));
    for (let s = 0; s < 5; s++)
      for (const row of rules) {
        let dot = 0;
        for (let j = 0; j < oneHotSize; j++)
          dot += (row[j] ?? 0) * (solutions[s * oneHotSize + j] ?? 0);
        expect(dot).toBe(1);
      }
  });

  it("finds no residual when A is made of the rules and some for a random A", () => {
    const rules = sudokuConstraintRows();
    const A = new Float64Array(rules.length * oneHotSize);
    rules.forEach((r, i) => A.set(r, i * oneHotSize));
    expect(rulesOntoLearned(A, rules.length).max).toBeLessThan(1e-9);
    expect(learnedOntoRules(A, rules.length).max).toBeLessThan(1e-9);
    const random = normalArray(createRandom(5), 40 * oneHotSize, 1);
    const onto = rulesOntoLearned(random, 40);
    expect(onto.rank).toBe(40);
    expect(onto.mean).toBeGreaterThan(0.3);
    // the rules span fewer than 64 dimensions, so a random row leaves some of itself outside
    expect(learnedOntoRules(random, 40).mean).toBeGreaterThan(0.1);
  });
});
