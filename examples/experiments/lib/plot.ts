import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as vega from "vega";
import { compile as vlCompile, type TopLevelSpec } from "vega-lite";

/** One named curve of (x, y) points. */
export interface Series {
  name: string;
  points: ReadonlyArray<readonly [number, number]>;
}

export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  series: readonly Series[];
  logY?: boolean;
  width?: number;
  height?: number;
}

const schema = "https://vega.github.io/schema/vega-lite/v5.json";

export function lineChartSpec(options: LineChartOptions): TopLevelSpec {
  const values = options.series.flatMap((s) =>
    s.points.map(([x, y]) => ({ series: s.name, x, y })),
  );
  return {
    $schema: schema,
    title: options.title,
    width: options.width ?? 420,
    height: options.height ?? 260,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "x", type: "quantitative", title: options.xTitle, axis: { tickMinStep: 1 } },
      y: {
        field: "y",
        type: "quantitative",
        title: options.yTitle,
        scale: options.logY ? { type: "log" } : { zero: false },
      },
      color: { field: "series", type: "nominal", title: null, legend: { labelLimit: 400 } },
    },
  };
}

export interface HeatmapPanel {
  title: string;
  matrix: ReadonlyArray<ArrayLike<number>>;
}

/** Matrices side by side, each with its own diverging colour scale centred at zero. */
export function heatmapsSpec(title: string, panels: readonly HeatmapPanel[]): TopLevelSpec {
  return {
    $schema: schema,
    title,
    hconcat: panels.map((panel) => {
      const values: { row: number; col: number; value: number }[] = [];
      panel.matrix.forEach((row, i) => {
        for (let j = 0; j < row.length; j++) values.push({ row: i, col: j, value: row[j] ?? 0 });
      });
      const cols = panel.matrix[0]?.length ?? 0;
      const size = panel.matrix.length <= 50 ? 6 : 3;
      return {
        title: panel.title,
        width: cols * size,
        height: panel.matrix.length * size,
        data: { values },
        // no per-cell accessibility labels: they would multiply the file size by three
        mark: { type: "rect", aria: false },
        encoding: {
          x: { field: "col", type: "ordinal", axis: null },
          y: { field: "row", type: "ordinal", axis: null },
          color: {
            field: "value",
            type: "quantitative",
            scale: { scheme: "redblue", domainMid: 0, reverse: true },
            title: null,
          },
        },
      };
    }),
    resolve: { scale: { color: "independent" } },
  };
}

export interface SignalPanel {
  title: string;
  curves: readonly { name: string; values: ArrayLike<number> }[];
}

/** Several signals, one small chart per signal, stacked vertically. */
export function signalsSpec(title: string, panels: readonly SignalPanel[]): TopLevelSpec {
  return {
    $schema: schema,
    title,
    vconcat: panels.map((panel) => ({
      title: panel.title,
      width: 520,
      height: 140,
      data: {
        values: panel.curves.flatMap((curve) =>
          Array.from(curve.values, (value, t) => ({ curve: curve.name, t, value })),
        ),
      },
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "t", type: "quantitative", title: "t" },
        y: { field: "value", type: "quantitative", title: null, scale: { zero: false } },
        color: { field: "curve", type: "nominal", title: null, legend: { labelLimit: 400 } },
      },
    })),
    resolve: { scale: { color: "shared" } },
  };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vlCompile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function writeSvg(spec: TopLevelSpec, path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await renderSvg(spec));
  return path;
}
