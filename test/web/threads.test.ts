import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";

/**
 * A batch split over Web Workers: a page that is cross-origin isolated solves in a worker (only
 * a worker may block), whose solves take the solver threads the browser entry starts. Checked
 * in Chromium against a one-thread solve of the same batch, values and gradients.
 */

const src = (path: string) =>
  JSON.stringify(fileURLToPath(new URL(`../../src/${path}`, import.meta.url)));

const WORKER = `
import { compile } from ${src("browser.ts")};
import { setThreadHost, startedWorkers, threadHost } from ${src("runtime/workers/pool.ts")};
import { hasRelaxedSimd } from ${src("solver/wasm/load-module.ts")};

// Counts the requests the solver threads get, to know that a solve used them.
const host = threadHost();
let posted = 0;
setThreadHost({
  ...host,
  start: host.start && (() => {
    const thread = host.start();
    const post = thread.post.bind(thread);
    thread.post = (request, transfer) => {
      if (request.type !== "release") posted++;
      post(request, transfer);
    };
    return thread;
  }),
});

const layer = compile("dim n = 20; parameter x[n]; variable z[n]\\nminimize ||z - x||^2 s.t. z >= 0, 1'z = 1");
const x = Array.from({ length: 128 }, (_, b) => Array.from({ length: 20 }, (_, i) => Math.sin(b + 3 * i)));
const dz = x.map((row) => row.map((_, i) => (i % 3) - 1));
// One thread asked for, whatever the machine's core count.
const first = layer.solve({ x }, { workers: 1 });
const postedByFirst = posted;
const deadline = Date.now() + 30000;
while (host.start && startedWorkers(1) === 0 && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 20));
}
const split = layer.solve({ x }, { workers: 1 });
const splitGrads = layer.vjp(split, { z: dz });
const single = layer.solve({ x }, { workers: false });
const singleGrads = layer.vjp(single, { z: dz });
postMessage({
  threads: typeof host.start === "function",
  postedByFirst,
  posted,
  sameFirst: JSON.stringify(first.variables) === JSON.stringify(single.variables),
  same: JSON.stringify(split.variables) === JSON.stringify(single.variables),
  sameGrads: JSON.stringify(splitGrads) === JSON.stringify(singleGrads),
  status: split.status.every((s) => s === "solved"),
  // Chromium has relaxed SIMD: the solves above ran on the relaxed builds, n = 20 on WebAssembly
  relaxed: hasRelaxedSimd(),
});
`;

const MAIN = `
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = (event) => { document.body.dataset.result = JSON.stringify(event.data); };
worker.onerror = (event) => { document.body.dataset.result = JSON.stringify({ error: event.message }); };
`;

const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

if (chromiumPath === null) console.log(NO_CHROMIUM);

describe.skipIf(chromiumPath === null)("a batch split over Web Workers in Chromium", () => {
  const root = mkdtempSync(join(tmpdir(), "optnet-threads-"));
  let browser: Browser | undefined;
  const urls = { isolated: "", plain: "" };
  const servers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    const { build, preview } = await import("vite");
    const { chromium } = await import("playwright-core");
    writeFileSync(join(root, "index.html"), '<script type="module" src="./main.js"></script>');
    writeFileSync(join(root, "main.js"), MAIN);
    writeFileSync(join(root, "worker.js"), WORKER);
    const config = {
      root,
      configFile: false as const,
      logLevel: "warn" as const,
      worker: { format: "es" as const },
      build: { outDir: join(root, "dist"), target: "es2022" },
      preview: { port: 0, host: "127.0.0.1", headers: isolation },
    };
    await build(config);
    const isolated = await preview(config);
    const plain = await preview({ ...config, preview: { ...config.preview, headers: {} } });
    servers.push(isolated, plain);
    urls.isolated = isolated.resolvedUrls?.local[0] ?? "";
    urls.plain = plain.resolvedUrls?.local[0] ?? "";
    browser = await chromium.launch({ executablePath: chromiumPath ?? undefined });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
    rmSync(root, { recursive: true, force: true });
  });

  async function resultAt(url: string): Promise<unknown> {
    const page = await browser!.newPage();
    await page.goto(url);
    await page.waitForSelector("body[data-result]", { state: "attached", timeout: 60_000 });
    const result = JSON.parse((await page.getAttribute("body", "data-result")) ?? "{}");
    await page.close();
    return result;
  }

  it("solves the first batch at once, then splits batches to the one-thread answer", async () => {
    expect(await resultAt(urls.isolated)).toEqual({
      threads: true,
      postedByFirst: 0,
      posted: 2,
      sameFirst: true,
      same: true,
      sameGrads: true,
      status: true,
      relaxed: true,
    });
  }, 90_000);

  it("solves on the calling thread where the page is not cross-origin isolated", async () => {
    expect(await resultAt(urls.plain)).toEqual({
      threads: false,
      postedByFirst: 0,
      posted: 0,
      sameFirst: true,
      same: true,
      sameGrads: true,
      status: true,
      relaxed: true,
    });
  }, 90_000);
});
