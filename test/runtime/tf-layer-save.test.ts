import { spawnSync } from "node:child_process";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/runtime/index.js";

beforeAll(() => {
  tf.enableProdMode();
});

// Names with capitals and underscores: tfjs rewrites such strings in saved configs.
const source =
  "dim n = 3\nparameter x[n]\nparameter shift_Scale\nvariable z[n]\n" +
  "minimize ||z - x||^2 + shift_Scale * sum(z)\ns.t. z >= 0, 1'z = 1\n";

/** The model's artifacts, saved through an IO handler that needs no filesystem. */
async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (saved === null) throw new Error("the model was not saved");
  return saved;
}

function modelWithLayer(): tf.LayersModel {
  const layer = compile(source, { dims: { n: 4 } });
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 4, kernelInitializer: "glorotNormal" }),
      layer.toTfLayer({
        inputs: ["x"],
        constants: { shift_Scale: new Float64Array([0.25]) },
        solve: { eps: 1e-10, maxIter: 60 },
        name: "simplex_QP",
      }),
    ],
  });
}

describe("a saved model containing the QP layer", () => {
  it("reloads with tf.loadLayersModel and gives identical outputs", async () => {
    const model = modelWithLayer();
    const artifacts = await saveToMemory(model);
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(reloaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(reloaded.outputs[0].shape).toEqual([null, 4]);
    const u = tf.randomUniform([6, 3], -2, 2, "float32", 11);
    const before = (model.predict(u) as tf.Tensor).dataSync();
    const after = (reloaded.predict(u) as tf.Tensor).dataSync();
    expect(Array.from(after)).toEqual(Array.from(before));
    // The reloaded layer keeps the program's dims (n = 4, not the default 3) and its constant.
    const config = reloaded.layers[1].getConfig();
    expect(config.name).toBe("simplex_QP");
    expect(model.layers[1].getConfig()).toEqual(config);
  });

  it("reloads in a fresh process after registerTfLayer()", async () => {
    const model = modelWithLayer();
    const artifacts = await saveToMemory(model);
    const u = [
      [0.5, -1, 2],
      [1, 1, -0.25],
    ];
    const expected = Array.from((model.predict(tf.tensor2d(u)) as tf.Tensor).dataSync());
    const script = `
      import * as tf from "@tensorflow/tfjs";
      import { registerTfLayer } from "./src/index.ts";
      let input = "";
      for await (const chunk of process.stdin) input += chunk;
      const { artifacts, u } = JSON.parse(input);
      artifacts.weightData = Uint8Array.from(artifacts.weightData).buffer;
      registerTfLayer();
      const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
      process.stdout.write(JSON.stringify(Array.from(model.predict(tf.tensor2d(u)).dataSync())));
    `;
    const weightData = Array.from(new Uint8Array(artifacts.weightData as ArrayBuffer));
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "--eval", script],
      { encoding: "utf8", input: JSON.stringify({ artifacts: { ...artifacts, weightData }, u }) },
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(JSON.parse(r.stdout.slice(r.stdout.indexOf("["))) as number[]).toEqual(expected);
  });
});
