/**
 * `npm start`: the project's main job on a built-in example, in a few seconds. Compiles the
 * simplex projection, prints its canonical form, solves a batch, then trains a small tfjs model
 * through the layer and shows the loss falling.
 */
import { existsSync, readFileSync } from "node:fs";
import cliProgress from "cli-progress";
import * as tf from "@tensorflow/tfjs";
import { compile } from "./compile.js";

const SIMPLEX_FILE = new URL("../../examples/simplex.qp", import.meta.url);
const SIMPLEX_SOURCE = `# projection onto the probability simplex
dim n = 3
parameter x[n]
variable z[n]
minimize ||z - x||^2
subject to
  z >= 0
  1'z = 1
`;

/** A seeded generator (xorshift32), so every run prints the same numbers. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function format(values: readonly number[]): string {
  return `[${values.map((v) => v.toFixed(3).padStart(6)).join(" ")}]`;
}

async function main(): Promise<void> {
  tf.enableProdMode();
  const n = 5;
  const source = existsSync(SIMPLEX_FILE) ? readFileSync(SIMPLEX_FILE, "utf8") : SIMPLEX_SOURCE;
  const layer = compile(source, { dims: { n }, file: "examples/simplex.qp" });

  console.log("== 1. The program, compiled (n = 5) ==\n");
  console.log(layer.describe());

  console.log("\n== 2. A batch of 4 projections onto the simplex ==\n");
  const rand = random(7);
  const x = Array.from({ length: 4 }, () => Array.from({ length: n }, () => 2 * rand() - 0.5));
  const out = layer.solve({ x });
  console.log(`member  status  iters  objective  ${"x".padEnd(36)}  z`);
  for (let b = 0; b < out.batch; b++) {
    const z = out.variables.z[b] as number[];
    console.log(
      `${String(b).padStart(6)}  ${out.status[b]}  ${String(out.iterations[b]).padStart(5)}  ` +
        `${out.objective[b].toFixed(5).padStart(9)}  ${format(x[b])}  ${format(z)}`,
    );
  }

  console.log("\n== 3. Training through the layer in TensorFlow.js ==\n");
  console.log(
    "model: features u (8) -> dense W (8x5) -> simplex projection -> z; target z from a hidden W*",
  );
  const features = 8;
  const batch = 32;
  const u = tf.tensor2d(
    Array.from({ length: batch * features }, () => rand() * 2 - 1),
    [batch, features],
  );
  const hidden = tf.tensor2d(
    Array.from({ length: features * n }, () => rand() * 2 - 1),
    [features, n],
  );
  const target = layer.apply({ x: tf.matMul(u, hidden) }).z;
  const W = tf.variable(tf.zeros([features, n]));
  const optimizer = tf.train.adam(0.05);
  const loss = () =>
    tf.tidy(
      () => tf.mean(tf.square(tf.sub(layer.apply({ x: tf.matMul(u, W) }).z, target))) as tf.Scalar,
    );

  const steps = 60;
  const first = (loss().dataSync() as Float32Array)[0];
  const bar = new cliProgress.SingleBar(
    {
      format: "training |{bar}| step {value}/{total}  loss {loss}",
      noTTYOutput: true,
      notTTYSchedule: 1000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(steps, 0, { loss: first.toExponential(3) });
  let last = first;
  const milestones: string[] = [`step 0: ${first.toExponential(2)}`];
  for (let step = 1; step <= steps; step++) {
    const value = optimizer.minimize(loss, true);
    last = value === null ? NaN : (value.dataSync() as Float32Array)[0];
    value?.dispose();
    bar.update(step, { loss: last.toExponential(3) });
    if (step % 15 === 0) milestones.push(`step ${step}: ${last.toExponential(2)}`);
  }
  bar.stop();
  console.log(`\nloss by step  ${milestones.join("  ")}`);
  console.log(
    `loss ${first.toExponential(3)} -> ${last.toExponential(3)} (${(first / last).toFixed(1)}x lower) after ${steps} Adam steps`,
  );
}

main().catch((error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
