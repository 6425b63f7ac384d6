import { afterAll, describe, expect, it } from "vitest";
import { closeWorkers } from "../../src/index.js";
import {
  createAdaptiveTvModel,
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

describe("the OptNet model with weights predicted from the signal", () => {
  const length = 100;
  const lam = 21;

  it("starts at TV: every weight is λ and the output is TV's at λ", async () => {
    await useCpuBackend();
    const signals = generateSignals(3, length, createRandom(8));
    const rows = [0, 1, 2].map((r) => signals.noisy.slice(r * length, (r + 1) * length));
    const tv = createTvDenoiser(length)(rows, lam);
    const model = createAdaptiveTvModel("adaptive", createRandom(9), length, lam);
    const noisy = tf.tensor2d(signals.noisy, [3, length]);
    const weights = model.weights(noisy).dataSync();
    const predicted = model.predict(noisy);
    const values = predicted.dataSync();
    tf.dispose([noisy, predicted, ...model.variables]);
    expect(weights.length).toBe(3 * (length - 1));
    for (const w of weights) expect(w).toBeCloseTo(lam, 3);
    for (let r = 0; r < 3; r++)
      for (let t = 0; t < length; t++)
        expect(Math.abs((values[r * length + t] ?? NaN) - (tv[r]?.[t] ?? NaN))).toBeLessThan(1e-2);
  });

  it("lowers the loss on a batch after a few Adam steps, through the layer's gradient", async () => {
    await useCpuBackend();
    const signals = generateSignals(20, length, createRandom(10));
    const model = createAdaptiveTvModel("adaptive", createRandom(11), length, lam);
    const noisy = tf.tensor2d(signals.noisy, [20, length]);
    const clean = tf.tensor2d(signals.clean, [20, length]);
    const loss = (): tf.Scalar =>
      tf.losses.meanSquaredError(clean, model.predict(noisy)) as tf.Scalar;
    const before = tf.tidy(() => loss().dataSync()[0] ?? NaN);
    const optimizer = tf.train.adam(1e-2);
    for (let step = 0; step < 8; step++) optimizer.minimize(loss, true, model.variables)?.dispose();
    const after = tf.tidy(() => loss().dataSync()[0] ?? NaN);
    tf.dispose([noisy, clean, ...model.variables]);
    optimizer.dispose();
    expect(after).toBeLessThan(before);
  });
});
