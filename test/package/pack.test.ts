import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundlePage, expectBrowserReady } from "../web/bundle-page.js";
import { packIntoScratchProject, repoRoot, run, type ScratchProject } from "./scratch-project.js";

/**
 * The package as a user gets it: `npm pack`, unpacked into a fresh project next to the
 * project's own tfjs, then type-checked with `skipLibCheck: false` (with and without Node's
 * types), imported as an ES module and required from CommonJS.
 */

const SIMPLEX =
  "dim n = 3; parameter x[n]; variable z[n]\\nminimize ||z - x||^2 s.t. z >= 0, 1'z = 1";
const X = [
  [0.2, 0.5, 0.9],
  [1, -1, 0],
];
/** Projections of X onto the simplex in closed form: z = max(x - tau, 0), tau 0.2 and 0. */
const Z = [
  [0, 0.3, 0.7],
  [1, 0, 0],
];

const TYPED_ESM = `import * as tf from "@tensorflow/tfjs";
import { compile, solveQP, useTensorFlow, CompileError, type LayerOutput } from "optnet";

useTensorFlow(tf); // what a page does; harmless in Node
const layer = compile("${SIMPLEX}");
const out: LayerOutput = layer.solve({ x: ${JSON.stringify(X)} });
const z: tf.Tensor = layer.apply({ x: tf.tensor2d(${JSON.stringify(X)}) }).z;
const tfLayer: tf.layers.Layer = layer.toTfLayer();
// @ts-expect-error: parameters are named; the typings are real, not \`any\`.
layer.solve(42);
export const used = [out.status[0], z.shape, tfLayer.name, solveQP, CompileError];
`;

const TYPED_CJS = `import optnet = require("optnet");

const out: optnet.LayerOutput = optnet.compile("${SIMPLEX}").solve({ x: ${JSON.stringify(X)} });
export const status: string = out.status[0];
`;

const RUN_ESM = `import * as tf from "@tensorflow/tfjs";
import { compile } from "optnet";

const layer = compile("${SIMPLEX}");
const out = layer.solve({ x: ${JSON.stringify(X)} });
const applied = layer.apply({ x: tf.tensor2d(${JSON.stringify(X)}) }).z.arraySync();
console.log(JSON.stringify({ status: out.status, z: out.variables.z, applied }));
`;

const RUN_CJS = `const { compile, solveQP } = require("optnet");

const out = compile("${SIMPLEX}").solve({ x: ${JSON.stringify(X)} });
// min (z1 - 1)^2 + (z2 - 2)^2 s.t. z1 + z2 <= 1: z = (0, 1).
const raw = solveQP({ Q: [[2, 0], [0, 2]], q: [-2, -4], G: [[1, 1]], h: [1] });
console.log(JSON.stringify({ status: out.status, z: out.variables.z, raw: raw.z }));
`;

const PAGE = `import { compile } from "optnet";

const out = compile("${SIMPLEX}").solve({ x: ${JSON.stringify(X)} });
document.body.textContent = JSON.stringify(out.variables.z);
`;

function tsconfig(types: string[], files: string[]): string {
  return JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2023"],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
      types,
    },
    files,
  });
}

const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");

/**
 * tsc's errors, less those inside tfjs's own typings: tfjs 4.22 does not compile with
 * `skipLibCheck: false` under TypeScript 7 (its webgl backend needs DOM types, tfjs-layers fails
 * strict index signatures, and @webgpu/types clashes with lib.dom), in a project without
 * optnet just the same. Every error in optnet's typings or in the user's files stays.
 */
function errorsOutsideTfjs(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => /error TS\d+/.test(line))
    .filter((line) => !/node_modules\/(@tensorflow|@webgpu)\//.test(line.split("(")[0]));
}

function expectClose(actual: unknown, expected: number[][], tolerance: number): void {
  const rows = actual as number[][];
  expect(rows.length).toBe(expected.length);
  rows.forEach((row, b) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[b][j], tolerance)));
}

