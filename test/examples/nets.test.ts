import { describe, expect, it } from "vitest";
import { applyConv, createConv } from "../../examples/experiments/lib/nets.js";
import { createRandom } from "../../examples/experiments/lib/random.js";
import { tf, useCpuBackend } from "../../examples/experiments/lib/tf.js";

describe("board convolution", () => {
  it.each([
    [4, 4, 3],
    [5, 3, 3],
    [4, 4, 1],
  ])(
    "matches tf.conv2d with same padding on a %ix%i board with a %ix%i kernel",
    async (h, w, k) => {
      await useCpuBackend();
      const conv = createConv(createRandom(h * 10 + k), k, 3, 5);
      const x = tf.randomNormal([2, h, w, 3], 0, 1, "float32", 4) as tf.Tensor4D;
      const difference = tf.tidy(() =>
        tf.max(
          tf.abs(
            tf.sub(applyConv(conv, x), tf.add(tf.conv2d(x, conv.filter, 1, "same"), conv.bias)),
          ),
        ),
      );
      expect(difference.dataSync()[0]).toBeLessThan(1e-5);
    },
  );

  it("has the gradient of tf.conv2d with respect to the filter", async () => {
    await useCpuBackend();
    const conv = createConv(createRandom(9), 3, 2, 3);
    const x = tf.randomNormal([3, 4, 4, 2], 0, 1, "float32", 5) as tf.Tensor4D;
    const weights = tf.randomNormal([3, 4, 4, 3], 0, 1, "float32", 6);
    const mine = tf.grad((f: tf.Tensor) =>
      tf.sum(
        tf.mul(applyConv({ filter: f as tf.Variable<tf.Rank.R4>, bias: conv.bias }, x), weights),
      ),
    )(conv.filter);
    const reference = tf.grad((f: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, "same"), weights)),
    )(conv.filter);
    expect(tf.max(tf.abs(tf.sub(mine, reference))).dataSync()[0]).toBeLessThan(1e-4);
  });
});
