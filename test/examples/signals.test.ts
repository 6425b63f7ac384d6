import { describe, expect, it } from "vitest";
import { createRandom } from "../../examples/experiments/lib/random.js";
import {
  differenceMatrix,
  generateSignals,
  meanSquaredError,
} from "../../examples/experiments/denoise/signals.js";

describe("piecewise-constant signals", () => {
  const data = generateSignals(500, 100, createRandom(2));

  it("has 1 to 9 pieces of integer heights between 10 and 99", () => {
    for (let s = 0; s < data.count; s++) {
      const row = data.clean.subarray(s * 100, (s + 1) * 100);
      let changes = 0;
      for (let t = 0; t < 100; t++) {
        expect(Number.isInteger(row[t])).toBe(true);
        expect(row[t]).toBeGreaterThanOrEqual(10);
        expect(row[t]).toBeLessThanOrEqual(99);
        if (t > 0 && row[t] !== row[t - 1]) changes++;
      }
      expect(changes).toBeLessThanOrEqual(8);
    }
  });

  it("adds Gaussian noise of standard deviation 10", () => {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < data.noisy.length; i++) {
      const e = (data.noisy[i] ?? 0) - (data.clean[i] ?? 0);
      sum += e;
      squares += e * e;
    }
    const n = data.noisy.length;
    const mean = sum / n;
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(Math.sqrt(squares / n - mean * mean)).toBeCloseTo(10, 0);
    // the MSE of the noisy signal itself is the noise variance
    const rows = Array.from({ length: data.count }, (_, i) => i);
    const noisyRows = rows.map((r) => data.noisy.subarray(r * 100, (r + 1) * 100));
    expect(meanSquaredError(noisyRows, data.clean, 100, rows)).toBeCloseTo(squares / n, 3);
  });

  it("builds the first-difference matrix with rows e_i - e_(i+1)", () => {
    const D = differenceMatrix(4);
    expect(Array.from(D)).toEqual([1, -1, 0, 0, 0, 1, -1, 0, 0, 0, 1, -1]);
  });
});
