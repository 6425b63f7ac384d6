import { applyConv, createConv, variablesOf, type Conv } from "../lib/nets.js";
import { applyLayer, compileLayer } from "../lib/optnet.js";
import { uniformArray, type Random } from "../lib/random.js";
import { tf } from "../lib/tf.js";
import { oneHotSize, side } from "./puzzles.js";

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

export function createOptNetModel(random: Random, constraints = 40): SudokuModel {
  const layer = compileLayer(sudokuLayerSource, { n: oneHotSize, m: constraints });
  // as in the authors' code: A uniform in [0, 1), z0 = exp(0) = 1
  const A = tf.variable(
    tf.tensor2d(uniformArray(random, constraints * oneHotSize, 0, 1), [constraints, oneHotSize]),
  );
  const logZ0 = tf.variable(tf.zeros([oneHotSize, 1]) as tf.Tensor2D);
  return {
    name: "OptNet",
    variables: [A, logZ0],
    predict(puzzles) {
      const b = tf.matMul(A, tf.exp(logZ0)).reshape([constraints]);
      return applyLayer(layer, { A, b, p: puzzles }, "z");
    },
  };
}

/**
 * The convolutional baseline (after the Kyubyong/sudoku models the paper cites): `depth` 3×3
 * convolutions with ReLU over the 4×4 board with the digits as channels, then a 1×1
 * convolution and a sigmoid per (cell, digit).
 */
export function createConvModel(random: Random, depth: number, filters: number): SudokuModel {
  const layers: Conv[] = [];
  for (let i = 0; i < depth; i++)
    layers.push(createConv(random, 3, i === 0 ? side : filters, filters));
  const output = createConv(random, 1, filters, side);
  return {
    name: "Conv",
    variables: variablesOf([...layers, output]),
    predict(puzzles) {
      let x = puzzles.reshape([-1, side, side, side]) as tf.Tensor4D;
      for (const layer of layers) x = tf.relu(applyConv(layer, x));
      return tf.sigmoid(applyConv(output, x)).reshape([-1, oneHotSize]);
    },
  };
}
