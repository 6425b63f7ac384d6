import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright-core";
import { chromiumPath } from "./browser.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** A page built with Vite from `files` (main.ts its module), served, and a Chromium to load it. */
export interface ServedPage {
  url: string;
  browser: Browser;
  /** Closes the browser and the server and removes the build. */
  close(): Promise<void>;
}

/**
 * Builds a page as an application would (`optnet` resolved to the browser entry, tfjs and its
 * webgpu backend to this project's copies), serves the build, and launches Chromium with `args`.
 */
export async function servePage(
  files: Record<string, string>,
  options: { name: string; chromiumArgs?: string[]; esWorkers?: boolean },
): Promise<ServedPage> {
  const { build, preview } = await import("vite");
  const { chromium } = await import("playwright-core");
  const dir = mkdtempSync(join(tmpdir(), `optnet-${options.name}-`));
  writeFileSync(join(dir, "index.html"), '<script type="module" src="./main.ts"></script>');
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  const modules = join(root, "node_modules/@tensorflow");
  const config = {
    root: dir,
    configFile: false as const,
    logLevel: "warn" as const,
    resolve: {
      alias: {
        optnet: join(root, "src/browser.ts"),
        "@tensorflow/tfjs-backend-webgpu": join(modules, "tfjs-backend-webgpu"),
        "@tensorflow/tfjs": join(modules, "tfjs"),
      },
    },
    ...(options.esWorkers ? { worker: { format: "es" as const } } : {}),
    build: { outDir: join(dir, "dist"), target: "es2022", chunkSizeWarningLimit: 8192 },
    preview: { port: 0, host: "127.0.0.1" },
  };
  await build(config);
  const server = await preview(config);
  const browser = await chromium.launch({
    executablePath: chromiumPath ?? undefined,
    args: options.chromiumArgs ?? [],
  });
  return {
    url: server.resolvedUrls?.local[0] ?? "",
    browser,
    async close() {
      await browser.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
