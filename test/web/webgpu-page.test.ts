import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { solveQP } from "../../src/index.js";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";
import { WEBGPU_CHROMIUM_FLAGS } from "./webgpu-flags.js";

/**
 * The GPU solver in a real page: a page importing "optnet" through the browser entry, built with
 * Vite and loaded in Chromium with WebGPU on (lavapipe here), solves a small batch with
 * `{ device: "webgpu" }`; its statuses and z must match this process's float64 solver within
 * docs/GPU.md's f32 tolerance. Where the browser gives no adapter the test is skipped with one
 * line saying why.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));

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

const PAGE = `
import { solveQP } from "optnet";

const args = ${JSON.stringify(ARGS)};
async function run() {
  const gpu = navigator.gpu;
  const adapter = gpu === undefined ? null : await gpu.requestAdapter();
  if (adapter === null) {
    return { skip: gpu === undefined ? "no navigator.gpu" : "requestAdapter() gave null" };
  }
  const result = await solveQP(args, { device: "webgpu", eps: ${EPS} });
  return { device: result.device, status: result.status, z: result.z };
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
}

if (chromiumPath === null) console.log(NO_CHROMIUM);

describe.skipIf(chromiumPath === null)("the WebGPU solver in a Chromium page", () => {
  const dir = mkdtempSync(join(tmpdir(), "optnet-webgpu-page-"));
  let browser: Browser | undefined;
  let url = "";
  let closeServer: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const { build, preview } = await import("vite");
    const { chromium } = await import("playwright-core");
    writeFileSync(join(dir, "index.html"), '<script type="module" src="./main.ts"></script>');
    writeFileSync(join(dir, "main.ts"), PAGE);
    const config = {
      root: dir,
      configFile: false as const,
      logLevel: "warn" as const,
      resolve: { alias: { optnet: join(root, "src/browser.ts") } },
      build: { outDir: join(dir, "dist"), target: "es2022" },
      preview: { port: 0, host: "127.0.0.1" },
    };
    await build(config);
    const server = await preview(config);
    url = server.resolvedUrls?.local[0] ?? "";
    closeServer = () => server.close();
    browser = await chromium.launch({
      executablePath: chromiumPath ?? undefined,
      args: WEBGPU_CHROMIUM_FLAGS,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer();
    rmSync(dir, { recursive: true, force: true });
  });

  it("solves a batch on the GPU to the float64 solver's statuses and z", async (context) => {
    const page = await browser!.newPage();
    // An earlier attempt hung with nothing said: every error the page sees is kept and shown.
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    await page.goto(url);
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
  }, 300_000);
});
