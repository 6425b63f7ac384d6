import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";

/**
 * Training must survive members that cannot be solved: a network in the middle of training
 * produces parameters that make some problems infeasible. Those members get zero gradient, the
 * rest of the batch keeps learning, and the learned parameters stay finite.
 */
describe("a long training loop with deliberately infeasible members", () => {
  tf.enableProdMode();

  // Projection onto the box [lo, 1]: infeasible whenever lo > 1.
  const layer = compile(
    `dim n = 4
     parameter x[n]
     parameter lo[n]
     variable z[n]
     minimize ||z - x||^2
     subject to
       lo <= z <= 1`,
  );
  const batch = 8;
  // Members 2 and 5 have lo = 2 > 1: infeasible every step.
  const infeasible = new Set([2, 5]);
  const lo = tf.tensor2d(
    Array.from({ length: batch }, (_, k) => Array(4).fill(infeasible.has(k) ? 2 : 0)),
  );
  const target = tf.tensor2d(
    Array.from({ length: batch }, (_, k) => [0.1, 0.4, 0.6, 0.9].map((v) => (v + 0.05 * k) % 1)),
  );
  const feasibleMask = tf.tensor2d(
    Array.from({ length: batch }, (_, k) => Array(4).fill(infeasible.has(k) ? 0 : 1)),
  );

  it("finishes 150 Adam steps with finite parameters and the feasible members' loss 20 times lower", () => {
    const x = tf.variable(tf.fill([batch, 4], 0.5));
    const optimizer = tf.train.adam(0.05);
    let firstLoss = Number.NaN;
    let lastLoss = Number.NaN;
    let statuses: string[] = [];
    for (let step = 0; step < 150; step++) {
      const loss = optimizer.minimize(() => {
        const z = layer.apply({ x, lo }).z;
        // The infeasible members' outputs are masked out of the loss; their gradient must be
        // zero anyway, which the check on x below confirms.
        return tf.mean(tf.mul(tf.square(tf.sub(z, target)), feasibleMask)) as tf.Scalar;
      }, true)!;
      const value = loss.dataSync()[0]!;
      if (step === 0) firstLoss = value;
      lastLoss = value;
      loss.dispose();
    }
    statuses = layer.solve({
      x: x.arraySync() as number[][],
      lo: lo.arraySync() as number[][],
    }).status;
    const learned = x.arraySync() as number[][];

    expect(learned.flat().every(Number.isFinite)).toBe(true);
    expect(statuses.filter((s, k) => infeasible.has(k) && s === "solved")).toEqual([]);
    expect(statuses.filter((s, k) => !infeasible.has(k) && s !== "solved")).toEqual([]);
    expect(lastLoss).toBeLessThan(firstLoss / 20);
    // Zero gradient: the infeasible members' x never moved from its start.
    for (const k of infeasible) expect(learned[k]).toEqual([0.5, 0.5, 0.5, 0.5]);
  });
});
