/**
 * Regenerates docs/RESULTS.md's generated blocks and the SVG figures in docs/figures from the
 * run files in docs/results (npm run results). `--check` only reports whether the page is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readResults, type ResultsFile } from "../examples/experiments/lib/results.js";
import { writeSvg } from "../examples/experiments/lib/plot.js";
import { renderPage } from "./results/blocks.js";
import { figuresOf } from "./results/figures.js";

const root = resolve(import.meta.dirname, "..");
export const resultsDir = join(root, "docs/results");
export const pagePath = join(root, "docs/RESULTS.md");
export const figuresDir = join(root, "docs/figures");

/** Every run file, keyed by its name without `.json` (e.g. `denoise-full`). */
export function readAllResults(dir = resultsDir): Record<string, ResultsFile> {
  const files: Record<string, ResultsFile> = {};
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort())
    files[name.slice(0, -".json".length)] = readResults(join(dir, name));
  return files;
}

async function main(): Promise<void> {
  const files = readAllResults();
  const page = readFileSync(pagePath, "utf8");
  const next = renderPage(page, files);
  if (process.argv.includes("--check")) {
    if (next !== page) {
      console.error("docs/RESULTS.md differs from docs/results/*.json: run npm run results");
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(pagePath, next);
  for (const [name, file] of Object.entries(files)) {
    if (file.setting !== "full") continue;
    for (const figure of figuresOf(file)) {
      await writeSvg(figure.spec, join(figuresDir, figure.file));
      console.log(`${name} -> docs/figures/${figure.file}`);
    }
  }
  console.log("docs/RESULTS.md regenerated");
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
