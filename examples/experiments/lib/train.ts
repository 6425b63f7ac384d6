import { startProgress } from "./progress.js";
import type { Random } from "./random.js";
import { tf } from "./tf.js";

/** Adds a per-example statistic of the current minibatch (weighted by its size) to the epoch's mean. */
export type Recorder = (name: string, value: number, weight: number) => void;

export interface TrainingSetup {
  label: string;
  epochs: number;
  batchSize: number;
  trainSize: number;
  random: Random;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  /** the loss of one minibatch; runs under the optimizer's gradient tape */
  loss(indices: number[], record: Recorder): tf.Scalar;
  /** validation metrics, before training (epoch 0) and after every epoch (never the test set) */
  evaluate(epoch: number): Record<string, number>;
  progress: boolean;
  /**
   * The validation metric (smaller is better) whose best epoch is kept: the variables are
   * restored to their values after that epoch when training ends.
   */
  select: string;
  /**
   * Stop early once the running training loss of an epoch fell by less than this fraction of
   * the previous epoch's (training "until the loss stops falling"); 0 or absent: never.
   */
  plateau?: number;
  /** Stop after the first epoch that ends later than this many seconds after the start. */
  budgetSeconds?: number;
  /**
   * Multiply the optimizer's learning rate by `factor` once `patience` epochs in a row have not
   * bettered the best validation metric (Keras' and PyTorch's ReduceLROnPlateau); the rate of
   * every epoch is recorded as the metric `lr`.
   */
  reduceLrOnPlateau?: LrReduction;
}

export interface LrReduction {
  patience: number;
  factor: number;
}

/**
 * The learning rate of a tfjs optimizer: a protected field in its types, read at every step by
 * Adam and the others, but cached as a scalar by SGD and momentum, which have a setter.
 */
interface LearningRate {
  learningRate: number;
  setLearningRate?: (rate: number) => void;
}

function learningRateOf(optimizer: tf.Optimizer): LearningRate {
  const candidate = optimizer as unknown as Partial<LearningRate>;
  if (typeof candidate.learningRate !== "number")
    throw new Error("training: this optimizer has no learning rate to reduce");
  return candidate as LearningRate;
}

function setLearningRate(rate: LearningRate, value: number): void {
  if (rate.setLearningRate) rate.setLearningRate(value);
  else rate.learningRate = value;
}

/** What training returns: the curve and the epoch whose variables the model ends with. */
export interface TrainingRun {
  history: EpochRecord[];
  /** epoch chosen on the validation metric (0: the initial model) */
  bestEpoch: number;
  /** why training ended: the epochs ran out, the loss stopped falling, or the time budget */
  stoppedBy: "epochs" | "plateau" | "budget";
}

/** One point of a training curve: running means over the epoch's minibatches plus evaluations. */
export interface EpochRecord {
  epoch: number;
  metrics: Record<string, number>;
}

function metricOf(record: EpochRecord, name: string): number {
  const value = record.metrics[name];
  if (value === undefined) throw new Error(`training: no validation metric '${name}'`);
  return value;
}

/**
 * Minibatch training with a fresh shuffle every epoch; one record per epoch (0 = initial). The
 * variables end at the epoch with the best validation metric.
 */
export function train(setup: TrainingSetup): TrainingRun {
  const started = performance.now();
  const history: EpochRecord[] = [{ epoch: 0, metrics: setup.evaluate(0) }];
  let bestEpoch = 0;
  let bestValue = metricOf(history[0] as EpochRecord, setup.select);
  let best = setup.variables.map((v) => tf.keep(v.clone()));
  let stoppedBy: TrainingRun["stoppedBy"] = "epochs";
  const reduction = setup.reduceLrOnPlateau;
  const rate = reduction ? learningRateOf(setup.optimizer) : undefined;
  let sinceBest = 0;
  const batchesPerEpoch = Math.ceil(setup.trainSize / setup.batchSize);
  const bar = startProgress(setup.label, setup.epochs * batchesPerEpoch, setup.progress);
  try {
    for (let epoch = 1; epoch <= setup.epochs; epoch++) {
      const sums = new Map<string, { total: number; weight: number }>();
      const record: Recorder = (name, value, weight) => {
        const s = sums.get(name) ?? { total: 0, weight: 0 };
        s.total += value * weight;
        s.weight += weight;
        sums.set(name, s);
      };
      const order = setup.random.shuffled(Array.from({ length: setup.trainSize }, (_, i) => i));
      for (let start = 0; start < order.length; start += setup.batchSize) {
        const indices = order.slice(start, start + setup.batchSize);
        const cost = setup.optimizer.minimize(
          () => setup.loss(indices, record),
          true,
          setup.variables,
        );
        const value = cost ? (cost.dataSync()[0] ?? NaN) : NaN;
        cost?.dispose();
        record("trainLoss", value, indices.length);
        bar.tick({ epoch: `${epoch}/${setup.epochs}`, loss: value.toPrecision(4) });
      }
      const running: Record<string, number> = {};
      for (const [name, s] of sums) running[name] = s.total / s.weight;
      const point: EpochRecord = { epoch, metrics: { ...running, ...setup.evaluate(epoch) } };
      if (rate) point.metrics.lr = rate.learningRate;
      history.push(point);
      const value = metricOf(point, setup.select);
      if (value < bestValue) {
        bestValue = value;
        bestEpoch = epoch;
        sinceBest = 0;
        for (const v of best) v.dispose();
        best = setup.variables.map((v) => tf.keep(v.clone()));
      } else if (reduction && rate && ++sinceBest >= reduction.patience) {
        setLearningRate(rate, rate.learningRate * reduction.factor);
        sinceBest = 0;
      }
      const previous = history[history.length - 2]?.metrics.trainLoss;
      const current = point.metrics.trainLoss;
      if (
        setup.plateau &&
        epoch > 1 &&
        previous !== undefined &&
        current !== undefined &&
        current > previous * (1 - setup.plateau)
      ) {
        stoppedBy = "plateau";
        break;
      }
      if (
        setup.budgetSeconds !== undefined &&
        epoch < setup.epochs &&
        (performance.now() - started) / 1000 > setup.budgetSeconds
      ) {
        stoppedBy = "budget";
        break;
      }
    }
  } finally {
    bar.stop();
  }
  setup.variables.forEach((v, i) => v.assign(best[i] as tf.Tensor));
  for (const v of best) v.dispose();
  return { history, bestEpoch, stoppedBy };
}

/** Runs `forward` over `size` examples in chunks and concatenates the rows it returns. */
export function predictInChunks(
  size: number,
  chunk: number,
  forward: (indices: number[]) => tf.Tensor2D,
): Float32Array[] {
  const rows: Float32Array[] = [];
  for (let start = 0; start < size; start += chunk) {
    const indices = Array.from({ length: Math.min(chunk, size - start) }, (_, i) => start + i);
    const out = tf.tidy(() => forward(indices));
    const [, width] = out.shape;
    const data = out.dataSync() as Float32Array;
    for (let r = 0; r < indices.length; r++) rows.push(data.slice(r * width, (r + 1) * width));
    out.dispose();
  }
  return rows;
}

/** A (rows × width) float32 tensor of the chosen rows of a row-major table. */
export function gatherRows(
  table: Float32Array,
  width: number,
  indices: readonly number[],
): tf.Tensor2D {
  const out = new Float32Array(indices.length * width);
  indices.forEach((row, i) => out.set(table.subarray(row * width, (row + 1) * width), i * width));
  return tf.tensor2d(out, [indices.length, width]);
}
