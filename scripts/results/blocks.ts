/**
 * The generated parts of docs/RESULTS.md, made from the run files in docs/results/: every
 * number in a generated block is one a run wrote. Blocks sit between
 * `<!-- generated: KEY -->` and `<!-- /generated -->` lines; KEY is `<file>: <part>`.
 */
import type { LrReduction } from "../../examples/experiments/lib/train.js";
import type {
  ModelOutcome,
  ResultsFile,
  RunRecord,
} from "../../examples/experiments/lib/results.js";
import { formatTable } from "../../examples/experiments/lib/table.js";

export type ResultsByName = Record<string, ResultsFile>;

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1); NaN for one value. */
function sd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1));
}

/** "16.25" for one seed, "16.25 ± 0.31" for several. */
function cell(values: readonly number[], format: (v: number) => string): string {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return "–";
  if (values.length === 1) return format(values[0] ?? NaN);
  return `${format(mean(values))} ± ${format(sd(values))}`;
}

const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const pct = (digits: number) => (v: number) => `${(100 * v).toFixed(digits)}%`;

function outcomes(file: ResultsFile, model: string): ModelOutcome[] {
  return file.runs.map((r) => r.outcomes[model]).filter((o): o is ModelOutcome => !!o);
}

function epochs(file: ResultsFile, model: string): string {
  const os = outcomes(file, model);
  if (os.length === 0 || os[0]?.epoch === undefined) return "–";
  return os
    .map((o) => `${o.epoch}/${o.epochsRun}${o.stoppedBy === "epochs" ? "" : ` (${o.stoppedBy})`}`)
    .join(", ");
}

function metric(
  file: ResultsFile,
  model: string,
  split: "train" | "val" | "test",
  name: string,
): number[] {
  return outcomes(file, model).map((o) => o[split][name] ?? NaN);
}

/** The denoising table: one row per method, mean ± sd over the file's seeds. */
export const denoiseNames: Record<string, string> = {
  fc: "FC net",
  learnedD: "OptNet, learned D",
  tv: "Total variation, best λ",
  paperTunedTv: "OptNet, tuned TV (the paper's general QP)",
  adaptiveTv: "TV with weights w(x) (extension, not in the paper)",
};
const denoisePaper: Record<string, [number, number]> = {
  fc: [18.5, 29.8],
  learnedD: [52.9, 53.3],
  tv: [16.3, 16.5],
  paperTunedTv: [13.8, 14.4],
};

/** How a file's paper's-tuned-TV model was trained: signals, batch, Adam steps, budget. */
interface TunedTvTraining {
  train: number;
  batch: number;
  /** Adam steps of the kept run (epochs run × minibatches per epoch), per seed */
  steps: number[];
  budgetSeconds?: number;
  /** the learning-rate reduction on a validation plateau (--reduce-lr), if any */
  reduceLr?: LrReduction;
}

function tunedTvTraining(file: ResultsFile): TunedTvTraining | undefined {
  const setting = file.runs[0]?.setting.paperTuned as
    | {
        train: number;
        batch: number;
        budgetSeconds?: number;
        reduceLr?: LrReduction;
      }
    | undefined;
  if (!setting) return undefined;
  const perEpoch = Math.ceil(setting.train / setting.batch);
  return {
    train: setting.train,
    batch: setting.batch,
    steps: outcomes(file, "paperTunedTv").map((o) => (o.epochsRun ?? NaN) * perEpoch),
    budgetSeconds: setting.budgetSeconds,
    ...(setting.reduceLr ? { reduceLr: setting.reduceLr } : {}),
  };
}

function describeTraining(t: TunedTvTraining): string {
  const budget = t.budgetSeconds === undefined ? "" : `, budget ${t.budgetSeconds} s`;
  const reduce = t.reduceLr
    ? `, learning rate ×${t.reduceLr.factor} after ${t.reduceLr.patience} epochs without a better validation MSE`
    : "";
  return `${t.train} training signals, batch ${t.batch}, ${t.steps.join(", ")} Adam steps${budget}${reduce}`;
}

/**
 * The file of a separate `--only paperTunedTv` run at the same setting (e.g.
 * denoise-full-paperTunedTv for denoise-full), whose tuned-TV row the setting's table shows
 * beside its own: that run trains the model alone, on more signals than the full run's budget
 * allows. Its numbers stay in its own file: the full file's testMse.paperTunedTv is the full
 * run's.
 */
export function separateTunedTvRun(name: string, files: ResultsByName): ResultsFile | undefined {
  const file = files[`${name}-paperTunedTv`];
  return file && file.runs.every((r) => r.setting.only === "paperTunedTv") ? file : undefined;
}

