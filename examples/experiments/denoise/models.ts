import { compile } from "../../../src/index.js";
import { applyDense, createDense, variablesOf, type Dense } from "../lib/nets.js";
import { applyLayer, compileLayer } from "../lib/optnet.js";
import type { Random } from "../lib/random.js";
import { tf } from "../lib/tf.js";

/** Total-variation denoising as a QP layer: a fixed difference operator, λ supplied per solve. */
export const tvLayerSource = `# 1-D total variation denoising (Amos & Kolter 2017, eq. 12)
dim n = 100
parameter x[n]          # the noisy signal
parameter lam nonneg    # regularization weight
constant D = diff(n)    # first differences, rows e_i - e_(i+1)
variable z[n]
minimize 0.5 * ||z - x||^2 + lam * ||D z||_1
`;

/** The same problem with the difference operator learned: D is a parameter, λ is fixed. */
export function learnedDifferenceSource(lam: number): string {
  return `# denoising with a learned "difference" operator D (Amos & Kolter 2017, section 4.2.3)
dim n = 100
parameter x[n]          # the noisy signal
parameter D[n-1, n]     # learned; initialized at random or at diff(n)
variable z[n]
minimize 0.5 * ||z - x||^2 + ${lam} * ||D z||_1
`;
}

/**
 * Signals are of size ~50 and the QP has 199 columns: the solver's default 1e-9 relative
 * tolerance is beyond float64 reach for a few of them, and 1e-6 is far below the noise.
 */
const solveTolerance = 1e-6;

/** Denoises a batch of signals with TV at one λ through the layer's plain `solve`. */
export function createTvDenoiser(
  length: number,
): (signals: Float32Array[], lam: number) => Float64Array[] {
  const layer = compile(tvLayerSource, { dims: { n: length } });
  return (signals, lam) => {
    const out = layer.solve({ x: signals.map((s) => Array.from(s)), lam }, { eps: solveTolerance });
    const failed = out.status.filter((s) => s !== "solved").length;
    if (failed > 0)
      throw new Error(`TV denoising: ${failed} of ${out.status.length} problems not solved`);
    return (out.variables.z as ArrayLike<number>[]).map((row) => Float64Array.from(row));
  };
}

export interface DenoisingModel {
  name: string;
  variables: tf.Variable[];
  predict(noisy: tf.Tensor2D): tf.Tensor2D;
  /** added to the training loss (e.g. an L1 penalty on D) */
  penalty?(): tf.Scalar;
}

/** The learned-D OptNet model; `initialD` is (n−1)×n row-major. */
export function createLearnedDifferenceModel(
  name: string,
  length: number,
  lam: number,
  initialD: Float32Array,
  l1Penalty: number,
): DenoisingModel & { D: tf.Variable<tf.Rank.R2> } {
  const layer = compileLayer(learnedDifferenceSource(lam), { n: length });
  const D = tf.variable(tf.tensor2d(initialD, [length - 1, length]));
  return {
    name,
    D,
    variables: [D],
    predict(noisy) {
      return applyLayer(layer, { x: noisy, D }, "z", { eps: solveTolerance });
    },
    penalty: l1Penalty > 0 ? () => tf.mul(l1Penalty, tf.sum(tf.abs(D))) : undefined,
  };
}

/**
 * The fully connected baseline: signals are standardized (heights lie in 10..99), pass two
 * ReLU hidden layers, and the output is mapped back to the signal's scale.
 */
export function createFullyConnectedModel(
  random: Random,
  length: number,
  hidden: number,
): DenoisingModel {
  const layers: Dense[] = [
    createDense(random, length, hidden),
    createDense(random, hidden, hidden),
    createDense(random, hidden, length, 1),
  ];
  const [first, second, last] = layers as [Dense, Dense, Dense];
  const center = 55;
  const spread = 30;
  return {
    name: "FC net",
    variables: variablesOf(layers),
    predict(noisy) {
      const x = tf.div(tf.sub(noisy, center), spread) as tf.Tensor2D;
      const h = tf.relu(applyDense(second, tf.relu(applyDense(first, x))));
      return tf.add(tf.mul(applyDense(last, h), spread), center) as tf.Tensor2D;
    },
  };
}

/** The program of the adaptive model: total variation with one weight per difference. */
export const weightedTvSource = `# total variation with a weight per difference, predicted from the noisy signal
dim n = 100
parameter x[n]          # the noisy signal
parameter w[n-1] nonneg # the weight of each difference |z_i - z_(i+1)|
constant D = diff(n)
variable z[n]
minimize 0.5 * ||z - x||^2 + ||w .* (D z)||_1
`;

/** Samples on each side of a difference that its weight is predicted from. */
const halfWindow = 8;

/**
 * Indices of the window of samples around each difference (clamped at the ends), (n−1)×2h,
 * row-major: difference i sees samples i−h+1 … i+h.
 */
function windowIndices(length: number): Int32Array {
  const size = 2 * halfWindow;
  const indices = new Int32Array((length - 1) * size);
  for (let i = 0; i < length - 1; i++)
    for (let j = 0; j < size; j++)
      indices[i * size + j] = Math.min(length - 1, Math.max(0, i - halfWindow + 1 + j));
  return indices;
}

/**
 * The OptNet model tuned from TV whose weights depend on the signal: w_i = λ·exp(f(window_i)),
 * f a small network shared by all positions (a 1-D convolution) that sees the noisy samples
 * around difference i minus their mean. f's output layer starts at zero, so training starts
 * exactly at the best TV; it can then lower the weight where the window looks like a jump (TV's
 * shrinkage of jump heights is most of its error) and raise it on flat stretches.
 */
export function createAdaptiveTvModel(
  name: string,
  random: Random,
  length: number,
  lam: number,
  hidden = 32,
): DenoisingModel & { weights(noisy: tf.Tensor2D): tf.Tensor2D } {
  const layer = compileLayer(weightedTvSource, { n: length });
  const window = tf.tensor1d(windowIndices(length), "int32");
  const size = 2 * halfWindow;
  const first = createDense(random, size, hidden);
  const last = createDense(random, hidden, 1);
  last.weight.assign(tf.zeros([hidden, 1]));
  const logLam = Math.log(lam);
  const weights = (noisy: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const batch = noisy.shape[0];
      const windows = tf.gather(noisy, window, 1).reshape([batch * (length - 1), size]);
      // level-free and scaled to about unit size (heights differ by tens, σ = 10)
      const centered = tf.div(tf.sub(windows, tf.mean(windows, 1, true)), 20) as tf.Tensor2D;
      const out = applyDense(last, tf.relu(applyDense(first, centered)));
      return tf.exp(tf.add(out, logLam)).reshape([batch, length - 1]) as tf.Tensor2D;
    });
  return {
    name,
    variables: variablesOf([first, last]),
    weights,
    predict(noisy) {
      return applyLayer(layer, { x: noisy, w: weights(noisy) }, "z", { eps: solveTolerance });
    },
  };
}
