/** The SVG figures of docs/RESULTS.md, drawn from the full settings' run files (first seed). */
import type { TopLevelSpec } from "vega-lite";
import type { ResultsFile, RunRecord } from "../../examples/experiments/lib/results.js";
import {
  heatmapsSpec,
  lineChartSpec,
  signalsSpec,
  type Series,
} from "../../examples/experiments/lib/plot.js";
import type { EpochRecord } from "../../examples/experiments/lib/train.js";
import { denoiseNames } from "./blocks.js";

export interface Figure {
  file: string;
  spec: TopLevelSpec;
}

function curve(name: string, history: EpochRecord[] | undefined, metric: string, from = 0): Series {
  return {
    name,
    points: (history ?? []).slice(from).map((h) => [h.epoch, h.metrics[metric] ?? NaN] as const),
  };
}

function denoiseFigures(run: RunRecord, setting: string): Figure[] {
  const extra = run.extra as {
    lam: number;
    tvSweep: [number, number][];
    operators: Record<string, number[][]>;
    examples: { clean: number[]; noisy: number[]; tv: number[] }[];
    examplePredictions: Record<string, number[][]>;
    exampleWeights: number[][];
  };
  const tvVal = run.outcomes.tv?.val.mse ?? NaN;
  const models = ["learnedD", "paperTunedTv", "adaptiveTv"];
  const lastEpoch = Math.max(...models.map((m) => (run.curves[m]?.length ?? 1) - 1), 1);
  return [
    {
      file: "denoise-tv-sweep.svg",
      spec: lineChartSpec({
        title: `Total variation: validation MSE against λ (${setting} setting, seed ${run.seed})`,
        xTitle: "λ",
        yTitle: "validation MSE",
        series: [{ name: "TV", points: extra.tvSweep }],
      }),
    },
    {
      file: "denoise-training.svg",
      spec: lineChartSpec({
        title: `Denoising: validation MSE while training (${setting} setting, seed ${run.seed})`,
        xTitle: "epoch",
        yTitle: "validation MSE",
        logY: true,
        series: [
          ...models.map((m) => curve(denoiseNames[m] ?? m, run.curves[m], "valMse")),
          {
            name: `TV, λ = ${extra.lam}`,
            points: [
              [0, tvVal],
              [lastEpoch, tvVal],
            ],
          },
        ],
      }),
    },
    {
      file: "denoise-fc-training.svg",
      spec: lineChartSpec({
        title: `FC net: MSE while training (${setting} setting, seed ${run.seed}; paper Fig. 7)`,
        xTitle: "epoch",
        yTitle: "MSE",
        logY: true,
        series: [
          curve("train (running mean over the epoch)", run.curves.fc, "trainMse", 1),
          curve("validation", run.curves.fc, "valMse"),
        ],
      }),
    },
    {
      file: "denoise-learned-d-training.svg",
      spec: lineChartSpec({
        title: `OptNet with a learned D: MSE while training (${setting} setting, seed ${run.seed})`,
        xTitle: "epoch",
        yTitle: "MSE",
        logY: true,
        series: [
          curve("train loss (MSE + L1 penalty, running mean)", run.curves.learnedD, "trainLoss", 1),
          curve("validation MSE", run.curves.learnedD, "valMse"),
        ],
      }),
    },
    {
      file: "denoise-D.svg",
      spec: heatmapsSpec("Operators: rows ordered by their largest entry, top-left 40×40 block", [
        { title: "random initial D", matrix: extra.operators.randomD ?? [] },
        { title: "learned D (from random)", matrix: extra.operators.learnedD ?? [] },
        {
          title: "tuned TV: G on the signal, first 99 rows",
          matrix: extra.operators.paperTunedG ?? [],
        },
      ]),
    },
    {
      file: "denoise-signals.svg",
      spec: signalsSpec(
        `Test signals (${setting} setting, seed ${run.seed})`,
        extra.examples.map((e, k) => ({
          title: `test signal ${k + 1}`,
          curves: [
            { name: "clean", values: e.clean },
            { name: "noisy", values: e.noisy },
            { name: `TV (λ = ${extra.lam})`, values: e.tv },
            { name: "OptNet, tuned TV", values: extra.examplePredictions.paperTunedTv?.[k] ?? [] },
            { name: "TV with w(x)", values: extra.examplePredictions.adaptiveTv?.[k] ?? [] },
            { name: "FC net", values: extra.examplePredictions.fc?.[k] ?? [] },
          ],
        })),
      ),
    },
    {
      file: "denoise-weights.svg",
      spec: lineChartSpec({
        title: "Weights w(x)/λ the extension gives each difference of the test signals above",
        xTitle: "difference i (between samples i and i+1)",
        yTitle: "w_i / λ",
        logY: true,
        series: extra.exampleWeights.map((row, k) => ({
          name: `test signal ${k + 1}`,
          points: row.map((v, i): [number, number] => [i, v]),
        })),
      }),
    },
  ];
}

function trainValFigures(
  run: RunRecord,
  setting: string,
  experiment: string,
  names: Record<string, string>,
  panels: {
    file: string;
    title: string;
    yTitle: string;
    train: string;
    val: string;
    logY: boolean;
    map?: (v: number) => number;
  }[],
): Figure[] {
  return panels.map((panel) => ({
    file: panel.file,
    spec: lineChartSpec({
      title: `${panel.title} (${setting} setting, seed ${run.seed})`,
      xTitle: "epoch",
      yTitle: panel.yTitle,
      logY: panel.logY,
      series: Object.entries(names).flatMap(([key, name]) =>
        [
          curve(`${name} train`, run.curves[key], panel.train, 1),
          curve(`${name} validation`, run.curves[key], panel.val),
        ].map((s) => ({
          name: s.name,
          points: s.points.map(([x, y]) => [x, panel.map ? panel.map(y) : y] as const),
        })),
      ),
    }),
  }));
  void experiment;
}

/** The figures of one results file (empty for settings other than full). */
export function figuresOf(file: ResultsFile): Figure[] {
  const run = file.runs[0];
  if (!run) return [];
  if (file.experiment === "denoise") return denoiseFigures(run, file.setting);
  if (file.experiment === "sudoku")
    return trainValFigures(run, file.setting, "sudoku", { conv: "Conv", optnet: "OptNet" }, [
      {
        file: "sudoku-error.svg",
        title: "4x4 Sudoku: board error",
        yTitle: "fraction of boards not solved",
        train: "trainError",
        val: "valError",
        logY: false,
      },
      {
        file: "sudoku-loss.svg",
        title: "4x4 Sudoku: MSE loss",
        yTitle: "loss",
        train: "trainLoss",
        val: "valLoss",
        logY: true,
      },
    ]);
  return trainValFigures(run, file.setting, "digits", { fc: "FC", optnet: "OptNet" }, [
    {
      file: "digits-error.svg",
      title: "Digits: classification error (0 drawn at 0.001)",
      yTitle: "error",
      train: "trainAccuracy",
      val: "valAccuracy",
      logY: true,
      map: (v) => Math.max(1 - v, 1e-3),
    },
    {
      file: "digits-loss.svg",
      title: "Digits: cross-entropy loss",
      yTitle: "loss",
      train: "trainLoss",
      val: "valLoss",
      logY: true,
    },
  ]);
}
