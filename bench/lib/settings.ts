/**
 * What the benchmark runs: the OptNet paper's Figure 1–2 settings (n = p = 100 at batch 1, 16,
 * 64, 128; n = p ∈ {10, 50, 100, 500} at batch 128), how many repetitions each gets, and on how
 * many problems the slow one-by-one solvers run before extrapolating to the whole batch.
 */

export type Figure = "batch-sweep" | "size-sweep";

export interface Setting {
  n: number;
  p: number;
  batch: number;
  figures: Figure[];
  /** timed repetitions of our solver (forward + backward) */
  oursRepetitions: number;
  /** problems of the batch our solver actually solves; the time is scaled to `batch` when fewer */
  oursProblems: number;
  /** timed repetitions of highs and of quadprog */
  referenceRepetitions: number;
  /** problems the one-by-one solvers run per repetition; their time is scaled to `batch` */
  referenceProblems: number;
  /** whether the tfjs dense layer of width n is measured here */
  denseLayer: boolean;
  denseRepetitions: number;
}

function setting(
  n: number,
  batch: number,
  figures: Figure[],
  repetitions: {
    ours: number;
    reference: number;
    referenceProblems?: number;
    oursProblems?: number;
  },
): Setting {
  const sizeSweep = figures.includes("size-sweep");
  return {
    n,
    p: n,
    batch,
    figures,
    oursRepetitions: repetitions.ours,
    oursProblems: repetitions.oursProblems ?? batch,
    referenceRepetitions: repetitions.reference,
    referenceProblems: repetitions.referenceProblems ?? batch,
    denseLayer: sizeSweep,
    denseRepetitions: sizeSweep ? (n >= 500 ? 5 : 10) : 0,
  };
}

/** The full run: sized to finish in about ten minutes on the two-core benchmark machine. */
export function fullPlan(): Setting[] {
  return [
    setting(100, 1, ["batch-sweep"], { ours: 15, reference: 15 }),
    setting(100, 16, ["batch-sweep"], { ours: 9, reference: 5 }),
    setting(100, 64, ["batch-sweep"], { ours: 7, reference: 3 }),
    setting(100, 128, ["batch-sweep", "size-sweep"], { ours: 7, reference: 3 }),
    setting(10, 128, ["size-sweep"], { ours: 9, reference: 7 }),
    setting(50, 128, ["size-sweep"], { ours: 7, reference: 5 }),
    // At n = 500 one problem takes seconds for the one-by-one solvers: they run 2 problems,
    // extrapolated to 128 and labelled as such. Ours solves the whole batch (a few seconds a
    // call): a quarter of it would fall below the size at which the batch is split across threads.
    setting(500, 128, ["size-sweep"], {
      ours: 2,
      reference: 1,
      referenceProblems: 2,
    }),
  ];
}

/** Tiny settings that exercise every code path in seconds. */
export function quickPlan(): Setting[] {
  return [
    setting(10, 1, ["batch-sweep"], { ours: 3, reference: 3 }),
    setting(10, 4, ["batch-sweep"], { ours: 3, reference: 2 }),
    setting(10, 8, ["batch-sweep", "size-sweep"], { ours: 3, reference: 2 }),
    setting(5, 8, ["size-sweep"], { ours: 3, reference: 2 }),
    setting(20, 8, ["size-sweep"], { ours: 2, reference: 1, referenceProblems: 2 }),
  ].map((s) => ({ ...s, denseRepetitions: Math.min(s.denseRepetitions, 3) }));
}

/**
 * Keeps the settings every filter accepts. A filter is `key=v1,v2` with key n, p or batch, e.g.
 * `n=100` or `batch=1,128`.
 */
export function filterPlan(plan: readonly Setting[], filters: readonly string[]): Setting[] {
  const tests = filters.map(parseFilter);
  return plan.filter((s) => tests.every((accepts) => accepts(s)));
}

function parseFilter(filter: string): (s: Setting) => boolean {
  const match = /^\s*(n|p|batch)\s*=\s*([\d\s,]+)$/.exec(filter);
  if (!match)
    throw new Error(`cannot read the filter "${filter}": write e.g. n=100 or batch=1,128`);
  const key = match[1] as "n" | "p" | "batch";
  const values = new Set(match[2].split(",").map((v) => Number(v.trim())));
  return (s) => values.has(s[key]);
}