function denoiseTable(file: ResultsFile, separate?: ResultsFile): string {
  const own = separate && tunedTvTraining(file);
  const theirs = separate && tunedTvTraining(separate);
  const label = (k: string): string =>
    k === "paperTunedTv" && own
      ? `${denoiseNames[k]}, this run (${own.train} signals)`
      : (denoiseNames[k] ?? k);
  const separateLabel = `${denoiseNames.paperTunedTv}, separate run (${theirs?.train} signals)`;
  const rowOf = (f: ResultsFile, k: string, name: string): string[] => [
    name,
    epochs(f, k),
    cell(metric(f, k, "train", "mse"), fixed(2)),
    cell(metric(f, k, "val", "mse"), fixed(2)),
    cell(metric(f, k, "test", "mse"), fixed(2)),
    denoisePaper[k] ? (denoisePaper[k]?.[1] ?? NaN).toFixed(1) : "–",
  ];
  const rows = Object.keys(denoiseNames)
    .filter((k) => outcomes(file, k).length > 0)
    .flatMap((k) =>
      k === "paperTunedTv" && separate
        ? [rowOf(file, k, label(k)), rowOf(separate, k, separateLabel)]
        : [rowOf(file, k, label(k))],
    );
  const gainsIn = (f: ResultsFile, key: string): number[] =>
    f.runs.map((r) => 1 - (r.outcomes[key]?.test.mse ?? NaN) / (r.outcomes.tv?.test.mse ?? NaN));
  const gains = (key: string): number[] => gainsIn(file, key);
  const lams = file.runs.map((r) => (r.extra.lam as number | undefined) ?? NaN);
  const trials = Object.keys(denoiseNames).flatMap((k) =>
    outcomes(file, k)
      .filter((o) => o.lrCandidates)
      .map(
        (o) =>
          `${label(k)}: validation MSE after the learning-rate trials ${(o.lrCandidates ?? [])
            .map((c) => `${c.lr}: ${c.val.toFixed(2)}`)
            .join(", ")}; kept ${o.lr}`,
      ),
  );
  const alone = file.runs.every((r) => r.setting.only === "paperTunedTv")
    ? tunedTvTraining(file)
    : undefined;
  const separateLines =
    separate && own && theirs
      ? [
          `OptNet tuned TV, this run: ${describeTraining(own)}`,
          `OptNet tuned TV, separate run (npm run example:denoise -- --only paperTunedTv, file ${separate.experiment}-${separate.setting}.json, seed ${separate.runs.map((r) => r.seed).join(", ")}): ${describeTraining(theirs)}`,
          `OptNet tuned TV, separate run, vs that run's best TV (λ = ${separate.runs.map((r) => r.extra.lam).join(", ")}, test MSE ${cell(metric(separate, "tv", "test", "mse"), fixed(2))}): ${cell(gainsIn(separate, "paperTunedTv"), pct(1))} lower test MSE (paper: 12%)`,
          ...outcomes(separate, "paperTunedTv")
            .filter((o) => o.lrCandidates)
            .map(
              (o) =>
                `${separateLabel}: validation MSE after the learning-rate trials ${(o.lrCandidates ?? []).map((c) => `${c.lr}: ${c.val.toFixed(2)}`).join(", ")}; kept ${o.lr}`,
            ),
        ]
      : [];
  return [
    "```",
    formatTable(
      ["method", "epoch kept/run", "train MSE", "val MSE", "test MSE", "paper test"],
      rows,
    ),
    `best TV λ on the validation signals: ${lams.join(", ")}`,
    ...(outcomes(file, "paperTunedTv").length > 0
      ? [
          `OptNet tuned TV${own ? ", this run," : ""} vs best TV: ${cell(gains("paperTunedTv"), pct(1))} lower test MSE (paper: 12%)`,
        ]
      : []),
    ...(outcomes(file, "adaptiveTv").length > 0
      ? [`TV with weights w(x) vs best TV: ${cell(gains("adaptiveTv"), pct(1))} lower test MSE`]
      : []),
    ...trials,
    ...(alone ? [`OptNet tuned TV trained alone (--only): ${describeTraining(alone)}`] : []),
    ...separateLines,
    "```",
  ].join("\n");
}

/**
 * A classifier's table: per model, the epoch kept and the loss and `measure` (error or accuracy)
 * on the train, validation and test sets, each a mean ± sd over the file's seeds.
 */
function classifierTable(
  file: ResultsFile,
  names: Record<string, string>,
  measure: "error" | "accuracy",
): string {
  const rows = Object.keys(names)
    .filter((k) => outcomes(file, k).length > 0)
    .map((k) => [
      names[k] ?? k,
      epochs(file, k),
      cell(metric(file, k, "train", "loss"), fixed(4)),
      cell(metric(file, k, "train", measure), pct(1)),
      cell(metric(file, k, "val", measure), pct(1)),
      cell(metric(file, k, "test", "loss"), fixed(4)),
      cell(metric(file, k, "test", measure), pct(1)),
    ]);
  const header = [
    "model",
    "epoch kept/run",
    "train loss",
    `train ${measure}`,
    `val ${measure}`,
    "test loss",
    `test ${measure}`,
  ];
  return formatTable(header, rows);
}

