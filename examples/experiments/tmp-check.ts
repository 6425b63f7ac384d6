import { tf, useCpuBackend } from "./lib/tf.js";
import { createRandom } from "./lib/random.js";
import { createConvModel } from "./sudoku/models.js";
import { generatePuzzles, oneHot } from "./sudoku/puzzles.js";
await useCpuBackend();
const r = createRandom(1);
const p = generatePuzzles(150, r);
const x = tf.tensor2d(oneHot(p.map((q) => q.givens)), [150, 64]);
const y = tf.tensor2d(oneHot(p.map((q) => q.solution)), [150, 64]);
for (const [d, f] of [
  [4, 32],
  [4, 64],
  [6, 64],
  [8, 128],
] as const) {
  const m = createConvModel(r, d, f);
  const opt = tf.train.adam(1e-3);
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const c = opt.minimize(
      () => tf.losses.meanSquaredError(y, m.predict(x)) as tf.Scalar,
      true,
      m.variables,
    );
    console.log(d, f, i, c?.dataSync()[0], (performance.now() - t).toFixed(0), "ms");
  }
}
process.exit(0);
