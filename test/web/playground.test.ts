import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, CompileError } from "../../src/index.js";
import { chromiumPath, NO_CHROMIUM } from "./browser.js";
import { WEBGPU_CHROMIUM_FLAGS } from "./webgpu-flags.js";

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
  let url = "";

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
    url = server.resolvedUrls?.local[0] ?? "";
    page = await browser.newPage();
    page.on("console", (message) => {
      if (message.type() === "warning" || message.type() === "error") warnings.push(message.text());
    });
    page.on("pageerror", (error) => warnings.push(error.message));
    await page.goto(url);
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

  it("offers the GPU only where the browser's WebGPU gives an adapter, saying why not", async () => {
    const choice = page.locator("#device[data-webgpu]");
    await choice.waitFor({ state: "attached" });
    // The worker asks its own navigator.gpu; the page's answers the same in Chromium.
    const hasAdapter = await page.evaluate(
      "navigator.gpu ? navigator.gpu.requestAdapter().then((a) => a !== null) : false",
    );
    const option = page.locator('#device option[value="webgpu"]');
    expect(await option.isDisabled()).toBe(!hasAdapter);
    if (!hasAdapter) expect(await choice.getAttribute("title")).toMatch(/^no GPU: /);
  });

  it("solves on the GPU where Chromium is launched with WebGPU, naming the device", async (context) => {
    const { chromium } = await import("playwright-core");
    const gpuBrowser = await chromium.launch({
      executablePath: chromiumPath ?? undefined,
      args: WEBGPU_CHROMIUM_FLAGS,
    });
    try {
      const gpuPage = await gpuBrowser.newPage();
      const errors: string[] = [];
      gpuPage.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
      gpuPage.on("console", (message) => {
        if (message.type() === "error") errors.push(`console: ${message.text()}`);
      });
      await gpuPage.goto(url);
      await gpuPage.waitForSelector("body[data-ready=true]");
      const choice = gpuPage.locator("#device[data-webgpu]");
      await choice.waitFor({ state: "attached", timeout: 30_000 });
      if ((await choice.getAttribute("data-webgpu")) !== "available") {
        console.log(
          `playground GPU test skipped: ${await choice.getAttribute("title")} ` +
            `(Chromium with ${WEBGPU_CHROMIUM_FLAGS.join(" ")})`,
        );
        context.skip();
      }
      await gpuPage.waitForSelector("#status.solved, #status.failed");
      await gpuPage.fill("#source", SIMPLEX);
      await gpuPage.locator("#canonical", { hasText: "n=4  m=1  p=4" }).waitFor();
      const params = { x: [0.3, -0.2, 0.8, 0.1] };
      await gpuPage.fill("#params", JSON.stringify(params));
      await gpuPage.selectOption("#device", "webgpu");
      const line = gpuPage.locator("#status", { hasText: "webgpu" });
      await line.waitFor({ timeout: 120_000 }).catch((error: unknown) => {
        throw new Error(`no GPU result line (${String(error)}); the page's errors: ${errors}`);
      });
      const reply = JSON.parse((await gpuPage.textContent("#result-json")) ?? "null") as {
        status: string;
        device: string;
        variables: { z: number[] };
        gradients: Record<string, number[]> | null;
      };
      expect(await line.textContent()).toMatch(/^solved .*, on webgpu: /);
      expect(reply.device).toMatch(/^webgpu: /);
      // The gradient of the chosen entry, from the GPU's backward solve.
      expect(reply.gradients?.x).toHaveLength(4);
      const z = compile(SIMPLEX).solve(params).variables.z[0] as number[];
      // docs/GPU.md: at the GPU's default eps 1e-3, z within 1.2e-2 of the float64 one on the examples.
      reply.variables.z.forEach((v, i) => expect(Math.abs(v - z[i])).toBeLessThan(2e-2));
      expect(errors).toEqual([]);
    } finally {
      await gpuBrowser.close();
    }
  }, 180_000);
});
