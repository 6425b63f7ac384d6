import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, resolve } from "node:path";
import type { EpochRecord } from "./train.js";
import { tf } from "./tf.js";

/** Where each run writes its numbers: docs/results/<experiment>-<setting>.json. */
export const defaultResultsDir = resolve(import.meta.dirname, "../../../docs/results");

/** The machine a run ran on, as the page states it. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  tfjs: string;
  backend: string;
  /** 1-minute load average when the run started and when it ended (others share the cores) */
  loadStart: number;
  loadEnd: number;
}

export function machineNow(loadStart: number): Machine {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    tfjs: tf.version.tfjs,
    backend: tf.getBackend(),
    loadStart,
    loadEnd: loadavg()[0] ?? NaN,
  };
}

export function loadNow(): number {
  return loadavg()[0] ?? NaN;
}

/** One model's outcome: the epoch chosen on validation and the metrics there. */
export interface ModelOutcome {
  /** the epoch kept (chosen on the validation set); absent for models without training */
  epoch?: number;
  /** epochs run before training stopped */
  epochsRun?: number;
  stoppedBy?: string;
  /** learning rate chosen on the validation set, and the candidates tried */
  lr?: number;
  lrCandidates?: { lr: number; val: number }[];
  train: Record<string, number>;
  val: Record<string, number>;
  /** evaluated once, after every choice was made */
  test: Record<string, number>;
}

/** One seed's run of an experiment at one setting. */
export interface RunRecord {
  seed: number;
  date: string;
  wallSeconds: number;
  machine: Machine;
  /** the setting as run (after command-line overrides) */
  setting: Record<string, unknown>;
  /** per-model training curves: running training means and validation metrics per epoch */
  curves: Record<string, EpochRecord[]>;
  outcomes: Record<string, ModelOutcome>;
  /** experiment-specific data for the figures and analyses */
  extra: Record<string, unknown>;
}

/** A finished run's record: its seed, date, wall time since `started` and the machine now. */
export function finishedRun(
  seed: number,
  started: number,
  loadStart: number,
  body: Pick<RunRecord, "setting" | "curves" | "outcomes" | "extra">,
): RunRecord {
  return {
    seed,
    date: new Date().toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
    machine: machineNow(loadStart),
    ...body,
  };
}

/** The file: every seed's run of one experiment at one setting. */
export interface ResultsFile {
  experiment: string;
  setting: string;
  runs: RunRecord[];
  /** mean over the runs of every test metric, `testMse.tv` etc.: test[metric][model] */
  [summary: string]: unknown;
}

export function resultsPath(dir: string, experiment: string, setting: string): string {
  return join(dir, `${experiment}-${setting}.json`);
}

export function readResults(path: string): ResultsFile {
  return JSON.parse(readFileSync(path, "utf8")) as ResultsFile;
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Adds (or replaces, for the same seed) one run in the experiment's file and rewrites the
 * per-metric means over seeds (e.g. `testMse.tv`). A run at another setting than the file's
 * runs starts the file afresh: mixed settings must never be averaged.
 */
export function recordRun(
  dir: string,
  experiment: string,
  setting: string,
  run: RunRecord,
): string {
  mkdirSync(dir, { recursive: true });
  const path = resultsPath(dir, experiment, setting);
  const previous = existsSync(path) ? readResults(path).runs : [];
  const sameSetting = previous.filter(
    (r) => JSON.stringify(r.setting) === JSON.stringify(run.setting) && r.seed !== run.seed,
  );
  const runs = [...sameSetting, run].sort((a, b) => a.seed - b.seed);
  const summary: Record<string, Record<string, number>> = {};
  const models = Object.keys(run.outcomes);
  for (const model of models) {
    for (const metric of Object.keys(run.outcomes[model]?.test ?? {})) {
      const key = `test${metric[0]?.toUpperCase()}${metric.slice(1)}`;
      const values = runs.map((r) => r.outcomes[model]?.test[metric] ?? NaN);
      (summary[key] ??= {})[model] = mean(values);
    }
  }
  const file: ResultsFile = {
    experiment,
    setting,
    seeds: runs.map((r) => r.seed),
    ...summary,
    runs,
  };
  writeFileSync(path, `${JSON.stringify(file, roundForJson, 1)}\n`);
  return path;
}

/** Seven significant digits keep the files small and every printed number exact. */
function roundForJson(_key: string, value: unknown): unknown {
  return typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value)
    ? Number(value.toPrecision(7))
    : value;
}
