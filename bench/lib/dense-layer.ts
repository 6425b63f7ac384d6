/**
 * The baseline of the paper's Figure 1: a TensorFlow.js dense layer of the same width n,
 * y = x W + b on a batch of inputs, forward and forward + backward (tf.variableGrads).
 */

import * as tf from "@tensorflow/tfjs";
import { createRandom } from "./random.js";

export interface DenseLayerBench {
  forward(): void;
  forwardBackward(): void;
  dispose(): void;
  backend: string;
}

let prodModeSet = false;

export function createDenseLayerBench(batch: number, n: number, seed: number): DenseLayerBench {
  if (!prodModeSet) {
    // Silences the "install the node backend" banner; must precede the first tensor.
    tf.enableProdMode();
    prodModeSet = true;
  }
  const random = createRandom(seed);
  const normals = (size: number) => Float32Array.from({ length: size }, () => random.normal());
  const x = tf.tensor2d(normals(batch * n), [batch, n]);
  const upstream = tf.tensor2d(normals(batch * n), [batch, n]);
  const W = tf.variable(tf.tensor2d(normals(n * n), [n, n]).div(Math.sqrt(n)));
  const b = tf.variable(tf.zeros([n]));

  return {
    backend: tf.getBackend(),
    forward() {
      tf.tidy(() => {
        tf.add(tf.matMul(x, W), b).dataSync();
      });
    },
    forwardBackward() {
      tf.tidy(() => {
        // ⟨upstream, y⟩ has gradient `upstream` with respect to y, like dL/dz for the QP layer.
        const { grads } = tf.variableGrads(() =>
          tf.sum(tf.mul(tf.add(tf.matMul(x, W), b), upstream)),
        );
        for (const grad of Object.values(grads)) grad.dataSync();
      });
    },
    dispose() {
      tf.dispose([x, upstream, W, b]);
    },
  };
}
