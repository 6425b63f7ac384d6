import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeWorkers } from "../../src/index.js";
import type { RunOptions, RunReport } from "../../examples/experiments/lib/cli.js";
import { runDenoise } from "../../examples/experiments/denoise/run.js";
import { runDigits } from "../../examples/experiments/digits/run.js";
import { runSudoku } from "../../examples/experiments/sudoku/run.js";

let outDir = "";
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "optnet-examples-"));
});
afterAll(async () => {
  await closeWorkers();
  await rm(outDir, { recursive: true, force: true });
});

const tiny = (): RunOptions => ({ scale: "tiny", outDir, seed: 1, progress: false, log: () => {} });

describe.each([
  [
    "sudoku",
    runSudoku,
    ["sudoku-error.svg", "sudoku-loss.svg"],
    ["OptNet testError", "Conv testError"],
  ],
  [
    "denoise",
    runDenoise,
    [
      "denoise-tv-sweep.svg",
      "denoise-training.svg",
      "denoise-D.svg",
      "denoise-signals.svg",
      "denoise-weights.svg",
    ],
    [
      "Total variation testMse",
      "OptNet, tuned from TV testMse",
      "OptNet, tuned from TV, w(x) testMse",
      "FC net testMse",
      "OptNet, learned D testMse",
    ],
  ],
  [
    "digits",
    runDigits,
    ["digits-error.svg", "digits-loss.svg"],
    ["OptNet testAccuracy", "FC testAccuracy"],
  ],
] as const)(
  "the %s example on its tiny setting",
  (_name, run: (o: RunOptions) => Promise<RunReport>, figures, keys) => {
    let report: RunReport;
    beforeAll(async () => {
      report = await run(tiny());
    });

    it("reports finite numbers for every model", () => {
      for (const key of keys) expect(Number.isFinite(report.results[key]), key).toBe(true);
      for (const value of Object.values(report.results)) expect(Number.isFinite(value)).toBe(true);
      expect(report.table.split("\n").length).toBeGreaterThanOrEqual(4);
    });

    it("writes its SVG figures to the chosen folder", () => {
      expect(report.figures.map((f) => f.slice(outDir.length + 1)).sort()).toEqual(
        [...figures].sort(),
      );
      for (const file of figures) {
        const path = join(outDir, file);
        expect(existsSync(path)).toBe(true);
        expect(readFileSync(path, "utf8").startsWith("<svg")).toBe(true);
      }
    });
  },
);
