import type { RunOptions, RunReport, Scale } from "../lib/cli.js";
import { createRandom } from "../lib/random.js";
import { loadNow, finishedRun, recordRun, type ModelOutcome } from "../lib/results.js";
import { fixed, formatTable, percent } from "../lib/table.js";
import { tf, useCpuBackend } from "../lib/tf.js";
import {
  gatherRows,
  predictInChunks,
  train,
  type EpochRecord,
  type TrainingRun,
} from "../lib/train.js";
import { classes, loadDigits, oneHotLabels, pixels, type DigitSet } from "./data.js";
import { createFullyConnectedModel, createOptNetModel, type DigitModel } from "./models.js";

interface DigitsSetting {
  /** images used (the rest of the data set is left out), split 80 / 20 */
  images: number;
  epochs: number;
  hidden: number;
}

/** The paper: FC600, Adam lr 1e-3, batch 64 (on MNIST). */
const settings: Record<Scale, DigitsSetting> = {
  tiny: { images: 50, epochs: 1, hidden: 32 },
  quick: { images: 1797, epochs: 10, hidden: 600 },
  medium: { images: 1797, epochs: 30, hidden: 600 },
  full: { images: 1797, epochs: 60, hidden: 600 },
};
const batchSize = 64;

function accuracy(
  logits: readonly Float32Array[],
  labels: Int32Array,
  rows: readonly number[],
): number {
  let right = 0;
  logits.forEach((row, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((row[c] ?? 0) > (row[best] ?? 0)) best = c;
    if (best === labels[rows[i] ?? 0]) right++;
  });
  return logits.length ? right / logits.length : NaN;
}

function crossEntropy(
  logits: readonly Float32Array[],
  labels: Int32Array,
  rows: readonly number[],
): number {
  let total = 0;
  logits.forEach((row, i) => {
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    total += max + Math.log(sum) - (row[labels[rows[i] ?? 0] ?? 0] ?? 0);
  });
  return total / logits.length;
}

function measure(
  model: DigitModel,
  data: DigitSet,
  rows: number[],
): { loss: number; accuracy: number } {
  const logits = predictInChunks(rows.length, 400, (idx) =>
    model.logits(
      gatherRows(
        data.images,
        pixels,
        idx.map((i) => rows[i] ?? 0),
      ),
    ),
  );
  return {
    loss: crossEntropy(logits, data.labels, rows),
    accuracy: accuracy(logits, data.labels, rows),
  };
}

function trainModel(
  model: DigitModel,
  data: DigitSet,
  trainRows: number[],
  valRows: number[],
  epochs: number,
  options: RunOptions,
  random: ReturnType<typeof createRandom>,
): TrainingRun {
  return train({
    label: `digits ${model.name}`,
    epochs,
    batchSize,
    trainSize: trainRows.length,
    random,
    optimizer: tf.train.adam(1e-3),
    variables: model.variables,
    progress: options.progress,
    select: "valLoss",
    evaluate() {
      const { loss, accuracy: acc } = measure(model, data, valRows);
      return { valLoss: loss, valAccuracy: acc };
    },
    loss(indices, record) {
      const rows = indices.map((i) => trainRows[i] ?? 0);
      const logits = model.logits(gatherRows(data.images, pixels, rows));
      const values = logits.dataSync() as Float32Array;
      const perRow = rows.map((_, i) => values.subarray(i * classes, (i + 1) * classes));
      record("trainAccuracy", accuracy(perRow, data.labels, rows), rows.length);
      const targets = tf.tensor2d(oneHotLabels(data.labels, rows), [rows.length, classes]);
      return tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar;
    },
  });
}

export async function runDigits(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const loadStart = loadNow();
  await useCpuBackend();
  const setting = settings[options.scale];
  const epochs = options.epochs ?? setting.epochs;
  const random = createRandom(options.seed);
  const data = loadDigits();
  const order = random
    .shuffled(Array.from({ length: data.count }, (_, i) => i))
    .slice(0, setting.images);
  // 80% for training, of which a fifth is the validation set; 20% test
  const split = Math.round(0.8 * order.length);
  const valSplit = Math.round(0.8 * split);
  const trainRows = order.slice(0, valSplit);
  const valRows = order.slice(valSplit, split);
  const testRows = order.slice(split);
  options.log(
    `Digits (UCI 8x8): ${data.count} images, seed ${options.seed}; using ${trainRows.length} train / ${valRows.length} validation / ${testRows.length} test, ${epochs} epochs, batch ${batchSize}, Adam lr 1e-3; epoch chosen on the validation loss`,
  );

  const names: Record<string, string> = {
    fc: "FC600-FC10-FC10-softmax",
    optnet: "FC600-FC10-OptNet10-softmax",
  };
  const curves: Record<string, EpochRecord[]> = {};
  const outcomes: Record<string, ModelOutcome> = {};
  for (const [key, create] of [
    ["fc", () => createFullyConnectedModel(random, setting.hidden)],
    ["optnet", () => createOptNetModel(random, setting.hidden)],
  ] as const) {
    const model = create();
    const { history, bestEpoch, stoppedBy } = trainModel(
      model,
      data,
      trainRows,
      valRows,
      epochs,
      options,
      random,
    );
    curves[key] = history;
    const kept = history[bestEpoch]?.metrics ?? {};
    const trainSet = measure(model, data, trainRows);
    const test = measure(model, data, testRows);
    outcomes[key] = {
      epoch: bestEpoch,
      epochsRun: history.length - 1,
      stoppedBy,
      lr: 1e-3,
      train: { loss: trainSet.loss, accuracy: trainSet.accuracy },
      val: { loss: kept.valLoss ?? NaN, accuracy: kept.valAccuracy ?? NaN },
      test: { loss: test.loss, accuracy: test.accuracy },
    };
    for (const v of model.variables) v.dispose();
  }

  const table = formatTable(
    [
      "model",
      "epoch kept",
      "train loss",
      "train accuracy",
      "val accuracy",
      "test loss",
      "test accuracy",
    ],
    Object.entries(outcomes).map(([key, o]) => [
      names[key] ?? key,
      `${o.epoch} of ${o.epochsRun}`,
      fixed(o.train.loss ?? NaN, 4),
      percent(o.train.accuracy ?? NaN),
      percent(o.val.accuracy ?? NaN),
      fixed(o.test.loss ?? NaN, 4),
      percent(o.test.accuracy ?? NaN),
    ]),
  );
  options.log(`\n${table}`);
  const record = finishedRun(options.seed, started, loadStart, {
    setting: { ...setting, epochs, batchSize } as unknown as Record<string, unknown>,
    curves,
    outcomes,
    extra: { split: { train: trainRows.length, val: valRows.length, test: testRows.length } },
  });
  const { wallSeconds } = record;
  const resultsFile = recordRun(options.resultsDir, "digits", options.scale, record);
  const results: Record<string, number> = {};
  for (const [key, o] of Object.entries(outcomes)) {
    results[`${key} testAccuracy`] = o.test.accuracy ?? NaN;
    results[`${key} testLoss`] = o.test.loss ?? NaN;
  }
  return { table, resultsFile, results, wallSeconds };
}
