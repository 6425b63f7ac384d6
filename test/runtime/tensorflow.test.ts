import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/runtime/index.js";
import { exampleSource } from "./helpers/examples.js";

beforeAll(() => {
  tf.enableProdMode();
});

const simplex = compile(exampleSource("simplex.qp"), { dims: { n: 4 }, file: "simplex.qp" });

describe("layer.apply", () => {
  it("returns one float32 tensor per output variable with a leading batch axis", () => {
    const x = [
      [0.25, 0.5, 0.9, 0.1],
      [1, 2, 3, 4.5],
    ];
    const out = simplex.apply({ x: tf.tensor2d(x) });
    expect(out.z.shape).toEqual([2, 4]);
    expect(out.z.dtype).toBe("float32");
    const expected = simplex.solve({ x }).variables.z.flat();
    Array.from(out.z.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6));
    expect(simplex.apply({ x: tf.tensor1d([0.25, 0.5, 0.9, 0.1]) }).z.shape).toEqual([1, 4]);
  });

  it("has the gradient of layer.vjp, through tf.grad", () => {
    // Away from the kinks of the projection (no entry exactly at the threshold).
    const x = [
      [0.25, 0.5, 0.9, 0.1],
      [0.3, -0.2, 0.4, 0.35],
    ];
    const w = [
      [1, -2, 0.5, 3],
      [0.25, 1, -1, 2],
    ];
    const grad = tf.grad((xt: tf.Tensor) =>
      tf.sum(tf.mul(simplex.apply({ x: xt }).z, tf.tensor2d(w))),
    );
    const fromTf = grad(tf.tensor2d(x)).arraySync() as number[][];
    const fromVjp = simplex.vjp(simplex.solve({ x }), { z: w }).x as number[][];
    fromTf.flat().forEach((v, i) => expect(v).toBeCloseTo(fromVjp.flat()[i], 5));
  });

  it("sums the gradient of an unbatched tensor over the batch and passes plain values as constants", () => {
    const layer = compile(exampleSource("lasso.qp"), { file: "lasso.qp" });
    const A = Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 5 }, (_, j) => Math.sin(3 * i + j)),
    );
    const y = [
      Array.from({ length: 10 }, (_, i) => Math.cos(i)),
      Array.from({ length: 10 }, (_, i) => Math.sin(2 * i)),
    ];
    const grad = tf.grad((lam: tf.Tensor) => tf.sum(layer.apply({ A, y, lam }).z));
    const fromTf = grad(tf.scalar(0.3)).arraySync() as number;
    const ones = [Array(5).fill(1), Array(5).fill(1)];
    const fromVjp = layer.vjp(layer.solve({ A, y, lam: 0.3 }), { z: ones }).lam as number;
    expect(fromTf).toBeCloseTo(fromVjp, 4);
    expect(fromVjp).not.toBe(0);
  });

  it("trains: Adam on x makes the projection match a target, the loss falling 100-fold", () => {
    const target = tf.tensor2d([[0.1, 0.2, 0.3, 0.4]]);
    const x = tf.variable(tf.zeros([1, 4]));
    const optimizer = tf.train.adam(0.05);
    const loss = () => tf.mean(tf.square(tf.sub(simplex.apply({ x }).z, target))) as tf.Scalar;
    const first = loss().dataSync()[0];
    let last = first;
    for (let step = 0; step < 80; step++) last = optimizer.minimize(loss, true)!.dataSync()[0];
    expect(first).toBeGreaterThan(1e-3);
    expect(last).toBeLessThan(first / 100);
  });

  it("reports a tensor of the wrong shape as a ParameterError", () => {
    expect(() => simplex.apply({ x: tf.tensor1d([1, 2, 3]) })).toThrow(
      /parameter x: expected a tensor of shape \[4\]/,
    );
  });

  it("works as a tf.layers layer inside tf.sequential, and model.fit lowers the loss 10-fold", async () => {
    const features = 6;
    const u = tf.randomUniform([64, features], -1, 1, "float32", 1);
    const hidden = tf.randomUniform([features, 4], -2, 2, "float32", 2);
    const target = simplex.apply({ x: tf.matMul(u, hidden) }).z;
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [features], units: 4, kernelInitializer: "zeros" }),
        simplex.toTfLayer({ inputs: ["x"] }),
      ],
    });
    expect(model.outputs[0].shape).toEqual([null, 4]);
    model.compile({ optimizer: tf.train.adam(0.05), loss: "meanSquaredError" });
    const history = await model.fit(u, target, { epochs: 40, batchSize: 64, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[0]).toBeGreaterThan(1e-3);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 10);
  });
});
