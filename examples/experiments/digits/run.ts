import { join } from "node:path";
import type { RunOptions, RunReport, Scale } from "../lib/cli.js";
import { lineChartSpec, writeSvg, type Series } from "../lib/plot.js";
import { createRandom } from "../lib/random.js";
import { fixed, formatTable, percent } from "../lib/table.js";
import { tf, useCpuBackend } from "../lib/tf.js";
import { gatherRows, predictInChunks, train, type EpochRecord } from "../lib/train.js";
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

function trainModel(
  model: DigitModel,
  data: DigitSet,
  trainRows: number[],
  testRows: number[],
  epochs: number,
  options: RunOptions,
  random: ReturnType<typeof createRandom>,
): EpochRecord[] {
  return train({
    label: `digits ${model.name}`,
    epochs,
    batchSize,
    trainSize: trainRows.length,
    random,
    optimizer: tf.train.adam(1e-3),
    variables: model.variables,
    progress: options.progress,
    evaluate() {
      const logits = predictInChunks(testRows.length, 400, (idx) =>
        model.logits(
          gatherRows(
            data.images,
            pixels,
            idx.map((i) => testRows[i] ?? 0),
          ),
        ),
      );
      return {
        testLoss: crossEntropy(logits, data.labels, testRows),
        testAccuracy: accuracy(logits, data.labels, testRows),
      };
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
  await useCpuBackend();
  const setting = settings[options.scale];
  const epochs = options.epochs ?? setting.epochs;
  const random = createRandom(options.seed);
  const data = loadDigits();
  const order = random
    .shuffled(Array.from({ length: data.count }, (_, i) => i))
    .slice(0, setting.images);
  const split = Math.round(0.8 * order.length);
  const trainRows = order.slice(0, split);
  const testRows = order.slice(split);
  options.log(
    `Digits (UCI 8x8): ${data.count} images; using ${trainRows.length} train / ${testRows.length} test, ${epochs} epochs, batch ${batchSize}, Adam lr 1e-3`,
  );

  const runs: { model: DigitModel; history: EpochRecord[] }[] = [];
  for (const create of [
    () => createFullyConnectedModel(random, setting.hidden),
    () => createOptNetModel(random, setting.hidden),
  ]) {
    const model = create();
    runs.push({
      model,
      history: trainModel(model, data, trainRows, testRows, epochs, options, random),
    });
    for (const v of model.variables) v.dispose();
  }

  const series = (metric: string, trainMetric: string): Series[] =>
    runs.flatMap(({ model, history }) => [
      {
        name: `${model.name} train`,
        points: history.slice(1).map((h) => [h.epoch, h.metrics[trainMetric] ?? NaN] as const),
      },
      {
        name: `${model.name} test`,
        points: history.map((h) => [h.epoch, h.metrics[metric] ?? NaN] as const),
      },
    ]);
  const figures = [
    await writeSvg(
      lineChartSpec({
        title: `Digits: classification error (${options.scale} setting)`,
        xTitle: "epoch",
        yTitle: "error",
        logY: true,
        series: series("testAccuracy", "trainAccuracy").map((s) => ({
          name: s.name,
          points: s.points.map(([x, y]) => [x, Math.max(1 - y, 1e-3)] as const),
        })),
      }),
      join(options.outDir, "digits-error.svg"),
    ),
    await writeSvg(
      lineChartSpec({
        title: `Digits: cross-entropy loss (${options.scale} setting)`,
        xTitle: "epoch",
        yTitle: "loss",
        logY: true,
        series: series("testLoss", "trainLoss"),
      }),
      join(options.outDir, "digits-loss.svg"),
    ),
  ];

  const table = formatTable(
    ["model", "train loss", "train accuracy", "test loss", "test accuracy"],
    runs.map(({ model, history }) => {
      const last = history[history.length - 1]?.metrics ?? {};
      return [
        model.name === "FC" ? "FC600-FC10-FC10-softmax" : "FC600-FC10-OptNet10-softmax",
        fixed(last.trainLoss ?? NaN, 4),
        percent(last.trainAccuracy ?? NaN),
        fixed(last.testLoss ?? NaN, 4),
        percent(last.testAccuracy ?? NaN),
      ];
    }),
  );
  options.log(`\n${table}`);
  options.log("(train loss and accuracy: running means over the last epoch's minibatches)");
  const results: Record<string, number> = {};
  for (const { model, history } of runs) {
    const last = history[history.length - 1]?.metrics ?? {};
    for (const [key, value] of Object.entries(last)) results[`${model.name} ${key}`] = value;
  }
  return { table, figures, results, wallSeconds: (performance.now() - started) / 1000 };
}
