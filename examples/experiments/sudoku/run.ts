import { join } from "node:path";
import type { RunOptions, RunReport, Scale } from "../lib/cli.js";
import { lineChartSpec, writeSvg, type Series } from "../lib/plot.js";
import { createRandom } from "../lib/random.js";
import { fixed, formatTable, percent } from "../lib/table.js";
import { tf, useCpuBackend } from "../lib/tf.js";
import { gatherRows, predictInChunks, train, type EpochRecord } from "../lib/train.js";
import { createConvModel, createOptNetModel, type SudokuModel } from "./models.js";
import { decode, generatePuzzles, oneHot, oneHotSize } from "./puzzles.js";

interface SudokuSetting {
  train: number;
  test: number;
  /** epochs of the OptNet model */
  epochs: number;
  /** epochs of the convolutional baseline (cheaper per step, slower to fit) */
  convEpochs: number;
  batchSize: number;
  convDepth: number;
  convFilters: number;
  /** hidden units of the conv net's fully connected head (0: a 1×1 convolution instead) */
  convDense: number;
}

/** The paper: 9,000 / 1,000 puzzles, batch 150, 20 epochs; its conv net had 10 layers of 512 filters. */
const settings: Record<Scale, SudokuSetting> = {
  tiny: {
    train: 20,
    test: 10,
    epochs: 1,
    convEpochs: 1,
    batchSize: 10,
    convDepth: 2,
    convFilters: 8,
    convDense: 16,
  },
  quick: {
    train: 1500,
    test: 300,
    epochs: 12,
    convEpochs: 12,
    batchSize: 150,
    convDepth: 3,
    convFilters: 16,
    convDense: 256,
  },
  medium: {
    train: 9000,
    test: 1000,
    epochs: 6,
    convEpochs: 12,
    batchSize: 150,
    convDepth: 3,
    convFilters: 32,
    convDense: 512,
  },
  // The paper's data, batch and epochs. Its conv net (10 layers of 512 filters) would take days
  // on tfjs's pure-JavaScript CPU backend on two cores; the medium net already overfits.
  full: {
    train: 9000,
    test: 1000,
    epochs: 20,
    convEpochs: 20,
    batchSize: 150,
    convDepth: 3,
    convFilters: 32,
    convDense: 512,
  },
};

const puzzleCount = 10_000;
const trainPool = 9_000;

/** Fraction of boards with at least one wrong cell. */
function boardError(
  predictions: ArrayLike<number>[],
  solutions: Float32Array,
  rows: readonly number[],
): number {
  let wrong = 0;
  predictions.forEach((prediction, i) => {
    const row = rows[i] ?? 0;
    const truth = decode(solutions.subarray(row * oneHotSize, (row + 1) * oneHotSize));
    const guess = decode(prediction);
    if (guess.some((d, cell) => d !== truth[cell])) wrong++;
  });
  return predictions.length ? wrong / predictions.length : NaN;
}

function meanSquaredError(
  predictions: Float32Array[],
  targets: Float32Array,
  rows: readonly number[],
): number {
  let total = 0;
  predictions.forEach((p, i) => {
    const offset = (rows[i] ?? 0) * oneHotSize;
    for (let k = 0; k < oneHotSize; k++) total += (p[k]! - targets[offset + k]!) ** 2;
  });
  return total / (predictions.length * oneHotSize);
}

