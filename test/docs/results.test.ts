/**
 * docs/RESULTS.md's tables are generated from docs/results/*.json (npm run results): the page
 * and the run files must agree, and every run file must be on the page.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { blockKeys, renderPage } from "../../scripts/results/blocks.js";
import { figuresOf } from "../../scripts/results/figures.js";
import { figuresDir, pagePath, readAllResults } from "../../scripts/results-page.js";

const page = readFileSync(pagePath, "utf8");
const files = readAllResults();

describe("docs/RESULTS.md and the run files in docs/results", () => {
  it("has every generated block exactly as the run files give it", () => {
    expect(blockKeys(page).length).toBeGreaterThan(0);
    expect(renderPage(page, files)).toBe(page);
  });

  it("shows the table of every run file", () => {
    const keys = new Set(blockKeys(page));
    for (const name of Object.keys(files)) expect(keys.has(`${name}: table`), name).toBe(true);
  });

  it("has the figures of the full runs, drawn from the files", () => {
    for (const file of Object.values(files).filter((f) => f.setting === "full"))
      for (const figure of figuresOf(file)) {
        const path = join(figuresDir, figure.file);
        expect(existsSync(path), figure.file).toBe(true);
        expect(page.includes(`figures/${figure.file}`), figure.file).toBe(true);
      }
  });

  it("keeps the denoising run's best TV and the paper's tuned TV as fields", () => {
    const denoise = files["denoise-full"];
    expect(denoise).toBeDefined();
    const testMse = denoise?.testMse as Record<string, number>;
    expect(Number.isFinite(testMse.tv)).toBe(true);
    expect(Number.isFinite(testMse.paperTunedTv)).toBe(true);
  });

  it("shows the separate tuned-TV run beside the full run's, each number from its own file", () => {
    const full = files["denoise-full"];
    const separate = files["denoise-full-paperTunedTv"];
    expect(separate?.runs.every((r) => r.setting.only === "paperTunedTv")).toBe(true);
    const table = page.match(
      /<!-- generated: denoise-full: table -->([\s\S]*?)<!-- \/generated -->/,
    )?.[1];
    const rowOf = (label: string): string =>
      table?.split("\n").find((line) => line.startsWith(label)) ?? "";
    const fullMse = (full?.testMse as Record<string, number>).paperTunedTv ?? NaN;
    const separateMse = (separate?.testMse as Record<string, number>).paperTunedTv ?? NaN;
    const ownRuns = full?.runs.map((r) => r.outcomes.paperTunedTv?.test.mse ?? NaN) ?? [];
    // the full file's field is its own runs' mean, never the separate run's number
    expect(fullMse).toBeCloseTo(ownRuns.reduce((a, b) => a + b, 0) / ownRuns.length, 4);
    expect(rowOf("OptNet, tuned TV (the paper's general QP), this run")).toContain(
      fullMse.toFixed(2),
    );
    const trainedOn = (separate?.runs[0]?.setting.paperTuned as { train: number }).train;
    expect(
      rowOf(`OptNet, tuned TV (the paper's general QP), separate run (${trainedOn} signals)`),
    ).toContain(separateMse.toFixed(2));
  });
});
