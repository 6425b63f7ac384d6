import type { RunOptions, RunReport, Scale } from "../lib/cli.js";
import { startProgress } from "../lib/progress.js";
import { createRandom, normalArray, type Random } from "../lib/random.js";
import { loadNow, finishedRun, recordRun, type ModelOutcome } from "../lib/results.js";
import { fixed, formatTable } from "../lib/table.js";
import { tf, useCpuBackend } from "../lib/tf.js";
import {
  gatherRows,
  predictInChunks,
  train,
  type EpochRecord,
  type LrReduction,
} from "../lib/train.js";
import { differenceLikeness } from "./difference-likeness.js";
import {
  createAdaptiveTvModel,
  createFullyConnectedModel,
  createLearnedDifferenceModel,
  createTvDenoiser,
  type DenoisingModel,
} from "./models.js";
import { createGeneralQpModel } from "./paper-tuned.js";
import { generateSignals, meanSquaredError, type SignalSet } from "./signals.js";

/** How one trained model is run: its epochs, batch, learning rates tried and its limits. */
interface ModelSetting {
  /** training signals (the first ones of the training pool) */
  train: number;
  epochs: number;
  batch: number;
  /** learning rates tried; with several, each is trained for `trialSteps` and the best on validation kept */
  lrs: number[];
  trialSteps?: number;
  /** stop once an epoch lowers the training loss by less than this fraction */
  plateau?: number;
  /** stop after the epoch that ends past this many seconds */
  budgetSeconds?: number;
  /** halve (or so) the learning rate when the validation MSE stops improving */
  reduceLr?: LrReduction;
}

interface DenoiseSetting {
  /** validation signals (λ, learning rate and epoch are chosen on them) and test signals */
  val: number;
  test: number;
  /** training signals TV's train MSE is reported on */
  tvTrain: number;
  /** at most this many of a model's training signals are used to report its train MSE */
  trainEval: number;
  /** λ values of the coarse sweep (refined around the best one) */
  lambdas: number[];
  refine: boolean;
  fc: ModelSetting & { hidden: number };
  learnedD: ModelSetting;
  paperTuned: ModelSetting;
  adaptive: ModelSetting;
}

/**
 * The paper: 9,000 / 1,000 signals of length 100. Here the 9,000 are split into 8,000 training
 * and 1,000 validation signals; the 1,000 test signals are used once, at the end. The epochs of
 * the QP models are what two shared cores finish in about an hour (the budgets).
 */
const settings: Record<Scale, DenoiseSetting> = {
  tiny: {
    val: 6,
    test: 6,
    tvTrain: 12,
    trainEval: 12,
    lambdas: [10, 20],
    refine: false,
    fc: { train: 12, epochs: 1, batch: 6, lrs: [1e-3], hidden: 16 },
    learnedD: { train: 12, epochs: 1, batch: 6, lrs: [1e-2] },
    paperTuned: { train: 12, epochs: 1, batch: 6, lrs: [1e-4, 1e-3], trialSteps: 1 },
    adaptive: { train: 12, epochs: 1, batch: 6, lrs: [1e-2] },
  },
  // Every QP solve of 100 signals takes seconds here, so the train MSE is reported on 100
  // signals and the QP models see few steps: a smoke run of the pipeline, under two minutes.
  quick: {
    val: 100,
    test: 100,
    tvTrain: 100,
    trainEval: 100,
    lambdas: [10, 15, 20, 25, 30],
    refine: false,
    fc: { train: 500, epochs: 10, batch: 64, lrs: [1e-3], hidden: 256 },
    learnedD: { train: 200, epochs: 8, batch: 25, lrs: [1e-2], plateau: 0.01, budgetSeconds: 10 },
    paperTuned: { train: 300, epochs: 1, batch: 50, lrs: [1e-4, 3e-4], trialSteps: 2 },
    adaptive: { train: 500, epochs: 2, batch: 100, lrs: [1e-2] },
  },
  medium: {
    val: 500,
    test: 500,
    tvTrain: 2000,
    trainEval: 2000,
    lambdas: [5, 10, 15, 20, 25, 30, 40, 60],
    refine: true,
    fc: { train: 8000, epochs: 10, batch: 64, lrs: [1e-3], hidden: 500 },
    learnedD: { train: 2000, epochs: 10, batch: 100, lrs: [1e-2], plateau: 0.01 },
    paperTuned: { train: 8000, epochs: 2, batch: 150, lrs: [1e-4, 3e-4], trialSteps: 10 },
    adaptive: { train: 8000, epochs: 1, batch: 100, lrs: [1e-2] },
  },
  full: {
    val: 1000,
    test: 1000,
    tvTrain: 2000,
    trainEval: 2000,
    lambdas: [5, 10, 15, 20, 25, 30, 40, 60],
    refine: true,
    fc: { train: 8000, epochs: 30, batch: 64, lrs: [1e-3], hidden: 500, budgetSeconds: 300 },
    // few signals and a small batch: many Adam steps within the budget, and epochs short
    // enough to see the training loss stop falling
    learnedD: {
      train: 1000,
      epochs: 50,
      batch: 25,
      lrs: [1e-2],
      plateau: 0.01,
      budgetSeconds: 600,
    },
    // the authors' batch is 150; 50 gives three times the steps for the same time, and
    // 2,000 signals an epoch give a validation point every 40 steps
    paperTuned: {
      train: 2000,
      epochs: 50,
      batch: 50,
      lrs: [1e-4, 3e-4],
      trialSteps: 20,
      budgetSeconds: 1500,
    },
    adaptive: { train: 8000, epochs: 5, batch: 100, lrs: [1e-2], budgetSeconds: 400 },
  },
};

