import { tf, useCpuBackend } from "./lib/tf.js";
import { createRandom } from "./lib/random.js";
import { createLearnedDifferenceModel } from "./denoise/models.js";
import { differenceMatrix, generateSignals } from "./denoise/signals.js";
import { closeWorkers } from "../../src/index.js";
await useCpuBackend();
const [kind, lrs, stepsS] = process.argv.slice(2);
const d = generateSignals(300, 100, createRandom(1));
const m = createLearnedDifferenceModel("t", 100, 20, differenceMatrix(100), 0);
const xs = tf.tensor2d(d.noisy, [300, 100]),
  ys = tf.tensor2d(d.clean, [300, 100]);
const xtr = xs.slice([0, 0], [200, 100]) as tf.Tensor2D,
  ytr = ys.slice([0, 0], [200, 100]);
const xte = xs.slice([200, 0], [100, 100]) as tf.Tensor2D,
  yte = ys.slice([200, 0], [100, 100]);
const band = tf.tensor2d(differenceMatrix(100), [99, 100]).abs();
const opt = kind!.startsWith("sgd") ? tf.train.sgd(+lrs!) : tf.train.adam(+lrs!);
const test = () => (tf.losses.meanSquaredError(yte, m.predict(xte)) as tf.Scalar).dataSync()[0];
console.log(kind, lrs, "test0", test());
for (let s = 0; s < +stepsS!; s++) {
  const b = (s % 4) * 50;
  const x = xtr.slice([b, 0], [50, 100]) as tf.Tensor2D,
    y = ytr.slice([b, 0], [50, 100]);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.meanSquaredError(y, m.predict(x)) as tf.Scalar,
  );
  let g = Object.values(grads)[0]!;
  if (kind!.endsWith("band")) g = tf.mul(g, band);
  opt.applyGradients([{ name: m.D.name, tensor: g }]);
  if (s % 4 === 3) console.log(s, value.dataSync()[0], "test", test());
}
await closeWorkers();
