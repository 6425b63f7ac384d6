import { resolve } from "node:path";
import { Command, Option } from "commander";
import { closeWorkers } from "../../../src/index.js";
import { defaultResultsDir } from "./results.js";

/**
 * How large a run is. `tiny` exists for the tests (seconds), `quick` finishes in under two
 * minutes, `medium` is a longer run that fits a shared two-core machine, `full` is the paper's
 * scale.
 */
export type Scale = "tiny" | "quick" | "medium" | "full";

export interface RunOptions {
  scale: Scale;
  /** folder the results file docs/results/<experiment>-<setting>.json is written to */
  resultsDir: string;
  seed: number;
  /** overrides the scale's number of epochs */
  epochs?: number;
  /** denoising: train only this model (besides TV, the baseline); the file is <scale>-<model> */
  only?: string;
  /**
   * denoising: halve the paper's tuned TV's learning rate after two epochs without a better
   * validation MSE (ReduceLROnPlateau)
   */
  reduceLr?: boolean;
  /** denoising: overrides the trained models' numbers of training signals and time budgets */
  train?: number;
  budgetSeconds?: number;
  /** show progress bars on stderr */
  progress: boolean;
  /** where the results table and notes go */
  log: (line: string) => void;
}

export interface RunReport {
  /** the results table, as printed */
  table: string;
  /** path of the results file written (figures and the page are made from it: npm run results) */
  resultsFile: string;
  /** the headline numbers of the table, keyed "<model> <metric>" */
  results: Record<string, number>;
  wallSeconds: number;
}

/** Parses the command line shared by every experiment, runs it and prints its report. */
export async function runFromCommandLine(
  name: string,
  description: string,
  run: (options: RunOptions) => Promise<RunReport>,
  argv: readonly string[] = process.argv,
): Promise<void> {
  const program = new Command(name)
    .description(description)
    .option("--quick", "a small setting that finishes in under two minutes")
    .option("--medium", "a larger setting (tens of minutes on two cores)")
    .addOption(new Option("--tiny", "a seconds-long smoke setting for tests").hideHelp())
    .option("--results <dir>", "folder for the results file", defaultResultsDir)
    .option("--seed <n>", "random seed", (v) => parseInt(v, 10), 1)
    .option("--epochs <n>", "override the number of training epochs", (v) => parseInt(v, 10))
    .option("--only <model>", "denoising: train only this model (e.g. paperTunedTv) besides TV")
    .option("--train <n>", "denoising: training signals of the trained models", (v) =>
      parseInt(v, 10),
    )
    .option("--budget <seconds>", "denoising: time budget of each trained model", (v) =>
      parseInt(v, 10),
    )
    .option(
      "--reduce-lr",
      "denoising: halve the paper's tuned TV's learning rate after two epochs without a better validation MSE",
    )
    .option("--no-progress", "hide the progress bars");
  program.parse(argv as string[]);
  const opts = program.opts<{
    quick?: boolean;
    medium?: boolean;
    tiny?: boolean;
    results: string;
    seed: number;
    epochs?: number;
    only?: string;
    train?: number;
    budget?: number;
    reduceLr?: boolean;
    progress: boolean;
  }>();
  const scale: Scale = opts.tiny ? "tiny" : opts.quick ? "quick" : opts.medium ? "medium" : "full";
  const report = await run({
    scale,
    resultsDir: resolve(opts.results),
    seed: opts.seed,
    epochs: opts.epochs,
    only: opts.only,
    train: opts.train,
    budgetSeconds: opts.budget,
    reduceLr: opts.reduceLr,
    progress: opts.progress,
    log: (line) => console.log(line),
  }).finally(() => closeWorkers());
  console.log(`\nwall time ${report.wallSeconds.toFixed(1)} s (setting: ${scale})`);
  console.log(`results: ${report.resultsFile} (figures and page: npm run results)`);
}