/**
 * --reduce-lr: at a fixed rate the tuned TV's validation MSE wanders by ±0.15 from epoch to epoch
 * once it has levelled off (its 8,000-signal run of 2026-12-06), so the rate is halved after two
 * epochs without a better one.
 */
const REDUCE_LR: LrReduction = { patience: 2, factor: 0.5 };

/** Table 1 of the paper (train MSE, test MSE), by the keys of the models below. */
const paper: Record<string, [number, number]> = {
  fc: [18.5, 29.8],
  learnedD: [52.9, 53.3],
  tv: [16.3, 16.5],
  paperTunedTv: [13.8, 14.4],
};

/** Row labels of the table; the w(x) model is this project's extension, not in the paper. */
export const denoiseModelNames: Record<string, string> = {
  fc: "FC net",
  learnedD: "OptNet, learned D",
  tv: "Total variation",
  paperTunedTv: "OptNet, tuned TV (paper's general QP)",
  adaptiveTv: "TV with weights w(x) (extension, not in the paper)",
};

const signalCount = 10_000;
const trainPool = 8_000;
const valPool = 9_000;
const length = 100;

function rowsOf(data: Float32Array, rows: readonly number[]): Float32Array[] {
  return rows.map((r) => data.subarray(r * length, (r + 1) * length));
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

interface TvResult {
  lam: number;
  /** (λ, validation MSE) */
  sweep: [number, number][];
  outcome: ModelOutcome;
  denoise: (signals: Float32Array[]) => Float64Array[];
}

function sweepTotalVariation(
  data: SignalSet,
  rows: { train: number[]; val: number[]; test: number[] },
  setting: DenoiseSetting,
  progress: boolean,
): TvResult {
  const tv = createTvDenoiser(length);
  const chunk = 100;
  const mseAt = (lam: number, part: number[], tick?: () => void): number => {
    const predictions: Float64Array[] = [];
    for (let start = 0; start < part.length; start += chunk) {
      predictions.push(...tv(rowsOf(data.noisy, part.slice(start, start + chunk)), lam));
      tick?.();
    }
    return meanSquaredError(predictions, data.clean, length, part);
  };
  const chunks = Math.ceil(rows.val.length / chunk);
  const sweep = new Map<number, number>();
  const bar = startProgress("denoise TV sweep", setting.lambdas.length * chunks, progress);
  for (const lam of setting.lambdas)
    sweep.set(
      lam,
      mseAt(lam, rows.val, () => bar.tick({ lam: String(lam) })),
    );
  bar.stop();
  const bestOf = (): number => [...sweep].reduce((a, b) => (b[1] < a[1] ? b : a))[0];
  if (setting.refine) {
    // integers between the best coarse value and its neighbours
    const sorted = [...sweep.keys()].sort((a, b) => a - b);
    const at = sorted.indexOf(bestOf());
    const lo = sorted[Math.max(0, at - 1)] ?? 0;
    const hi = sorted[Math.min(sorted.length - 1, at + 1)] ?? 0;
    const step = Math.max(1, Math.round((hi - lo) / 8));
    const extra: number[] = [];
    for (let lam = lo + step; lam < hi; lam += step) if (!sweep.has(lam)) extra.push(lam);
    const refineBar = startProgress("denoise TV refine", extra.length * chunks, progress);
    for (const lam of extra)
      sweep.set(
        lam,
        mseAt(lam, rows.val, () => refineBar.tick({ lam: String(lam) })),
      );
    refineBar.stop();
  }
  const lam = bestOf();
  return {
    lam,
    sweep: [...sweep].sort((a, b) => a[0] - b[0]),
    outcome: {
      train: { mse: mseAt(lam, rows.train) },
      val: { mse: sweep.get(lam) ?? NaN },
      test: { mse: mseAt(lam, rows.test) },
    },
    denoise: (signals) => tv(signals, lam),
  };
}

function modelMse(model: DenoisingModel, data: SignalSet, rows: number[], chunk: number): number {
  const predictions = predictInChunks(rows.length, chunk, (idx) =>
    model.predict(
      gatherRows(
        data.noisy,
        length,
        idx.map((i) => rows[i] ?? 0),
      ),
    ),
  );
  return meanSquaredError(predictions, data.clean, length, rows);
}

interface TrainedModel<M extends DenoisingModel> {
  model: M;
  history: EpochRecord[];
  outcome: ModelOutcome;
}

/**
 * Trains a model (made fresh by `create` for every learning rate tried) on the training rows,
 * chooses the learning rate and the epoch on the validation rows, and only then measures the
 * test MSE, once.
 */
function trainModel<M extends DenoisingModel>(
  create: () => M,
  data: SignalSet,
  rows: { train: number[]; val: number[]; test: number[] },
  model: ModelSetting,
  random: Random,
  progress: boolean,
  evalChunk: number,
  trainEval: number,
): TrainedModel<M> {
  const trainRows = rows.train.slice(0, model.train);
  const run = (candidate: M, lr: number, epochs: number, part: number[]) =>
    train({
      label: `denoise ${candidate.name}`,
      epochs,
      batchSize: model.batch,
      trainSize: part.length,
      random,
      optimizer: tf.train.adam(lr),
      variables: candidate.variables,
      progress,
      select: "valMse",
      plateau: model.plateau,
      budgetSeconds: model.budgetSeconds,
      ...(model.reduceLr ? { reduceLrOnPlateau: model.reduceLr } : {}),
      evaluate: () => ({ valMse: modelMse(candidate, data, rows.val, evalChunk) }),
      loss(indices, record) {
        const batch = indices.map((i) => part[i] ?? 0);
        const prediction = candidate.predict(gatherRows(data.noisy, length, batch));
        const fit = tf.losses.meanSquaredError(
          gatherRows(data.clean, length, batch),
          prediction,
        ) as tf.Scalar;
        record("trainMse", fit.dataSync()[0] ?? NaN, batch.length);
        return candidate.penalty ? tf.add(fit, candidate.penalty()) : fit;
      },
    });
  let lr = model.lrs[0] ?? NaN;
  let lrCandidates: { lr: number; val: number }[] | undefined;
  if (model.lrs.length > 1) {
    // a short trial from the same start for every rate, scored on the validation signals
    const steps = model.trialSteps ?? 1;
    const trialRows = trainRows.slice(0, steps * model.batch);
    lrCandidates = model.lrs.map((candidateLr) => {
      const trial = create();
      const { history } = run(trial, candidateLr, 1, trialRows);
      for (const v of trial.variables) v.dispose();
      return { lr: candidateLr, val: history[history.length - 1]?.metrics.valMse ?? NaN };
    });
    lr = lrCandidates.reduce((a, b) => (b.val < a.val ? b : a)).lr;
  }
  const chosen = create();
  const { history, bestEpoch, stoppedBy } = run(chosen, lr, model.epochs, trainRows);
  return {
    model: chosen,
    history,
    outcome: {
      epoch: bestEpoch,
      epochsRun: history.length - 1,
      stoppedBy,
      lr,
      ...(lrCandidates ? { lrCandidates } : {}),
      train: { mse: modelMse(chosen, data, trainRows.slice(0, trainEval), evalChunk) },
      val: { mse: history[bestEpoch]?.metrics.valMse ?? NaN },
      test: { mse: modelMse(chosen, data, rows.test, evalChunk) },
    },
  };
}

/**
 * Rows reordered by the column of their largest |entry| (as in the paper's Figure 3), then the
 * top-left `crop`×`crop` block: the full 99×100 matrices make multi-megabyte SVG files.
 */
function rowsByPeak(matrix: ArrayLike<number>, rows: number, cols: number, crop = 40): number[][] {
  const list = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => matrix[i * cols + j] ?? 0),
  );
  const peak = (row: number[]): number => {
    let best = 0;
    for (let j = 1; j < cols; j++) if (Math.abs(row[j] ?? 0) > Math.abs(row[best] ?? 0)) best = j;
    return best;
  };
  return list
    .sort((a, b) => peak(a) - peak(b))
    .slice(0, crop)
    .map((row) => row.slice(0, crop).map((v) => Number(v.toPrecision(4))));
}

