/**
 * Renders the benchmark's figures as SVG from the JSON that `npm run bench -- --json FILE` writes:
 *   npx tsx bench/plot.ts [FILE = bench/results.json] [OUTDIR = bench/figures]
 */

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { summarize } from "./lib/measure.js";
import { batchWallMs } from "./lib/report.js";
import type { MethodName, SettingResult } from "./lib/run-setting.js";

interface BenchJson {
  machine: { cpus: number; cpuModel: string; node: string; date: string };
  results: SettingResult[];
}

interface Point {
  n: number;
  batch: number;
  series: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  measured: string;
}

const seriesNames: Partial<Record<MethodName, string>> = {
  "ours forward": "optnet forward",
  "ours forward+backward": "optnet forward+backward",
  "layer forward+backward": "optnet Layer forward+backward",
  highs: "highs (one by one)",
  quadprog: "quadprog (one by one)",
  "dense forward": "tfjs dense forward",
  "dense forward+backward": "tfjs dense forward+backward",
};

function points(results: readonly SettingResult[], methods: readonly MethodName[]): Point[] {
  return results.flatMap((s) =>
    s.methods
      .filter((m) => methods.includes(m.method))
      .map((m) => {
        const wall = summarize(batchWallMs(m));
        return {
          n: s.n,
          batch: s.batch,
          series: seriesNames[m.method] ?? m.method,
          medianMs: wall.median,
          minMs: wall.min,
          maxMs: wall.max,
          measured: m.scale === 1 ? "whole batch" : `extrapolated from ${m.problems}`,
        };
      }),
  );
}

function lineChart(
  title: string,
  xField: "n" | "batch",
  xTitle: string,
  values: Point[],
): TopLevelSpec {
  const x = {
    field: xField,
    type: "quantitative" as const,
    scale: { type: "log" as const, nice: false },
    title: xTitle,
  };
  const color = { field: "series", type: "nominal" as const, title: null };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    config: { legend: { labelLimit: 400 } },
    width: 480,
    height: 320,
    data: { values },
    layer: [
      {
        mark: { type: "line", point: false },
        encoding: {
          x,
          y: {
            field: "medianMs",
            type: "quantitative",
            scale: { type: "log" },
            title: "time per batch (ms, median, log scale)",
          },
          color,
        },
      },
      {
        mark: { type: "point", filled: true, size: 50 },
        encoding: {
          x,
          y: { field: "medianMs", type: "quantitative" },
          color,
          shape: { field: "measured", type: "nominal", title: null },
        },
      },
      {
        // min–max over the repetitions
        mark: { type: "rule" },
        encoding: { x, y: { field: "minMs", type: "quantitative" }, y2: { field: "maxMs" }, color },
      },
    ],
  };
}

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  return view.toSVG();
}

const input = process.argv[2] ?? "bench/results.json";
const outDir = process.argv[3] ?? "bench/figures";
const bench = JSON.parse(readFileSync(input, "utf8")) as BenchJson;
const machine = `${bench.machine.cpus} CPUs ${bench.machine.cpuModel}, Node ${bench.machine.node}, ${bench.machine.date.slice(0, 10)}`;
mkdirSync(outDir, { recursive: true });

const batchSweep = bench.results.filter((s) => s.figures.includes("batch-sweep"));
const sizeSweep = bench.results.filter((s) => s.figures.includes("size-sweep"));
const figures: [string, TopLevelSpec][] = [
  [
    "time-vs-batch.svg",
    lineChart(
      `n = p = ${batchSweep[0]?.n ?? "?"}: time vs batch size (${machine})`,
      "batch",
      "batch size (log scale)",
      points(batchSweep, [
        "ours forward",
        "ours forward+backward",
        "layer forward+backward",
        "highs",
        "quadprog",
      ]),
    ),
  ],
  [
    "time-vs-n.svg",
    lineChart(
      `batch ${sizeSweep[0]?.batch ?? "?"}: QP layer vs dense layer (${machine})`,
      "n",
      "n = p (log scale)",
      points(sizeSweep, [
        "ours forward",
        "ours forward+backward",
        "dense forward",
        "dense forward+backward",
      ]),
    ),
  ],
  [
    "time-vs-n-solvers.svg",
    lineChart(
      `batch ${sizeSweep[0]?.batch ?? "?"}: optnet vs highs and quadprog (${machine})`,
      "n",
      "n = p (log scale)",
      points(sizeSweep, [
        "ours forward",
        "ours forward+backward",
        "layer forward+backward",
        "highs",
        "quadprog",
      ]),
    ),
  ],
];
for (const [file, spec] of figures) {
  writeFileSync(path.join(outDir, file), await renderSvg(spec));
  console.log(`wrote ${path.join(outDir, file)}`);
}
