import {
  applyConv,
  applyDense,
  createConv,
  createDense,
  variablesOf,
  type Conv,
} from "../lib/nets.js";
import { applyLayer, compileLayer } from "../lib/optnet.js";
import { uniformArray, type Random } from "../lib/random.js";
import { tf } from "../lib/tf.js";
import { cells, oneHotSize, side } from "./puzzles.js";

/** A model maps a batch of one-hot puzzles (batch × 64) to predicted one-hot boards. */
export interface SudokuModel {
  name: string;
  variables: tf.Variable[];
  predict(puzzles: tf.Tensor2D): tf.Tensor2D;
}

/**
 * The paper's OptNet Sudoku layer: a generic QP in standard form, told nothing about the
 * rules. Q = 0.1 I, the puzzle is the (negated) linear term, A and b are learned.
 */
export const sudokuLayerSource = `# OptNet for 4x4 Sudoku (Amos & Kolter 2017, section 4.4)
dim n = 64            # one-hot board: 16 cells x 4 digits
dim m = 40            # learned equality constraints
parameter A[m, n]     # learned constraint matrix
parameter b[m]        # b = A z0 with a learned z0 > 0, so the QP is always feasible
parameter p[n]        # the one-hot puzzle (zeros on empty cells)
variable z[n]
minimize 0.05 * ||z||^2 - p'z
subject to
  A z == b
  z >= 0
`;

export function createOptNetModel(
  random: Random,
  constraints = 40,
): SudokuModel & { A: tf.Variable<tf.Rank.R2> } {
  const layer = compileLayer(sudokuLayerSource, { n: oneHotSize, m: constraints });
  // as in the authors' code: A uniform in [0, 1), z0 = exp(0) = 1
  const A = tf.variable(
    tf.tensor2d(uniformArray(random, constraints * oneHotSize, 0, 1), [constraints, oneHotSize]),
  );
  const logZ0 = tf.variable(tf.zeros([oneHotSize, 1]) as tf.Tensor2D);
  return {
    name: "OptNet",
    A,
    variables: [A, logZ0],
    predict(puzzles) {
      const b = tf.matMul(A, tf.exp(logZ0)).reshape([constraints]);
      return applyLayer(layer, { A, b, p: puzzles }, "z");
    },
  };
}

/**
 * The convolutional baseline (after the Kyubyong/sudoku models the paper cites): `depth` 3×3
 * convolutions with ReLU over the 4×4 board with the digits as channels, then either a 1×1
 * convolution (`denseHidden` = 0) or a fully connected head over the whole board with one
 * hidden ReLU layer, and a sigmoid per (cell, digit). The paper's net (10 layers of 512
 * filters) is far too slow for the pure-JavaScript backend; the dense head gives a small net the
 * capacity to memorize its training puzzles, which is the behaviour the paper reports.
 */
export function createConvModel(
  random: Random,
  depth: number,
  filters: number,
  denseHidden = 0,
): SudokuModel {
  const layers: Conv[] = [];
  for (let i = 0; i < depth; i++) {
    layers.push(createConv(random, 3, i === 0 ? side : filters, filters));
  }
  const output = createConv(random, 1, filters, side);
  const head =
    denseHidden > 0
      ? [
          createDense(random, cells * filters, denseHidden),
          createDense(random, denseHidden, oneHotSize, 1),
        ]
      : [];
  return {
    name: "Conv",
    variables:
      denseHidden > 0 ? variablesOf([...layers, ...head]) : variablesOf([...layers, output]),
    predict(puzzles) {
      let x = puzzles.reshape([-1, side, side, side]) as tf.Tensor4D;
      for (const layer of layers) x = tf.relu(applyConv(layer, x));
      const [hidden, last] = head;
      if (hidden && last) {
        const flat = x.reshape([-1, cells * filters]) as tf.Tensor2D;
        return tf.sigmoid(applyDense(last, tf.relu(applyDense(hidden, flat))));
      }
      return tf.sigmoid(applyConv(output, x)).reshape([-1, oneHotSize]);
    },
  };
}
