import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, it } from "vitest";
import { bundlePage, expectBrowserReady } from "./bundle-page.js";

/**
 * The browser entry bundled as a page's bundler bundles it (Vite, for the browser): it must
 * build with nothing of Node imported, and carry the WebAssembly kernels as an asset.
 * (test/package/pack.test.ts does the same with the packed package, through its "browser"
 * condition.)
 */

const browserEntry = fileURLToPath(new URL("../../src/browser.ts", import.meta.url));

describe("the browser entry, bundled by Vite for a page", () => {
  const root = mkdtempSync(join(tmpdir(), "optnet-bundle-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("builds with no Node import and the kernels as an asset", async () => {
    writeFileSync(join(root, "index.html"), '<script type="module" src="./main.js"></script>');
    writeFileSync(
      join(root, "main.js"),
      `import { compile } from ${JSON.stringify(browserEntry)};\n` +
        'const layer = compile("dim n = 3; parameter x[n]; variable z[n]\\nminimize ||z - x||^2 s.t. z >= 0");\n' +
        "document.body.textContent = JSON.stringify(layer.solve({ x: [1, -1, 0] }).variables);\n",
    );
    expectBrowserReady(await bundlePage(root));
  }, 120_000);
});
