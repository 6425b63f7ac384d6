import { tf, useCpuBackend } from "./lib/tf.js";
import { createRandom } from "./lib/random.js";
import { gatherRows, predictInChunks, train } from "./lib/train.js";
import { createConvModel, createOptNetModel } from "./sudoku/models.js";
import { decode, generatePuzzles, oneHot } from "./sudoku/puzzles.js";
import { closeWorkers } from "../../src/index.js";
await useCpuBackend();
const [which, ntrain, ntest, epochs, lrArg, depth, filters] = process.argv.slice(2);
const r = createRandom(1);
const p = generatePuzzles(10000, r);
const X = oneHot(p.map((q) => q.givens)),
  Y = oneHot(p.map((q) => q.solution));
const tr = Array.from({ length: +ntrain! }, (_, i) => i),
  te = Array.from({ length: +ntest! }, (_, i) => 9000 + i);
const m = which === "optnet" ? createOptNetModel(r) : createConvModel(r, +depth!, +filters!);
const err = (preds: ArrayLike<number>[], rows: number[]) =>
  preds.filter((q, i) => {
    const t = decode(Y.subarray(rows[i]! * 64, rows[i]! * 64 + 64));
    return decode(q).some((d, c) => d !== t[c]);
  }).length / preds.length;
const t0 = performance.now();
const h = train({
  label: which!,
  epochs: +epochs!,
  batchSize: 150,
  trainSize: tr.length,
  random: r,
  optimizer: tf.train.adam(+lrArg!),
  variables: m.variables,
  progress: false,
  evaluate: (e) => {
    const pr = predictInChunks(te.length, 250, (idx) =>
      m.predict(
        gatherRows(
          X,
          64,
          idx.map((i) => te[i]!),
        ),
      ),
    );
    const v = { testError: err(pr, te) };
    console.log(e, JSON.stringify(v), ((performance.now() - t0) / 1000).toFixed(0), "s");
    return v;
  },
  loss(idx, rec) {
    const rows = idx.map((i) => tr[i]!);
    const pred = m.predict(gatherRows(X, 64, rows));
    const d = pred.dataSync() as Float32Array;
    rec(
      "trainError",
      err(
        rows.map((_, i) => d.subarray(i * 64, i * 64 + 64)),
        rows,
      ),
      rows.length,
    );
    return tf.losses.meanSquaredError(gatherRows(Y, 64, rows), pred) as tf.Scalar;
  },
});
console.log(h.map((x) => JSON.stringify(x)).join("\n"));
await closeWorkers();
