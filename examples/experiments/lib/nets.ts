import { normalArray, type Random } from "./random.js";
import { tf } from "./tf.js";

/** A fully connected layer y = x W + b with He-normal initial weights from our seeded generator. */
export interface Dense {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
}

export function createDense(random: Random, inputs: number, outputs: number, gain = 2): Dense {
  const scale = Math.sqrt(gain / inputs);
  return {
    weight: tf.variable(
      tf.tensor2d(normalArray(random, inputs * outputs, scale), [inputs, outputs]),
    ),
    bias: tf.variable(tf.zeros([outputs]) as tf.Tensor1D),
  };
}

export function applyDense(layer: Dense, x: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(x, layer.weight), layer.bias);
}

/** A 2-D convolution with "same" padding, NHWC. */
export interface Conv {
  filter: tf.Variable<tf.Rank.R4>;
  bias: tf.Variable<tf.Rank.R1>;
}

export function createConv(random: Random, size: number, inputs: number, outputs: number): Conv {
  const scale = Math.sqrt(2 / (size * size * inputs));
  return {
    filter: tf.variable(
      tf.tensor4d(normalArray(random, size * size * inputs * outputs, scale), [
        size,
        size,
        inputs,
        outputs,
      ]),
    ),
    bias: tf.variable(tf.zeros([outputs]) as tf.Tensor1D),
  };
}

const shiftMatrices = new Map<string, tf.Tensor2D>();

/**
 * The constant (H·W) × (H·W·K) matrix that gathers, for every output position p, the value
 * computed at position p + offset_k by kernel tap k (zero outside the board: "same" padding).
 */
function shiftMatrix(height: number, width: number, size: number): tf.Tensor2D {
  const key = `${height}x${width}x${size}`;
  let matrix = shiftMatrices.get(key);
  if (!matrix) {
    const positions = height * width;
    const taps = size * size;
    const pad = (size - 1) / 2;
    const data = new Float32Array(positions * positions * taps);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        for (let i = 0; i < size; i++) {
          for (let j = 0; j < size; j++) {
            const rr = r + i - pad;
            const cc = c + j - pad;
            if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
            data[(r * width + c) * positions * taps + (rr * width + cc) * taps + i * size + j] = 1;
          }
        }
      }
    }
    matrix = tf.keep(tf.tensor2d(data, [positions, positions * taps]));
    shiftMatrices.set(key, matrix);
  }
  return matrix;
}

/**
 * Stride 1, odd kernel, "same" padding: every tap's product is one matrix product, then a
 * constant shift matrix sums the taps. The tfjs cpu backend's conv2d gradient (and slicing
 * patches out) is ten times slower than this on small boards.
 */
export function applyConv(layer: Conv, x: tf.Tensor4D): tf.Tensor4D {
  const [size, , inputs, outputs] = layer.filter.shape;
  const [batch, height, width] = x.shape;
  const positions = height * width;
  const taps = size * size;
  const allTaps = layer.filter
    .reshape([taps, inputs, outputs])
    .transpose([1, 0, 2])
    .reshape([inputs, taps * outputs]);
  const perTap = tf
    .matMul(x.reshape([batch * positions, inputs]), allTaps)
    .reshape([batch, positions, taps, outputs])
    .transpose([1, 2, 0, 3])
    .reshape([positions * taps, batch * outputs]);
  const summed = tf
    .matMul(shiftMatrix(height, width, size), perTap)
    .reshape([positions, batch, outputs])
    .transpose([1, 0, 2]);
  return tf.add(summed, layer.bias).reshape([batch, height, width, outputs]);
}

export function variablesOf(layers: ReadonlyArray<Dense | Conv>): tf.Variable[] {
  return layers.flatMap((l): tf.Variable[] =>
    "weight" in l ? [l.weight, l.bias] : [l.filter, l.bias],
  );
}

/** Number of trainable scalars. */
export function parameterCount(variables: readonly tf.Variable[]): number {
  return variables.reduce((n, v) => n + v.size, 0);
}
