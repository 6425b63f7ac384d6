import { describe, expect, it } from "vitest";
import { loadDigits, oneHotLabels } from "../../examples/experiments/digits/data.js";

describe("digits data set", () => {
  const data = loadDigits();

  it("holds 1,797 images of 64 pixels scaled to [0, 1] and every label 0-9", () => {
    expect(data.count).toBe(1797);
    expect(data.images.length).toBe(1797 * 64);
    expect(Math.min(...data.images)).toBe(0);
    expect(Math.max(...data.images)).toBe(1);
    const counts = new Array<number>(10).fill(0);
    for (const label of data.labels) counts[label] = (counts[label] ?? 0) + 1;
    // the UCI test part has 174 to 183 images of each digit
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(170);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1797);
  });

  it("one-hot encodes the chosen labels", () => {
    const encoded = oneHotLabels(Int32Array.from([3, 0, 9]), [2, 0]);
    expect(Array.from(encoded)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
    ]);
  });
});
