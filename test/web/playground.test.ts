import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, CompileError } from "../../src/index.js";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";

/**
 * The playground in a real browser: built with Vite, served with its cross-origin isolation
 * headers, driven through Debian's Chromium. It types programs, reads the canonical form and the
 * underlined error, solves in the page's worker, and checks the numbers against this process's
 * solver (Node).
 */

const webRoot = fileURLToPath(new URL("../../web/", import.meta.url));

const SIMPLEX = `# a projection
dim n = 4
parameter x[n]
variable z[n]
minimize ||z - x||^2
subject to
  z >= 0
  1'z = 1
`;

const TV_PARAMS = {
  x: Array.from({ length: 100 }, (_, i) => (i < 40 ? 0 : i < 70 ? 2 : 1) + 0.3 * Math.sin(7 * i)),
  lam: 0.8,
};

if (chromiumPath === null) console.log(NO_CHROMIUM);

describe.skipIf(chromiumPath === null)("the playground in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let close: () => Promise<void>;
  const warnings: string[] = [];
  let outDir: string;

  beforeAll(async () => {
    const { build, preview } = await import("vite");
    const { chromium } = await import("playwright-core");
    outDir = mkdtempSync(join(tmpdir(), "optnet-web-"));
    const configFile = join(webRoot, "vite.config.ts");
    await build({ configFile, logLevel: "warn", build: { outDir, emptyOutDir: true } });
    const server = await preview({
      configFile,
      logLevel: "warn",
      build: { outDir },
      preview: { port: 0, host: "127.0.0.1", strictPort: false },
    });
    browser = await chromium.launch({ executablePath: chromiumPath ?? undefined });
    close = async () => {
      await browser.close();
      await server.close();
    };
    page = await browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "warning" || message.type() === "error") warnings.push(message.text());
    });
    page.on("pageerror", (error) => warnings.push(error.message));
    await page.goto(server.resolvedUrls?.local[0] ?? "");
    await page.waitForSelector("body[data-ready=true]");
  }, 120_000);

  afterAll(async () => {
    await close?.();
    if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
  });

  async function typeProgram(source: string): Promise<void> {
    await page.fill("#source", source);
  }

  async function canonicalText(): Promise<string> {
    // Rows are elements: innerText puts a line break between them, as the text had.
    const text = await page.locator("#canonical").innerText();
    return text.replace(/\u200b/g, "");
  }

  /** The worker's reply to the last solve, once it is shown. */
  async function solved(): Promise<unknown> {
    await page.waitForSelector("#status.solved, #status.failed");
    return JSON.parse((await page.textContent("#result-json")) ?? "null");
  }

  it("is cross-origin isolated and loads the WebAssembly kernels", async () => {
    expect(await page.evaluate("crossOriginIsolated")).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("shows the canonical form of a typed program, as describe() prints it", async () => {
    await typeProgram(SIMPLEX);
    const expected = compile(SIMPLEX).describe().trimEnd();
    await page.locator("#canonical", { hasText: "n=4  m=1  p=4" }).waitFor();
    expect(await canonicalText()).toBe(expected);
    // The rows of `z >= 0` link to its line.
    const links = await page
      .locator(".source-link")
      .evaluateAll((a) => a.map((e) => e.getAttribute("data-line")));
    expect(links).toContain("7");
  });

  it("underlines an error where the compiler finds it, as the user types", async () => {
    const broken = SIMPLEX.replace("z >= 0", "zz >= 0");
    const diagnostic = (() => {
      try {
        compile(broken);
      } catch (error) {
        if (error instanceof CompileError) return error.diagnostics[0];
      }
      throw new Error("the broken program compiled");
    })();
    await typeProgram(broken);
    const mark = await page.waitForSelector("#highlight mark.error");
    expect(await mark.getAttribute("data-line")).toBe(String(diagnostic.span.line));
    expect(await mark.getAttribute("data-column")).toBe(String(diagnostic.span.column));
    expect(await mark.textContent()).toBe("zz");
    expect(await page.textContent("#diagnostics")).toContain(diagnostic.message);
    await typeProgram(SIMPLEX);
    await page.waitForSelector("#highlight mark.error", { state: "detached" });
  });

  it("solves the TV example in its worker to the Node solver's numbers, gradients included", async () => {
    await page.selectOption("#example", "tv-denoise");
    await solved();
    await page.fill("#params", JSON.stringify(TV_PARAMS));
    await page.selectOption("#gradient-of", "z:50");
    const reply = (await solved()) as {
      status: string;
      iterations: number;
      variables: { z: number[] };
      gradients: { x: number[]; lam: number[] };
    };

    const source = (await page.inputValue("#source")) ?? "";
    const layer = compile(source);
    const out = layer.solve(TV_PARAMS);
    const z = out.variables.z[0] as number[];
    const upstream = Array.from({ length: 100 }, (_, i) => (i === 50 ? 1 : 0));
    const grads = layer.vjp(out, { z: upstream });
    expect(reply.status).toBe("solved");
    expect(reply.iterations).toBe(out.iterations[0]);
    reply.variables.z.forEach((v, i) => expect(v).toBeCloseTo(z[i], 9));
    (grads.x as number[]).forEach((g, i) => expect(reply.gradients.x[i]).toBeCloseTo(g, 8));
    expect(reply.gradients.lam[0]).toBeCloseTo(grads.lam as number, 8);
    // The noisy signal is drawn beside the denoised one.
    const panels = await page.$$eval("#plot .panel", (g) =>
      g.map((e) => e.getAttribute("data-label")),
    );
    expect(panels).toEqual(["x (parameter)", "z (solution)"]);
  });
});
