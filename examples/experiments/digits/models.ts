import { applyDense, createDense, variablesOf, type Dense } from "../lib/nets.js";
import { applyLayer, compileLayer } from "../lib/optnet.js";
import { normalArray, type Random } from "../lib/random.js";
import { tf } from "../lib/tf.js";
import { classes, pixels } from "./data.js";

/** A classifier maps a batch of images (batch × 64) to class logits (batch × 10). */
export interface DigitModel {
  name: string;
  variables: tf.Variable[];
  logits(images: tf.Tensor2D): tf.Tensor2D;
}

/**
 * The OptNet output layer of the paper's MNIST appendix: 10 variables, 50 learned
 * inequalities kept feasible by h = G z0 + s0 with s0 > 0, Q = L L' + εI written as squares;
 * the previous layer enters only the linear term.
 */
export const digitsLayerSource = `# OptNet output layer for digit classification (Amos & Kolter 2017, appendix A)
dim n = 10             # classes
dim p = 50             # learned inequalities
parameter x[n]         # output of the previous fully connected layer
parameter L[n, n]      # Q = L L' + 1e-4 I
parameter G[p, n]
parameter h[p]         # h = G z0 + s0 with a learned z0 and s0 > 0
variable z[n]
minimize 0.5 * ||L' z||^2 + 0.00005 * ||z||^2 - x'z
subject to
  G z <= h
`;

export function createFullyConnectedModel(random: Random, hidden: number): DigitModel {
  const layers: Dense[] = [
    createDense(random, pixels, hidden),
    createDense(random, hidden, classes),
    createDense(random, classes, classes, 1),
  ];
  const [first, second, third] = layers as [Dense, Dense, Dense];
  return {
    name: "FC",
    variables: variablesOf(layers),
    logits(images) {
      return applyDense(third, tf.relu(applyDense(second, tf.relu(applyDense(first, images)))));
    },
  };
}

export function createOptNetModel(random: Random, hidden: number, inequalities = 50): DigitModel {
  const layers: Dense[] = [
    createDense(random, pixels, hidden),
    createDense(random, hidden, classes),
  ];
  const [first, second] = layers as [Dense, Dense];
  const layer = compileLayer(digitsLayerSource, { n: classes, p: inequalities });
  const L = tf.variable(tf.eye(classes) as tf.Tensor2D);
  const G = tf.variable(
    tf.tensor2d(normalArray(random, inequalities * classes, 1 / Math.sqrt(classes)), [
      inequalities,
      classes,
    ]),
  );
  const z0 = tf.variable(tf.zeros([classes, 1]) as tf.Tensor2D);
  const logS0 = tf.variable(tf.zeros([inequalities, 1]) as tf.Tensor2D);
  return {
    name: "OptNet",
    variables: [...variablesOf(layers), L, G, z0, logS0],
    logits(images) {
      const x = applyDense(second, tf.relu(applyDense(first, images)));
      const h = tf.add(tf.matMul(G, z0), tf.exp(logS0)).reshape([inequalities]);
      return applyLayer(layer, { x, L, G, h }, "z");
    },
  };
}
