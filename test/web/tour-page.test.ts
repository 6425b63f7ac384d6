import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";
import { servePage, type ServedPage } from "./page-server.js";

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
  let served: ServedPage | undefined;

  beforeAll(async () => {
    const files = {
      "solver.ts": workerBlock,
      "main.ts": pageBlock,
      "simplex.qp": readFileSync(join(root, "examples/simplex.qp"), "utf8"),
    };
    served = await servePage(files, { name: "tour-page", esWorkers: true });
  }, 120_000);

  afterAll(async () => {
    await served?.close();
  });

  it("prints section 3's solution and gradient", async () => {
    const page = await served!.browser.newPage();
    // A worker that lost the page's message (its handler set too late) never answers.
    const printed = new Promise<unknown>((resolve, reject) => {
      page.on("console", (message) => {
        if (message.type() === "log") void message.args()[0].jsonValue().then(resolve);
      });
      setTimeout(() => reject(new Error("the page printed nothing in 20 s")), 20_000);
    });
    await page.goto(served!.url);
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
