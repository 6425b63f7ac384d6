import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import * as optnet from "../../src/index.js";

describe("the package entry", () => {
  it("exports compile, solveQP, CompileError and ParameterError", () => {
    expect(typeof optnet.compile).toBe("function");
    expect(typeof optnet.solveQP).toBe("function");
    expect(new optnet.CompileError([], "")).toBeInstanceOf(Error);
    expect(new optnet.ParameterError("m", "x", 0)).toMatchObject({ parameter: "x", member: 0 });
  });

  it("does not load TensorFlow.js until apply is called", () => {
    const script = `
      import { createRequire } from "node:module";
      const require = createRequire(import.meta.url);
      const tfLoaded = () => Object.keys(require.cache).some((k) => k.includes("@tensorflow"));
      const { compile } = await import("./src/index.ts");
      const layer = compile("dim n = 2; parameter x[n]; variable z[n]\\nminimize ||z - x||^2 s.t. z >= 0");
      layer.solve({ x: [1, -1] });
      const before = tfLoaded();
      const tf = await import("@tensorflow/tfjs");
      tf.enableProdMode();
      layer.apply({ x: tf.tensor1d([1, -1]) });
      console.log(JSON.stringify([before, tfLoaded()]));
    `;
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        encoding: "utf8",
      },
    );
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual([false, true]);
  });
});
