import { afterAll, describe, expect, it } from "vitest";
import { closeWorkers } from "../../src/index.js";
import {
  createTunedDifferenceModel,
  createTvDenoiser,
} from "../../examples/experiments/denoise/models.js";
import { differenceMatrix, generateSignals } from "../../examples/experiments/denoise/signals.js";
import { createRandom } from "../../examples/experiments/lib/random.js";
import { tf, useCpuBackend } from "../../examples/experiments/lib/tf.js";

afterAll(async () => {
  await closeWorkers();
});

describe("the OptNet model tuned from total variation", () => {
  const length = 100;
  const lam = 21;

  it("starts as λ times the difference operator, so every row sums to zero", () => {
    const model = createTunedDifferenceModel("tuned", length, lam);
    const D = model.differenceOperator();
    const diff = differenceMatrix(length);
    for (let i = 0; i < D.length; i++) expect(D[i]).toBeCloseTo(lam * (diff[i] ?? 0), 5);
    model.variables.forEach((v) => v.dispose());
  });

  it("denoises exactly like TV at the same λ before any training", async () => {
    await useCpuBackend();
    const signals = generateSignals(3, length, createRandom(7));
    const rows = [0, 1, 2].map((r) => signals.noisy.slice(r * length, (r + 1) * length));
    const tv = createTvDenoiser(length)(rows, lam);
    const model = createTunedDifferenceModel("tuned", length, lam);
    const predicted = model.predict(tf.tensor2d(signals.noisy, [3, length]));
    const values = predicted.dataSync();
    predicted.dispose();
    model.variables.forEach((v) => v.dispose());
    for (let r = 0; r < 3; r++)
      for (let t = 0; t < length; t++)
        expect(Math.abs((values[r * length + t] ?? NaN) - (tv[r]?.[t] ?? NaN))).toBeLessThan(1e-2);
  });
});
