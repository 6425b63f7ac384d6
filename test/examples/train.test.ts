import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRandom } from "../../examples/experiments/lib/random.js";
import { readResults, recordRun, type RunRecord } from "../../examples/experiments/lib/results.js";
import { tf } from "../../examples/experiments/lib/tf.js";
import { train } from "../../examples/experiments/lib/train.js";

describe("training with the epoch chosen on a validation metric", () => {
  it("ends with the variables of the best validation epoch, not the last", () => {
    const w = tf.variable(tf.scalar(0));
    // the training loss pulls w to 3; validation is best near 1, passed on the way
    const { history, bestEpoch } = train({
      label: "t",
      epochs: 6,
      batchSize: 1,
      trainSize: 1,
      random: createRandom(1),
      optimizer: tf.train.sgd(0.25),
      variables: [w],
      progress: false,
      select: "val",
      evaluate: () => ({ val: Math.abs((w.dataSync()[0] ?? NaN) - 1) }),
      loss: () => tf.square(tf.sub(w, 3)) as tf.Scalar,
    });
    const values = history.map((h) => h.metrics.val ?? NaN);
    expect(bestEpoch).toBe(values.indexOf(Math.min(...values)));
    expect(bestEpoch).toBeLessThan(6);
    expect(Math.abs((w.dataSync()[0] ?? NaN) - 1)).toBeCloseTo(values[bestEpoch] ?? NaN, 6);
    w.dispose();
  });

  it("stops once the training loss stops falling", () => {
    const w = tf.variable(tf.scalar(0));
    const run = train({
      label: "t",
      epochs: 50,
      batchSize: 1,
      trainSize: 1,
      random: createRandom(1),
      optimizer: tf.train.sgd(0.4),
      variables: [w],
      progress: false,
      select: "val",
      plateau: 0.01,
      evaluate: () => ({ val: 0 }),
      loss: () => tf.add(tf.square(tf.sub(w, 3)), 1) as tf.Scalar,
    });
    expect(run.stoppedBy).toBe("plateau");
    expect(run.history.length - 1).toBeLessThan(50);
    w.dispose();
  });

  it("reduces the learning rate after `patience` epochs without a better validation metric", () => {
    for (const optimizer of [tf.train.adam(0.1), tf.train.sgd(0.1)]) {
      const w = tf.variable(tf.scalar(0));
      // validation never improves on epoch 0, so the rate falls every second epoch
      const { history } = train({
        label: "t",
        epochs: 6,
        batchSize: 1,
        trainSize: 1,
        random: createRandom(1),
        optimizer,
        variables: [w],
        progress: false,
        select: "val",
        reduceLrOnPlateau: { patience: 2, factor: 0.5 },
        evaluate: (epoch) => ({ val: epoch }),
        loss: () => tf.square(tf.sub(w, 3)) as tf.Scalar,
      });
      expect(history.slice(1).map((h) => h.metrics.lr)).toEqual([
        0.1, 0.1, 0.05, 0.05, 0.025, 0.025,
      ]);
      w.dispose();
    }
  });

  it("takes steps of the reduced size after a reduction", () => {
    const w = tf.variable(tf.scalar(0));
    const positions: number[] = [];
    train({
      label: "t",
      epochs: 3,
      batchSize: 1,
      trainSize: 1,
      random: createRandom(1),
      optimizer: tf.train.adam(0.1),
      variables: [w],
      progress: false,
      select: "val",
      reduceLrOnPlateau: { patience: 1, factor: 0.1 },
      evaluate: (epoch) => {
        positions.push(w.dataSync()[0] ?? NaN);
        return { val: epoch };
      },
      loss: () => tf.square(tf.sub(w, 3)) as tf.Scalar,
    });
    // Adam's first steps move w by about the rate: 0.1, then 0.01 after the first reduction
    const steps = positions.slice(1).map((x, i) => x - (positions[i] ?? NaN));
    expect(steps[0]).toBeCloseTo(0.1, 3);
    expect(steps[1]).toBeCloseTo(0.01, 3);
    expect(steps[2]).toBeCloseTo(0.001, 3);
    w.dispose();
  });
});

describe("the results file of an experiment", () => {
  let dir = "";
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const run = (seed: number, mse: number, epochs = 3): RunRecord => ({
    seed,
    date: "2026-12-06T12:00:00.000Z",
    wallSeconds: 1,
    machine: {
      cpus: 2,
      cpuModel: "x",
      memoryGiB: 1,
      node: "v20",
      tfjs: "4.22.0",
      backend: "cpu",
      loadStart: 1,
      loadEnd: 1,
    },
    setting: { epochs },
    curves: {},
    outcomes: { tv: { train: {}, val: {}, test: { mse } } },
    extra: {},
  });

  it("keeps one run per seed and the mean over seeds of every test metric", async () => {
    dir = await mkdtemp(join(tmpdir(), "optnet-results-"));
    recordRun(dir, "denoise", "full", run(1, 10));
    recordRun(dir, "denoise", "full", run(2, 20));
    const path = recordRun(dir, "denoise", "full", run(2, 14));
    const file = readResults(path);
    expect(file.runs.map((r) => r.seed)).toEqual([1, 2]);
    expect((file.testMse as Record<string, number>).tv).toBe(12);
    // a run at another setting replaces the file's runs instead of being averaged with them
    const other = readResults(recordRun(dir, "denoise", "full", run(3, 30, 5)));
    expect(other.runs.map((r) => r.seed)).toEqual([3]);
    expect((other.testMse as Record<string, number>).tv).toBe(30);
  });
});
