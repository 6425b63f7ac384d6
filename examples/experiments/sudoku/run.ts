import type { RunOptions, RunReport, Scale } from "../lib/cli.js";
import { createRandom } from "../lib/random.js";
import { loadNow, finishedRun, recordRun, type ModelOutcome } from "../lib/results.js";
import { fixed, formatTable, percent } from "../lib/table.js";
import { tf, useCpuBackend } from "../lib/tf.js";
import { gatherRows, predictInChunks, train, type EpochRecord } from "../lib/train.js";
import { learnedOntoRules, rulesOntoLearned } from "./constraints.js";
import { createConvModel, createOptNetModel, type SudokuModel } from "./models.js";
import { decode, generatePuzzles, oneHot, oneHotSize } from "./puzzles.js";

interface SudokuSetting {
  train: number;
  /** validation puzzles (the epoch is chosen on them), split off the training pool */
  val: number;
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

/**
 * The paper: 9,000 / 1,000 puzzles, batch 150, 20 epochs; its conv net had 10 layers of 512
 * filters. Here the last 1,000 of the 9,000 training puzzles are the validation set.
 */
const settings: Record<Scale, SudokuSetting> = {
  tiny: {
    train: 20,
    val: 10,
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
    val: 300,
    test: 300,
    epochs: 12,
    convEpochs: 12,
    batchSize: 150,
    convDepth: 3,
    // 8 filters: with 16 the conv net alone took 90 s of a 119 s run on two shared cores
    convFilters: 8,
    convDense: 256,
  },
  medium: {
    train: 8000,
    val: 1000,
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
    train: 8000,
    val: 1000,
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
const trainPool = 8_000;
const valPool = 9_000;

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
  const loadStart = loadNow();
  await useCpuBackend();
  const setting = settings[options.scale];
  const epochs = options.epochs ?? setting.epochs;
  const convEpochs = options.epochs ?? setting.convEpochs;
  const random = createRandom(options.seed);

  const puzzles = generatePuzzles(puzzleCount, random);
  const inputs = oneHot(puzzles.map((p) => p.givens));
  const targets = oneHot(puzzles.map((p) => p.solution));
  const trainRows = Array.from({ length: setting.train }, (_, i) => i);
  const valRows = Array.from({ length: setting.val }, (_, i) => trainPool + i);
  const testRows = Array.from({ length: setting.test }, (_, i) => valPool + i);
  options.log(
    `Sudoku 4x4: ${puzzleCount} generated puzzles with unique solutions, seed ${options.seed}; using ${setting.train} train / ${setting.val} validation / ${setting.test} test, batch ${setting.batchSize}; OptNet ${epochs} epochs (Adam lr 0.1), conv net ${setting.convDepth}x${setting.convFilters} filters${setting.convDense ? ` + dense ${setting.convDense}` : ""} ${convEpochs} epochs (Adam lr 1e-3); epoch chosen on the validation error`,
  );

  const measure = (model: SudokuModel, rows: number[]): { loss: number; error: number } => {
    const predictions = predictInChunks(rows.length, 250, (idx) =>
      model.predict(
        gatherRows(
          inputs,
          oneHotSize,
          idx.map((i) => rows[i] ?? 0),
        ),
      ),
    );
    return {
      loss: meanSquaredError(predictions, targets, rows),
      error: boardError(predictions, targets, rows),
    };
  };

  const curves: Record<string, EpochRecord[]> = {};
  const outcomes: Record<string, ModelOutcome> = {};
  let analysis: Record<string, unknown> = {};
  const models: { key: string; create: () => SudokuModel; lr: number; epochs: number }[] = [
    {
      key: "conv",
      create: () =>
        createConvModel(random, setting.convDepth, setting.convFilters, setting.convDense),
      lr: 1e-3,
      epochs: convEpochs,
    },
    { key: "optnet", create: () => createOptNetModel(random), lr: 0.1, epochs },
  ];
  for (const { key, create, lr, epochs: modelEpochs } of models) {
    const model = create();
    const initialA = "A" in model ? (model.A as tf.Variable).arraySync() : undefined;
    const { history, bestEpoch, stoppedBy } = train({
      label: `sudoku ${model.name}`,
      epochs: modelEpochs,
      batchSize: setting.batchSize,
      trainSize: trainRows.length,
      random,
      optimizer: tf.train.adam(lr),
      variables: model.variables,
      progress: options.progress,
      select: "valError",
      evaluate: () => {
        const { loss, error } = measure(model, valRows);
        return { valLoss: loss, valError: error };
      },
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
    curves[key] = history;
    const kept = history[bestEpoch]?.metrics ?? {};
    const trainSet = measure(model, trainRows);
    const test = measure(model, testRows);
    outcomes[key] = {
      epoch: bestEpoch,
      epochsRun: history.length - 1,
      stoppedBy,
      lr,
      train: { loss: trainSet.loss, error: trainSet.error },
      val: { loss: kept.valLoss ?? NaN, error: kept.valError ?? NaN },
      test: { loss: test.loss, error: test.error },
    };
    if ("A" in model && initialA) {
      const A = (model.A as tf.Variable).dataSync();
      const rows = (model.A as tf.Variable).shape[0] ?? 0;
      const flatInitial = Float64Array.from((initialA as number[][]).flat());
      analysis = {
        rulesOntoLearnedA: summary(rulesOntoLearned(A, rows)),
        rulesOntoInitialA: summary(rulesOntoLearned(flatInitial, rows)),
        learnedAOntoRules: summary(learnedOntoRules(A, rows)),
        initialAOntoRules: summary(learnedOntoRules(flatInitial, rows)),
      };
    }
    for (const v of model.variables) v.dispose();
  }

  const names: Record<string, string> = { conv: "Conv", optnet: "OptNet" };
  const table = formatTable(
    ["model", "epoch kept", "train loss", "train error", "val error", "test loss", "test error"],
    Object.entries(outcomes).map(([key, o]) => [
      names[key] ?? key,
      `${o.epoch} of ${o.epochsRun}`,
      fixed(o.train.loss ?? NaN, 4),
      percent(o.train.error ?? NaN),
      percent(o.val.error ?? NaN),
      fixed(o.test.loss ?? NaN, 4),
      percent(o.test.error ?? NaN),
    ]),
  );
  options.log(`\n${table}`);
  options.log(
    "(train loss and error of the kept model on all training puzzles; test measured once, at the kept epoch)",
  );
  for (const [name, r] of Object.entries(analysis) as [
    string,
    { rank: number; mean: number; max: number },
  ][])
    options.log(
      `${name}: rank ${r.rank}, residual mean ${r.mean.toFixed(3)}, max ${r.max.toFixed(3)}`,
    );

  const record = finishedRun(options.seed, started, loadStart, {
    setting: { ...setting, epochs, convEpochs } as unknown as Record<string, unknown>,
    curves,
    outcomes,
    extra: { learnedA: analysis },
  });
  const { wallSeconds } = record;
  const resultsFile = recordRun(options.resultsDir, "sudoku", options.scale, record);
  const results: Record<string, number> = {};
  for (const [key, o] of Object.entries(outcomes)) {
    results[`${key} testError`] = o.test.error ?? NaN;
    results[`${key} testLoss`] = o.test.loss ?? NaN;
  }
  return { table, resultsFile, results, wallSeconds };
}

/** The residuals without the per-row list's noise: mean, max, rank, and the list rounded. */
function summary(r: { rank: number; residuals: number[]; mean: number; max: number }) {
  return {
    rank: r.rank,
    mean: r.mean,
    max: r.max,
    residuals: r.residuals.map((v) => Number(v.toPrecision(3))),
  };
}
