import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, solveQP } from "../../src/index.js";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";
import { servePage, type ServedPage } from "./page-server.js";
import { WEBGPU_CHROMIUM_FLAGS } from "./webgpu-flags.js";

/**
 * The GPU solver in a real page: a page importing "optnet" through the browser entry, built with
 * Vite and loaded in Chromium with WebGPU on (lavapipe here), solves a small batch with
 * `{ device: "webgpu" }`; its statuses and z must match this process's float64 solver within
 * docs/GPU.md's f32 tolerance. The same page then runs the simplex layer through `layer.apply`
 * on tfjs's webgpu backend (the QP solved in tfjs's own GPUDevice) and takes tf.grad through it,
 * against this process's solve and vjp. Where the browser gives no adapter the test is skipped
 * with one line saying why.
 */

const SIMPLEX = readFileSync(new URL("../../examples/simplex.qp", import.meta.url), "utf8");
/** Inputs of the layer (x) and the weights of its loss Σ w·z, for the tfjs part of the page. */
const X = [
  [0.25, 0.5, 0.9],
  [1, 2, 3.5],
  [0.4, 0.3, 0.35],
];
const W = [
  [1, -2, 0.5],
  [0.3, 0, 1],
  [-1, 1, 2],
];

/** Projections onto the simplex in R⁴: minimize ½‖z − x‖² s.t. z ≥ 0, 1'z = 1. */
const XS = [
  [0.3, -0.2, 0.8, 0.1],
  [2, 2, -1, 0.5],
  [0.25, 0.25, 0.25, 0.25],
  [-1, 3, 0.2, 0.4],
];
const ARGS = {
  Q: [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? 1 : 0))),
  q: XS.map((x) => x.map((v) => -v)),
  G: [0, 1, 2, 3].map((i) => [0, 1, 2, 3].map((j) => (i === j ? -1 : 0))),
  h: [0, 0, 0, 0],
  A: [[1, 1, 1, 1]],
  b: [1],
};
/** docs/GPU.md: at eps 1e-5 on small problems, z within 1e-3 relative to 1 + its size. */
const EPS = 1e-5;
const SOLUTION_TOLERANCE = 1e-3;
const GRADIENT_TOLERANCE = 1e-2;

const PAGE = `
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import { compile, solveQP, useTensorFlow } from "optnet";

const args = ${JSON.stringify(ARGS)};
async function run() {
  const gpu = navigator.gpu;
  const adapter = gpu === undefined ? null : await gpu.requestAdapter();
  if (adapter === null) {
    return { skip: gpu === undefined ? "no navigator.gpu" : "requestAdapter() gave null" };
  }
  const result = await solveQP(args, { device: "webgpu", eps: ${EPS} });
  useTensorFlow(tf);
  if (!(await tf.setBackend("webgpu"))) return { error: "tfjs's webgpu backend did not start" };
  const layer = compile(${JSON.stringify(SIMPLEX)});
  const x = tf.tensor(${JSON.stringify(X)});
  const w = tf.tensor(${JSON.stringify(W)});
  const z = layer.apply({ x }, { eps: ${EPS} }).z;
  const loss = (xs) => tf.sum(tf.mul(layer.apply({ x: xs }, { eps: ${EPS} }).z, w));
  const dx = tf.grad(loss)(x);
  const apply = { backend: tf.getBackend(), z: await z.array(), dx: await dx.array() };
  return { device: result.device, status: result.status, z: result.z, apply };
}
run().then(
  (answer) => { window.answer = answer; },
  (error) => { window.answer = { error: String(error && error.stack || error) }; },
);
`;

interface Answer {
  skip?: string;
  error?: string;
  device?: string;
  status?: string[];
  z?: number[][];
  apply?: { backend: string; z: number[][]; dx: number[][] };
}

if (chromiumPath === null) console.log(NO_CHROMIUM);

describe.skipIf(chromiumPath === null)("the WebGPU solver in a Chromium page", () => {
  let served: ServedPage | undefined;

  beforeAll(async () => {
    served = await servePage(
      { "main.ts": PAGE },
      { name: "webgpu-page", chromiumArgs: WEBGPU_CHROMIUM_FLAGS },
    );
  }, 180_000);

  afterAll(async () => {
    await served?.close();
  });

  it("solves a batch on the GPU, and a layer through tfjs's webgpu backend, as float64 does", async (context) => {
    const page = await served!.browser.newPage();
    // An earlier attempt hung with nothing said: every error the page sees is kept and shown.
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    await page.goto(served!.url);
    const handle = await page
      .waitForFunction(() => (globalThis as { answer?: unknown }).answer, null, {
        timeout: 240_000,
      })
      .catch((error: unknown) => {
        throw new Error(
          `the page gave no answer (${String(error)}); its errors: ${errors.join("; ")}`,
        );
      });
    const answer = (await handle.jsonValue()) as Answer;
    if (answer.skip !== undefined) {
      console.log(
        `WebGPU page test skipped: ${answer.skip} in Chromium with ${WEBGPU_CHROMIUM_FLAGS.join(" ")}`,
      );
      context.skip();
    }
    expect(answer.error, errors.join("; ")).toBeUndefined();
    expect(answer.device).toMatch(/^webgpu: /);

    const cpu = solveQP(ARGS);
    expect(answer.status).toEqual(cpu.status);
    const size = Math.max(...cpu.z.flat().map(Math.abs));
    answer.z!.flat().forEach((v, i) => {
      expect(Math.abs(v - cpu.z.flat()[i]) / (1 + size)).toBeLessThan(SOLUTION_TOLERANCE);
    });

    // layer.apply and tf.grad in tfjs's webgpu backend, against solve and vjp here
    const layer = compile(SIMPLEX);
    const out = layer.solve({ x: X });
    const grad = layer.vjp(out, { z: W });
    expect(answer.apply?.backend).toBe("webgpu");
    const close = (got: number[][], want: number[][], tolerance: number) => {
      const scale = 1 + Math.max(...want.flat().map(Math.abs));
      got.flat().forEach((v, i) => {
        expect(Math.abs(v - want.flat()[i]) / scale).toBeLessThan(tolerance);
      });
    };
    close(answer.apply!.z, out.variables.z as number[][], SOLUTION_TOLERANCE);
    close(answer.apply!.dx, grad.x as number[][], GRADIENT_TOLERANCE);
  }, 300_000);
});