function sudokuTable(file: ResultsFile): string {
  const lines = ["```", classifierTable(file, { conv: "Conv", optnet: "OptNet" }, "error")];
  const analysis = file.runs.map(
    (r) =>
      r.extra.learnedA as Record<string, { rank: number; mean: number; max: number }> | undefined,
  );
  const line = (key: string, label: string): void => {
    const values = analysis.map((a) => a?.[key]).filter((v) => v !== undefined);
    if (values.length === 0) return;
    const ranks = [...new Set(values.map((v) => v.rank))].join(", ");
    lines.push(
      `${label} (rank ${ranks}): residual mean ${cell(
        values.map((v) => v.mean),
        fixed(3),
      )}, max ${cell(
        values.map((v) => v.max),
        fixed(3),
      )}`,
    );
  };
  line("rulesOntoLearnedA", "rule rows onto the learned A's row space");
  line("rulesOntoInitialA", "rule rows onto the initial A's row space");
  line("learnedAOntoRules", "learned A's rows onto the rules' row space");
  line("initialAOntoRules", "initial A's rows onto the rules' row space");
  lines.push("```");
  return lines.join("\n");
}

function digitsTable(file: ResultsFile): string {
  const names = { fc: "FC600-FC10-FC10-softmax", optnet: "FC600-FC10-OptNet10-softmax" };
  return ["```", classifierTable(file, names, "accuracy"), "```"].join("\n");
}

/** Seeds, wall times, dates and the machine of a file's runs, as one paragraph. */
function runsLine(file: ResultsFile): string {
  const runs: RunRecord[] = file.runs;
  const first = runs[0];
  if (!first) return "(no runs)";
  const m = first.machine;
  const seeds = runs.length === 1 ? "one seed (1 run)" : `${runs.length} seeds (mean ± sd)`;
  const walls = runs.map((r) => `seed ${r.seed}: ${r.wallSeconds.toFixed(1)} s`).join(", ");
  const loads = runs.flatMap((r) => [r.machine.loadStart, r.machine.loadEnd]);
  return (
    `Setting \`${file.setting}\`, ${seeds}; wall time ${walls}; run on ${runs
      .map((r) => r.date.slice(0, 10))
      .filter((d, i, a) => a.indexOf(d) === i)
      .join(", ")}, ` +
    `${m.cpus} cores (${m.cpuModel}), no GPU, Node ${m.node}, TensorFlow.js ${m.tfjs} (${m.backend} backend); ` +
    `1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} at the runs' starts and ends (shared cores).`
  );
}

/** Every block a results file provides, keyed `<file>: <part>`. */
export function blocksOf(
  name: string,
  file: ResultsFile,
  files: ResultsByName = {},
): Record<string, string> {
  const table =
    file.experiment === "denoise"
      ? denoiseTable(file, separateTunedTvRun(name, files))
      : file.experiment === "sudoku"
        ? sudokuTable(file)
        : digitsTable(file);
  const blocks: Record<string, string> = {
    [`${name}: runs`]: runsLine(file),
    [`${name}: table`]: table,
  };
  if (file.experiment === "denoise" && file.runs.some((r) => r.extra.differenceLikeness))
    blocks[`${name}: operators`] = operatorsTable(file);
  return blocks;
}

/** How close each operator is to a difference operator (see difference-likeness.ts). */
function operatorsTable(file: ResultsFile): string {
  type Likeness = {
    meanShareOnBestDifference: number;
    rowsMostlyOneDifference: number;
    meanRelativeRowSum: number;
    rows: number;
  };
  const names: Record<string, string> = {
    randomD: "random initial D",
    learnedD: "learned D (from random)",
    paperTunedG: "tuned TV: G's first 99 rows on the signal",
  };
  const rows = Object.entries(names).map(([key, label]) => {
    const values = file.runs
      .map((r) => (r.extra.differenceLikeness as Record<string, Likeness> | undefined)?.[key])
      .filter((v): v is Likeness => v !== undefined);
    return [
      label,
      cell(
        values.map((v) => v.meanShareOnBestDifference),
        fixed(3),
      ),
      cell(
        values.map((v) => v.rowsMostlyOneDifference),
        fixed(0),
      ),
      cell(
        values.map((v) => v.meanRelativeRowSum),
        fixed(3),
      ),
    ];
  });
  return [
    "```",
    formatTable(
      [
        "operator",
        "share on best difference",
        "rows ≥ 50% one difference",
        "|row sum| / (√n ‖row‖)",
      ],
      rows,
    ),
    "(diff(n) itself: 1.000, 99, 0.000)",
    "```",
  ].join("\n");
}

const blockPattern = /<!-- generated: (.+?) -->\n([\s\S]*?)<!-- \/generated -->/g;

/** The page with every generated block replaced by what the files say now. */
export function renderPage(page: string, files: ResultsByName): string {
  const blocks: Record<string, string> = {};
  for (const [name, file] of Object.entries(files))
    Object.assign(blocks, blocksOf(name, file, files));
  return page.replace(blockPattern, (_all, key: string) => {
    const block = blocks[key];
    if (block === undefined)
      throw new Error(`docs/RESULTS.md: no results file gives block '${key}'`);
    // blank lines around the block: what prettier leaves of markdown next to HTML comments
    return `<!-- generated: ${key} -->\n\n${block}\n\n<!-- /generated -->`;
  });
}

/** The keys of the blocks the page holds. */
export function blockKeys(page: string): string[] {
  return [...page.matchAll(blockPattern)].map((m) => m[1] ?? "");
}
