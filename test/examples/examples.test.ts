import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeWorkers } from "../../src/index.js";
import type { RunOptions, RunReport } from "../../examples/experiments/lib/cli.js";
import { renderSvg } from "../../examples/experiments/lib/plot.js";
import { readResults, type ResultsFile } from "../../examples/experiments/lib/results.js";
import { runDenoise } from "../../examples/experiments/denoise/run.js";
import { runDigits } from "../../examples/experiments/digits/run.js";
import { runSudoku } from "../../examples/experiments/sudoku/run.js";
import { blocksOf } from "../../scripts/results/blocks.js";
import { figuresOf } from "../../scripts/results/figures.js";

let resultsDir = "";
beforeAll(async () => {
  resultsDir = await mkdtemp(join(tmpdir(), "optnet-examples-"));
});
afterAll(async () => {
  await closeWorkers();
  await rm(resultsDir, { recursive: true, force: true });
});

const tiny = (): RunOptions => ({
  scale: "tiny",
  resultsDir,
  seed: 1,
  progress: false,
  log: () => {},
});

describe.each([
  ["sudoku", runSudoku, ["conv", "optnet"], "testError"],
  ["denoise", runDenoise, ["fc", "learnedD", "tv", "paperTunedTv", "adaptiveTv"], "testMse"],
  ["digits", runDigits, ["fc", "optnet"], "testAccuracy"],
] as const)(
  "the %s example on its tiny setting",
  (name, run: (o: RunOptions) => Promise<RunReport>, models, summary) => {
    let report: RunReport;
    let file: ResultsFile;
    beforeAll(async () => {
      report = await run(tiny());
      file = readResults(report.resultsFile);
    });

    it("writes its results file with the setting, seed, machine, curves and every model", () => {
      expect(report.resultsFile).toBe(join(resultsDir, `${name}-tiny.json`));
      expect(file.experiment).toBe(name);
      const [only] = file.runs;
      expect(only?.seed).toBe(1);
      expect(only?.machine.cpus).toBeGreaterThan(0);
      expect(only?.wallSeconds).toBeGreaterThan(0);
      for (const model of models) {
        const value = (file[summary] as Record<string, number>)[model];
        expect(Number.isFinite(value), `${summary}.${model}`).toBe(true);
      }
      for (const curve of Object.values(only?.curves ?? {}))
        expect(curve.length).toBeGreaterThan(1);
    });

    it("gives the page its blocks and figures", async () => {
      const blocks = blocksOf(`${name}-tiny`, file);
      expect(blocks[`${name}-tiny: table`]?.split("\n").length).toBeGreaterThanOrEqual(5);
      for (const figure of figuresOf(file))
        expect((await renderSvg(figure.spec)).startsWith("<svg"), figure.file).toBe(true);
    });
  },
);

describe("the denoising example's tuned TV alone, with the rate reduced on a plateau", () => {
  it("records the reduction in its setting and the rate of every epoch in its curve", async () => {
    const report = await runDenoise({ ...tiny(), only: "paperTunedTv", reduceLr: true });
    const [run] = readResults(report.resultsFile).runs;
    const setting = run?.setting as { paperTuned?: { reduceLr?: unknown }; only?: string };
    expect(setting.only).toBe("paperTunedTv");
    expect(setting.paperTuned?.reduceLr).toEqual({ patience: 2, factor: 0.5 });
    const curve = run?.curves.paperTunedTv ?? [];
    expect(curve.length).toBeGreaterThan(1);
    for (const point of curve.slice(1)) expect(point.metrics.lr).toBeGreaterThan(0);
  });
});
