import { tf, useCpuBackend } from "./lib/tf.js";
import { createRandom } from "./lib/random.js";
import { createLearnedDifferenceModel } from "./denoise/models.js";
import { differenceMatrix, generateSignals } from "./denoise/signals.js";
import { closeWorkers } from "../../src/index.js";
await useCpuBackend();
const d = generateSignals(50, 100, createRandom(1));
const m = createLearnedDifferenceModel("t", 100, 20, differenceMatrix(100), 0);
const x = tf.tensor2d(d.noisy, [50, 100]), y = tf.tensor2d(d.clean, [50, 100]);
const opt = tf.train.adam(+(process.argv[2] ?? 1e-3));
for (let i = 0; i < 6; i++) {
  const t = performance.now();
  const c = opt.minimize(() => tf.losses.meanSquaredError(y, m.predict(x)) as tf.Scalar, true, m.variables);
  console.log(i, c?.dataSync()[0], (performance.now() - t).toFixed(0), "ms");
}
await closeWorkers();