export async function runSudoku(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  await useCpuBackend();
  const setting = settings[options.scale];
  const epochs = options.epochs ?? setting.epochs;
  const convEpochs = options.epochs ?? setting.convEpochs;
  const random = createRandom(options.seed);

  const puzzles = generatePuzzles(puzzleCount, random);
  const inputs = oneHot(puzzles.map((p) => p.givens));
  const targets = oneHot(puzzles.map((p) => p.solution));
  const trainRows = Array.from({ length: setting.train }, (_, i) => i);
  const testRows = Array.from({ length: setting.test }, (_, i) => trainPool + i);
  options.log(
    `Sudoku 4x4: ${puzzleCount} generated puzzles with unique solutions; using ${setting.train} train / ${setting.test} test, batch ${setting.batchSize}; OptNet ${epochs} epochs (Adam lr 0.1), conv net ${setting.convDepth}x${setting.convFilters} filters${setting.convDense ? ` + dense ${setting.convDense}` : ""} ${convEpochs} epochs (Adam lr 1e-3)`,
  );

  const evaluate = (model: SudokuModel) => (): Record<string, number> => {
    const predictions = predictInChunks(testRows.length, 250, (idx) =>
      model.predict(
        gatherRows(
          inputs,
          oneHotSize,
          idx.map((i) => testRows[i] ?? 0),
        ),
      ),
    );
    return {
      testLoss: meanSquaredError(predictions, targets, testRows),
      testError: boardError(predictions, targets, testRows),
    };
  };

  const runs: { model: SudokuModel; history: EpochRecord[] }[] = [];
  const models: { create: () => SudokuModel; lr: number; epochs: number }[] = [
    {
      create: () =>
        createConvModel(random, setting.convDepth, setting.convFilters, setting.convDense),
      lr: 1e-3,
      epochs: convEpochs,
    },
    { create: () => createOptNetModel(random), lr: 0.1, epochs },
  ];
  for (const { create, lr, epochs: modelEpochs } of models) {
    const model = create();
    const history = train({
      label: `sudoku ${model.name}`,
      epochs: modelEpochs,
      batchSize: setting.batchSize,
      trainSize: trainRows.length,
      random,
      optimizer: tf.train.adam(lr),
      variables: model.variables,
      progress: options.progress,
      evaluate: evaluate(model),
      loss(indices, record) {
        const rows = indices.map((i) => trainRows[i] ?? 0);
        const x = gatherRows(inputs, oneHotSize, rows);
        const y = gatherRows(targets, oneHotSize, rows);
        const prediction = model.predict(x);
        const data = prediction.dataSync() as Float32Array;
        const perRow = rows.map((_, i) => data.subarray(i * oneHotSize, (i + 1) * oneHotSize));
        record("trainError", boardError(perRow, targets, rows), rows.length);
        return tf.losses.meanSquaredError(y, prediction) as tf.Scalar;
      },
    });
    runs.push({ model, history });
    for (const v of model.variables) v.dispose();
  }

  const errorSeries: Series[] = [];
  const lossSeries: Series[] = [];
  for (const { model, history } of runs) {
    const trainPoints = history.slice(1);
    errorSeries.push(
      {
        name: `${model.name} train`,
        points: trainPoints.map((h) => [h.epoch, h.metrics.trainError ?? NaN]),
      },
      {
        name: `${model.name} test`,
        points: history.map((h) => [h.epoch, h.metrics.testError ?? NaN]),
      },
    );
    lossSeries.push(
      {
        name: `${model.name} train`,
        points: trainPoints.map((h) => [h.epoch, h.metrics.trainLoss ?? NaN]),
      },
      {
        name: `${model.name} test`,
        points: history.map((h) => [h.epoch, h.metrics.testLoss ?? NaN]),
      },
    );
  }
  const figures = [
    await writeSvg(
      lineChartSpec({
        title: `4x4 Sudoku: board error (${options.scale} setting)`,
        xTitle: "epoch",
        yTitle: "fraction of boards not solved",
        series: errorSeries,
      }),
      join(options.outDir, "sudoku-error.svg"),
    ),
    await writeSvg(
      lineChartSpec({
        title: `4x4 Sudoku: MSE loss (${options.scale} setting)`,
        xTitle: "epoch",
        yTitle: "loss",
        series: lossSeries,
        logY: true,
      }),
      join(options.outDir, "sudoku-loss.svg"),
    ),
  ];

  const table = formatTable(
    ["model", "train loss", "train error", "test loss", "test error", "best test error"],
    runs.map(({ model, history }) => {
      const last = history[history.length - 1]?.metrics ?? {};
      const best = Math.min(...history.map((h) => h.metrics.testError ?? Infinity));
      return [
        model.name,
        fixed(last.trainLoss ?? NaN, 4),
        percent(last.trainError ?? NaN),
        fixed(last.testLoss ?? NaN, 4),
        percent(last.testError ?? NaN),
        percent(best),
      ];
    }),
  );
  options.log(`\n${table}`);
  options.log("(train loss and error: running means over the last epoch's minibatches)");
  const results: Record<string, number> = {};
  for (const { model, history } of runs) {
    const last = history[history.length - 1]?.metrics ?? {};
    for (const [key, value] of Object.entries(last)) results[`${model.name} ${key}`] = value;
  }
  return { table, figures, results, wallSeconds: (performance.now() - started) / 1000 };
}