function rounded(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => Number(v.toPrecision(5)));
}

/**
 * One trained model and TV alone (`--only`), e.g. the paper's tuned TV on more signals than the
 * full run's budget allows next to the other models; its file is denoise-<setting>-<model>.json.
 */
function runOne(
  key: string,
  tv: TvResult,
  data: SignalSet,
  rows: { train: number[]; val: number[]; test: number[] },
  setting: DenoiseSetting,
  random: Random,
  options: RunOptions,
  started: number,
  loadStart: number,
): RunReport {
  const n = length;
  const makers: Record<string, [() => DenoisingModel, ModelSetting, number]> = {
    fc: [() => createFullyConnectedModel(random, length, setting.fc.hidden), setting.fc, 1000],
    learnedD: [
      () =>
        createLearnedDifferenceModel(
          "OptNet, learned D",
          n,
          tv.lam,
          normalArray(random, (n - 1) * n, 1 / Math.sqrt(n)),
          1e-4,
        ),
      setting.learnedD,
      100,
    ],
    paperTunedTv: [
      () => createGeneralQpModel("OptNet, tuned TV", n, tv.lam, { eps: 1e-6 }),
      setting.paperTuned,
      100,
    ],
    adaptiveTv: [
      () => createAdaptiveTvModel("OptNet, w(x)", random, n, tv.lam),
      setting.adaptive,
      100,
    ],
  };
  const [create, modelSetting, chunk] = makers[key] ?? [];
  if (!create || !modelSetting || chunk === undefined) throw new Error(`--only ${key}: unknown`);
  const trained = trainModel(
    create,
    data,
    rows,
    modelSetting,
    random,
    options.progress,
    chunk,
    setting.trainEval,
  );
  for (const v of trained.model.variables) v.dispose();
  const outcomes: Record<string, ModelOutcome> = {
    tv: { ...tv.outcome, lam: tv.lam } as ModelOutcome,
    [key]: trained.outcome,
  };
  const gain = 1 - (trained.outcome.test.mse ?? NaN) / (tv.outcome.test.mse ?? NaN);
  const table = formatTable(
    ["method", "epoch kept", "train MSE", "val MSE", "test MSE"],
    Object.entries(outcomes).map(([k, o]) => [
      denoiseModelNames[k] ?? k,
      o.epoch === undefined ? "–" : `${o.epoch} of ${o.epochsRun}`,
      fixed(o.train.mse ?? NaN),
      fixed(o.val.mse ?? NaN),
      fixed(o.test.mse ?? NaN),
    ]),
  );
  options.log(`\n${table}`);
  options.log(`${denoiseModelNames[key]} vs best TV: ${(100 * gain).toFixed(1)}% lower test MSE`);
  const record = finishedRun(options.seed, started, loadStart, {
    setting: { ...setting, only: key } as unknown as Record<string, unknown>,
    curves: { [key]: trained.history },
    outcomes,
    extra: { lam: tv.lam, tvSweep: tv.sweep, gainOverTv: { [key]: gain } },
  });
  const { wallSeconds } = record;
  const resultsFile = recordRun(options.resultsDir, "denoise", `${options.scale}-${key}`, record);
  return {
    table,
    resultsFile,
    results: { [`${key} testMse`]: trained.outcome.test.mse ?? NaN },
    wallSeconds,
  };
}

