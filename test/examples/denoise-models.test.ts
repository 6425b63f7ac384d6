import { afterAll, describe, expect, it } from "vitest";
import { closeWorkers } from "../../src/index.js";
import {
  createAdaptiveTvModel,
  createTvDenoiser,
} from "../../examples/experiments/denoise/models.js";
import {
  createGeneralQpModel,
  tvInequalities,
} from "../../examples/experiments/denoise/paper-tuned.js";
import { generateSignals } from "../../examples/experiments/denoise/signals.js";
import { createRandom } from "../../examples/experiments/lib/random.js";
import { tf, useCpuBackend } from "../../examples/experiments/lib/tf.js";

afterAll(async () => {
  await closeWorkers();
});

describe("the paper's tuned-TV model, a general QP layer started at TV", () => {
  const length = 100;
  const lam = 21;

  it("starts with P = diag(1, 1e-8), TV's G and h = G z0 + s0 = 0", async () => {
    await useCpuBackend();
    const model = createGeneralQpModel("tuned", length, lam, { eps: 1e-6 });
    const [L, G, z0, s0] = model.variables as tf.Variable[];
    const n = 2 * length - 1;
    const P = tf.tidy(() => tf.matMul(L as tf.Tensor2D, L as tf.Tensor2D, false, true).dataSync());
    for (let i = 0; i < n; i += 17) expect(P[i * n + i]).toBeCloseTo(i < length ? 1 : 1e-8, 12);
    const h = tf.tidy(() =>
      tf.add(tf.matMul(G as tf.Tensor2D, z0 as tf.Tensor2D), s0 as tf.Tensor2D).dataSync(),
    );
    expect(Math.max(...Array.from(h, Math.abs))).toBeLessThan(1e-5);
    expect(Array.from(G?.dataSync() ?? [])).toEqual(Array.from(tvInequalities(length)));
    model.variables.forEach((v) => v.dispose());
  });

  it("denoises exactly like TV at the same λ before any training", async () => {
    await useCpuBackend();
    const signals = generateSignals(3, length, createRandom(7));
    const rows = [0, 1, 2].map((r) => signals.noisy.slice(r * length, (r + 1) * length));
    const tv = createTvDenoiser(length)(rows, lam);
    const model = createGeneralQpModel("tuned", length, lam, { eps: 1e-6 });
    const predicted = model.predict(tf.tensor2d(signals.noisy, [3, length]));
    const values = predicted.dataSync();
    predicted.dispose();
    model.variables.forEach((v) => v.dispose());
    for (let r = 0; r < 3; r++)
      for (let t = 0; t < length; t++)
        expect(Math.abs((values[r * length + t] ?? NaN) - (tv[r]?.[t] ?? NaN))).toBeLessThan(1e-2);
  });

  it("lowers the loss on a batch after a few Adam steps through every matrix", async () => {
    await useCpuBackend();
    const signals = generateSignals(12, length, createRandom(12));
    const model = createGeneralQpModel("tuned", length, lam, { eps: 1e-6 });
    const noisy = tf.tensor2d(signals.noisy, [12, length]);
    const clean = tf.tensor2d(signals.clean, [12, length]);
    const loss = (): tf.Scalar =>
      tf.losses.meanSquaredError(clean, model.predict(noisy)) as tf.Scalar;
    const before = tf.tidy(() => loss().dataSync()[0] ?? NaN);
    const initial = model.variables.map((v) => v.clone());
    const optimizer = tf.train.adam(1e-4);
    for (let step = 0; step < 3; step++) optimizer.minimize(loss, true, model.variables)?.dispose();
    const after = tf.tidy(() => loss().dataSync()[0] ?? NaN);
    const moved = model.variables.map((v, i) =>
      tf.tidy(() => tf.max(tf.abs(tf.sub(v, initial[i] as tf.Tensor))).dataSync()[0] ?? 0),
    );
    tf.dispose([noisy, clean, ...initial, ...model.variables]);
    optimizer.dispose();
    expect(after).toBeLessThan(before);
    // L, G, z0, s0, W and c all receive a gradient
    for (const m of moved) expect(m).toBeGreaterThan(0);
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
