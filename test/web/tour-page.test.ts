import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";

/**
 * docs/TOUR.md §5 run as written: its worker and page blocks built with Vite into a page (the
 * `optnet` import resolved to the browser entry) and loaded in Chromium, where the page must
 * print the z and dx of the tour's section 3.
 */

const root = fileURLToPath(new URL("../../", import.meta.url));
const tour = readFileSync(join(root, "docs/TOUR.md"), "utf8");
const section = tour.slice(tour.indexOf("## 5. The same layer in a page"));
const [workerBlock, pageBlock] = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map(
  (m) => m[1],
);

if (chromiumPath === null) console.log(NO_CHROMIUM);

describe.skipIf(chromiumPath === null)("the tour's page in Chromium", () => {
  const dir = mkdtempSync(join(tmpdir(), "optnet-tour-page-"));
  let browser: Browser | undefined;
  let url = "";
  let closeServer: () => Promise<void> = async () => {};

  beforeAll(async () => {
    const { build, preview } = await import("vite");
    const { chromium } = await import("playwright-core");
    writeFileSync(join(dir, "index.html"), '<script type="module" src="./main.ts"></script>');
    writeFileSync(join(dir, "solver.ts"), workerBlock);
    writeFileSync(join(dir, "main.ts"), pageBlock);
    copyFileSync(join(root, "examples/simplex.qp"), join(dir, "simplex.qp"));
    const config = {
      root: dir,
      configFile: false as const,
      logLevel: "warn" as const,
      resolve: { alias: { optnet: join(root, "src/browser.ts") } },
      worker: { format: "es" as const },
      build: { outDir: join(dir, "dist"), target: "es2022" },
      preview: { port: 0, host: "127.0.0.1" },
    };
    await build(config);
    const server = await preview(config);
    url = server.resolvedUrls?.local[0] ?? "";
    closeServer = () => server.close();
    browser = await chromium.launch({ executablePath: chromiumPath ?? undefined });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await closeServer();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints section 3's solution and gradient", async () => {
    const page = await browser!.newPage();
    // A worker that lost the page's message (its handler set too late) never answers.
    const printed = new Promise<unknown>((resolve, reject) => {
      page.on("console", (message) => {
        if (message.type() === "log") void message.args()[0].jsonValue().then(resolve);
      });
      setTimeout(() => reject(new Error("the page printed nothing in 20 s")), 20_000);
    });
    await page.goto(url);
    const { status, z, dx } = (await printed) as {
      status: string[];
      z: number[][];
      dx: number[][];
    };

    const layer = compile(readFileSync(join(root, "examples/simplex.qp"), "utf8"));
    const x = [
      [0.25, 0.5, 0.9],
      [1, 2, 3.5],
    ];
    const out = layer.solve({ x });
    const grad = layer.vjp(out, {
      z: [
        [1, 0, 0],
        [0, 0, 1],
      ],
    });
    expect(status).toEqual(["solved", "solved"]);
    z.flat().forEach((v, i) => expect(v).toBeCloseTo((out.variables.z as number[][]).flat()[i], 9));
    dx.flat().forEach((v, i) => expect(v).toBeCloseTo((grad.x as number[][]).flat()[i], 8));
  }, 60_000);
});
