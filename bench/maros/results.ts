/**
 * What `npm run bench:maros` writes (results.json) and what the report is generated from.
 * Residuals that are not finite are stored as null (JSON has no NaN or Infinity).
 */

import type { MarosRun, ToleranceMode } from "./run.js";

export const TOLERANCES = [1e-9, 1e-6, 1e-3] as const;

/** A problem that took longer than this at some tolerance is flagged in the report. */
export const SLOW_SECONDS = 10;

export interface StoredRun extends Omit<
  MarosRun,
  "primal" | "dual" | "gap" | "objective" | "leftToRightGap"
> {
  primal: number | null;
  leftToRightGap: number | null;
  dual: number | null;
  gap: number | null;
  objective: number | null;
}

export interface MarosProblemResult {
  name: string;
  n: number;
  /** equality rows */
  m: number;
  /** inequality rows, bounds included */
  p: number;
  runs: StoredRun[];
}

export interface MarosResults {
  machine: {
    cpuModel: string;
    cores: number;
    node: string;
    platform: string;
    date: string;
    commit: string;
  };
  /** how the run was started, for rerunning it */
  command: string;
  mode: ToleranceMode;
  /** the solver's options at each tolerance, as passed */
  options: Record<string, unknown>[];
  /** null: the solver's default */
  maxIter: number | null;
  tolerances: number[];
  /** problems in the test set that this run left out (--only, --skip) */
  skipped: string[];
  problems: MarosProblemResult[];
  wallSeconds: number;
}

export function storedRun(run: MarosRun): StoredRun {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    ...run,
    primal: finite(run.primal),
    dual: finite(run.dual),
    gap: finite(run.gap),
    objective: finite(run.objective),
    leftToRightGap: finite(run.leftToRightGap),
  };
}

export interface SettingSummary {
  tolerance: number;
  problems: number;
  successes: number;
  wrongSolved: number;
  medianIterations: number;
  maxIterations: number;
  totalSeconds: number;
  maxSeconds: number;
  slowest: string;
}

export function summarize(results: MarosResults, tolerance: number): SettingSummary {
  const runs = results.problems.flatMap((problem) =>
    problem.runs.filter((run) => run.tolerance === tolerance).map((run) => ({ problem, run })),
  );
  const iterations = runs.map(({ run }) => run.iterations).sort((a, b) => a - b);
  const slowest = runs.reduce<(typeof runs)[number] | null>(
    (worst, entry) => (worst === null || entry.run.seconds > worst.run.seconds ? entry : worst),
    null,
  );
  return {
    tolerance,
    problems: runs.length,
    successes: runs.filter(({ run }) => run.success).length,
    wrongSolved: runs.filter(({ run }) => run.wrongSolved).length,
    medianIterations: median(iterations),
    maxIterations: iterations.at(-1) ?? 0,
    totalSeconds: runs.reduce((sum, { run }) => sum + run.seconds, 0),
    maxSeconds: slowest?.run.seconds ?? 0,
    slowest: slowest?.problem.name ?? "",
  };
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