export async function runDenoise(options: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const loadStart = loadNow();
  await useCpuBackend();
  const base = settings[options.scale];
  const override = (m: ModelSetting): ModelSetting => ({
    ...m,
    ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
    ...(options.train === undefined ? {} : { train: options.train }),
    ...(options.budgetSeconds === undefined ? {} : { budgetSeconds: options.budgetSeconds }),
  });
  const trained = ["fc", "learnedD", "paperTunedTv", "adaptiveTv"];
  if (options.only !== undefined && !trained.includes(options.only))
    throw new Error(`--only: one of ${trained.join(", ")}`);

  const setting: DenoiseSetting = {
    ...base,
    fc: { ...override(base.fc), hidden: base.fc.hidden },
    learnedD: override(base.learnedD),
    paperTuned: {
      ...override(base.paperTuned),
      ...(options.reduceLr ? { reduceLr: REDUCE_LR } : {}),
    },
    adaptive: override(base.adaptive),
  };
  const random = createRandom(options.seed);
  const data = generateSignals(signalCount, length, random);
  const rows = {
    train: range(0, trainPool),
    val: range(trainPool, setting.val),
    test: range(valPool, setting.test),
  };
  options.log(
    `Denoising: ${signalCount} generated signals of length ${length} (noise σ = 10), seed ${options.seed}; training pool 0–${trainPool - 1}, ${setting.val} validation signals from ${trainPool}, ${setting.test} test signals from ${valPool}; λ, learning rates and epochs chosen on the validation signals`,
  );

  const tv = sweepTotalVariation(
    data,
    { ...rows, train: rows.train.slice(0, setting.tvTrain) },
    setting,
    options.progress,
  );
  options.log(`best TV λ on the validation signals: ${tv.lam}`);
  options.log(
    `TV validation MSE by λ: ${tv.sweep.map(([lam, mse]) => `${lam}: ${mse.toFixed(2)}`).join(", ")}`,
  );

  const n = length;
  if (options.only !== undefined)
    return runOne(options.only, tv, data, rows, setting, random, options, started, loadStart);
  const fc = trainModel(
    () => createFullyConnectedModel(random, length, setting.fc.hidden),
    data,
    rows,
    setting.fc,
    random,
    options.progress,
    1000,
    setting.trainEval,
  );
  const randomD = normalArray(random, (n - 1) * n, 1 / Math.sqrt(n));
  const learned = trainModel(
    () => createLearnedDifferenceModel("OptNet, learned D", n, tv.lam, randomD, 1e-4),
    data,
    rows,
    setting.learnedD,
    random,
    options.progress,
    100,
    setting.trainEval,
  );
  const paperTuned = trainModel(
    () => createGeneralQpModel("OptNet, tuned TV", n, tv.lam, { eps: 1e-6 }),
    data,
    rows,
    setting.paperTuned,
    random,
    options.progress,
    100,
    setting.trainEval,
  );
  const adaptive = trainModel(
    () => createAdaptiveTvModel("OptNet, w(x)", random, n, tv.lam),
    data,
    rows,
    setting.adaptive,
    random,
    options.progress,
    100,
    setting.trainEval,
  );

  const outcomes: Record<string, ModelOutcome> = {
    fc: fc.outcome,
    learnedD: learned.outcome,
    tv: { ...tv.outcome, lam: tv.lam } as ModelOutcome,
    paperTunedTv: paperTuned.outcome,
    adaptiveTv: adaptive.outcome,
  };
  const table = formatTable(
    ["method", "epoch kept", "train MSE", "val MSE", "test MSE", "paper train", "paper test"],
    Object.entries(outcomes).map(([key, o]) => [
      key === "tv" ? `Total variation (λ = ${tv.lam})` : (denoiseModelNames[key] ?? key),
      o.epoch === undefined ? "–" : `${o.epoch} of ${o.epochsRun}`,
      fixed(o.train.mse ?? NaN),
      fixed(o.val.mse ?? NaN),
      fixed(o.test.mse ?? NaN),
      paper[key] ? fixed(paper[key]?.[0] ?? NaN, 1) : "–",
      paper[key] ? fixed(paper[key]?.[1] ?? NaN, 1) : "–",
    ]),
  );
  const gain = (key: string): number =>
    1 - (outcomes[key]?.test.mse ?? NaN) / (outcomes.tv?.test.mse ?? NaN);
  options.log(`\n${table}`);
  options.log(
    `OptNet tuned TV (the paper's general QP) vs best TV: ${(100 * gain("paperTunedTv")).toFixed(1)}% lower test MSE (paper: 12%; target: at least 10%)`,
  );
  options.log(
    `TV with weights w(x) (extension) vs best TV: ${(100 * gain("adaptiveTv")).toFixed(1)}% lower test MSE`,
  );

  const exampleRows = rows.test.slice(0, 3);
  const noisyExamples = rowsOf(data.noisy, exampleRows).map((r) => r.slice());
  const predictExamples = (model: DenoisingModel): number[][] =>
    predictInChunks(exampleRows.length, 10, (idx) =>
      model.predict(
        gatherRows(
          data.noisy,
          length,
          idx.map((i) => exampleRows[i] ?? 0),
        ),
      ),
    ).map(rounded);
  const learnedD = learned.model.D.dataSync() as Float32Array;
  // the paper's model: its G's first block of rows on the signal is its "D"
  const tunedD = paperTuned.model.signalBlock().slice(0, (n - 1) * n);
  const extra = {
    lam: tv.lam,
    tvSweep: tv.sweep,
    gainOverTv: { paperTunedTv: gain("paperTunedTv"), adaptiveTv: gain("adaptiveTv") },
    differenceLikeness: {
      randomD: differenceLikeness(randomD, n - 1, n),
      learnedD: differenceLikeness(learnedD, n - 1, n),
      paperTunedG: differenceLikeness(tunedD, n - 1, n),
    },
    operators: {
      randomD: rowsByPeak(randomD, n - 1, n),
      learnedD: rowsByPeak(learnedD, n - 1, n),
      paperTunedG: rowsByPeak(tunedD, n - 1, n),
    },
    examples: exampleRows.map((row, k) => ({
      clean: rounded(data.clean.subarray(row * length, (row + 1) * length)),
      noisy: rounded(noisyExamples[k] ?? []),
      tv: rounded(tv.denoise(noisyExamples)[k] ?? []),
    })),
    examplePredictions: {
      paperTunedTv: predictExamples(paperTuned.model),
      adaptiveTv: predictExamples(adaptive.model),
      fc: predictExamples(fc.model),
    },
    exampleWeights: tf.tidy(() =>
      adaptive.model
        .weights(gatherRows(data.noisy, length, exampleRows))
        .arraySync()
        .map((row) => row.map((v) => Number((v / tv.lam).toPrecision(4)))),
    ),
  };
  for (const trained of [fc, learned, paperTuned, adaptive])
    for (const v of trained.model.variables) v.dispose();

  const record = finishedRun(options.seed, started, loadStart, {
    setting: setting as unknown as Record<string, unknown>,
    curves: {
      fc: fc.history,
      learnedD: learned.history,
      paperTunedTv: paperTuned.history,
      adaptiveTv: adaptive.history,
    },
    outcomes,
    extra,
  });
  const { wallSeconds } = record;
  const resultsFile = recordRun(options.resultsDir, "denoise", options.scale, record);
  const results: Record<string, number> = { "TV lambda": tv.lam };
  for (const [key, o] of Object.entries(outcomes)) results[`${key} testMse`] = o.test.mse ?? NaN;
  return { table, resultsFile, results, wallSeconds };
}