describe("the packed package in a new project", () => {
  let project: ScratchProject;
  beforeAll(() => {
    project = packIntoScratchProject();
    const write = (name: string, text: string) => writeFileSync(join(project.dir, name), text);
    write("typed.mts", TYPED_ESM);
    write("typed.cts", TYPED_CJS);
    write("tsconfig.node.json", tsconfig(["node"], ["typed.mts", "typed.cts"]));
    write("tsconfig.bare.json", tsconfig([], ["typed.mts", "typed.cts"]));
    write("run.mjs", RUN_ESM);
    write("run.cjs", RUN_CJS);
    console.log(`npm pack (prepare included): ${project.packSeconds.toFixed(1)} s`);
  }, 240_000);
  // The project's dependencies are links: rm removes the links, never what they point to.
  afterAll(() => rmSync(project.root, { recursive: true, force: true }));

  it("ships the built entry, its typings and the WebAssembly kernels", () => {
    for (const file of [
      "dist/index.js",
      "dist/index.d.ts",
      "dist/browser.js",
      "dist/runtime/workers/solve-worker.js",
      "dist/solver/wasm/kernels.wasm",
      "dist/solver/wasm/kernels-shared.wasm",
      "dist/solver/wasm/kernels-relaxed.wasm",
      "dist/solver/wasm/kernels-shared-relaxed.wasm",
    ]) {
      expect(project.files).toContain(file);
    }
  });

  it("names no node: module in any of its typings", () => {
    const typings = project.files.filter((file) => file.endsWith(".d.ts"));
    expect(typings.length).toBeGreaterThan(50);
    for (const file of typings) {
      const text = readFileSync(join(project.dir, "node_modules", "optnet", file), "utf8");
      expect(text, file).not.toMatch(/["']node:|reference types="node"/);
    }
  });

  it("has tfjs as a peer (one copy in the project), not as its own dependency", () => {
    expect(project.packed.dependencies?.["@tensorflow/tfjs"]).toBeUndefined();
    expect(project.packed.peerDependencies?.["@tensorflow/tfjs"]).toBe("^4.20.0");
  });

  it("type-checks with skipLibCheck false and Node's types", () => {
    const r = run(process.execPath, [tsc, "-p", "tsconfig.node.json"], project.dir);
    expect(r.stderr).toBe("");
    expect(errorsOutsideTfjs(r.stdout)).toEqual([]);
  });

  it("type-checks with skipLibCheck false and no Node types at all", () => {
    const r = run(process.execPath, [tsc, "-p", "tsconfig.bare.json"], project.dir);
    expect(r.stderr).toBe("");
    expect(errorsOutsideTfjs(r.stdout)).toEqual([]);
  });

  it("is imported as an ES module, solves, and applies to the project's own tfjs tensors", () => {
    const r = run(process.execPath, ["run.mjs"], project.dir);
    expect(r.stderr).not.toMatch(/already registered|Error/);
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout.slice(r.stdout.indexOf("{"))) as Record<string, unknown>;
    expect(result.status).toEqual(["solved", "solved"]);
    expectClose(result.z, Z, 6);
    expectClose(result.applied, Z, 5);
  });

  it("bundles for a page with Vite, through its browser condition: no Node, the kernels copied", async () => {
    const page = join(project.dir, "page");
    mkdirSync(page);
    writeFileSync(join(page, "index.html"), '<script type="module" src="./main.js"></script>');
    writeFileSync(join(page, "main.js"), PAGE);
    const bundle = await bundlePage(page);
    expectBrowserReady(bundle);
    // The browser entry, not the Node one: it is the one that fetches the kernels.
    expect(bundle.js.join("\n")).toMatch(/the WebAssembly kernels did not load/);
  }, 120_000);

  it("is required from CommonJS and solves", () => {
    const r = run(process.execPath, ["run.cjs"], project.dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(result.status).toEqual(["solved", "solved"]);
    expectClose(result.z, Z, 6);
    expectClose(result.raw, [[0, 1]], 6);
  });
});
