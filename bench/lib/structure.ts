/**
 * The gain of the structure the compiler hands the solver (issue "Speed"): two of the paper's
 * layers written as text (examples/tv-denoise.qp and examples/sudoku.qp), solved and
 * differentiated through the public Layer with their structure exploited (the default) and with
 * `structure: false`, which factors the whole KKT system densely. Both on the calling thread, so
 * the ratio is the structure's alone.
 */

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Layer, ParameterValues } from "../../src/index.js";
import { collectGarbage, measure, summarize } from "./measure.js";
import { createRandom, type RandomSource } from "./random.js";
import { formatMs } from "./report.js";

export interface StructureResult {
  layer: string;
  batch: number;
  /** columns, equality rows and inequality rows of the canonical QP */
  size: { n: number; m: number; p: number };
  structured: { wallMs: number[]; cpuMs: number[]; iterations: number };
  dense: { wallMs: number[]; cpuMs: number[]; iterations: number };
  /** largest |z_structured − z_dense| over the batch */
  maxDifference: number;
}

interface StructureCase {
  name: string;
  file: string;
  params(random: RandomSource, batch: number): ParameterValues;
}

/** Piecewise-constant signals as in the denoising experiment: heights 10–99, noise σ = 10. */
function noisySignals(random: RandomSource, batch: number, length: number): number[][] {
  return Array.from({ length: batch }, () => {
    let level = 10 + 89 * random.uniform();
    return Array.from({ length }, () => {
      if (random.uniform() < 0.05) level = 10 + 89 * random.uniform();
      return level + 10 * random.normal();
    });
  });
}

/** The Sudoku layer at the start of training: A uniform in [0, 1), b = A z0, p one-hot givens. */
function sudokuParams(random: RandomSource, batch: number): ParameterValues {
  const n = 64;
  const m = 40;
  const A = Array.from({ length: m }, () => Array.from({ length: n }, () => random.uniform()));
  const z0 = Array.from({ length: n }, () => 0.5 + random.uniform());
  const b = A.map((row) => row.reduce((sum, a, j) => sum + a * (z0[j] ?? 0), 0));
  const p = Array.from({ length: batch }, () => {
    const givens = new Array<number>(n).fill(0);
    for (let cell = 0; cell < 16; cell++) {
      if (random.uniform() < 0.4) givens[cell * 4 + Math.floor(4 * random.uniform())] = 1;
    }
    return givens;
  });
  return { A, b, p };
}

const cases: StructureCase[] = [
  {
    name: "total variation (examples/tv-denoise.qp)",
    file: "tv-denoise.qp",
    params: (random, batch) => ({ x: noisySignals(random, batch, 100), lam: 21 }),
  },
  { name: "Sudoku (examples/sudoku.qp)", file: "sudoku.qp", params: sudokuParams },
];

export function runStructureBench(
  compile: (source: string) => Layer,
  seed: number,
  batch: number,
  reps: number,
  tick: (task: string) => void,
): StructureResult[] {
  return cases.map((c) => {
    const layer = compile(
      readFileSync(resolve(import.meta.dirname, "../../examples", c.file), "utf8"),
    );
    const random = createRandom(seed);
    const params = c.params(random, batch);
    const upstream = Object.fromEntries(
      layer.outputs.map((o) => [
        o.name,
        Array.from({ length: batch }, () =>
          Array.from({ length: o.shape.reduce((a, b) => a * b, 1) }, () => random.normal()),
        ),
      ]),
    );
    const time = (structure: boolean) => {
      const wallMs: number[] = [];
      const cpuMs: number[] = [];
      let iterations = 0;
      let z: number[] = [];
      collectGarbage();
      // the first call warms up the compiled layer and the kernels
      for (let r = 0; r <= reps; r++) {
        const run = measure(() => {
          const out = layer.solve(params, { workers: false, structure });
          layer.vjp(out, upstream);
          return out;
        });
        tick(`structure: ${c.name}, ${structure ? "structured" : "dense"}`);
        if (r === 0) continue;
        wallMs.push(run.wallMs);
        cpuMs.push(run.cpuMs);
        const unsolved = run.value.status.filter((s) => s !== "solved").length;
        if (unsolved > 0) throw new Error(`${c.name}: ${unsolved} members not solved`);
        iterations = run.value.iterations.reduce((a, b) => a + b, 0) / batch;
        z = (Object.values(run.value.variables)[0] as number[][]).flat();
      }
      return { wallMs, cpuMs, iterations, z };
    };
    const structured = time(true);
    const dense = time(false);
    const maxDifference = structured.z.reduce(
      (worst, v, i) => Math.max(worst, Math.abs(v - (dense.z[i] ?? NaN))),
      0,
    );
    const { n, m, p } = layer.canonical;
    const strip = ({ z: _, ...rest }: typeof structured) => rest;
    return {
      layer: c.name,
      batch,
      size: { n, m, p },
      structured: strip(structured),
      dense: strip(dense),
      maxDifference,
    };
  });
}

export const structureUnits = (reps: number): number => cases.length * 2 * (reps + 1);

export function structureTable(results: readonly StructureResult[]): string {
  const lines = [
    "| layer | batch | n, m, p | structured: wall median (min–max) | CPU | iterations | dense: wall median (min–max) | CPU | iterations | dense ÷ structured (wall) | max abs difference in z |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  const cell = (t: StructureResult["dense"]) => {
    const wall = summarize(t.wallMs);
    return `${formatMs(wall.median)} (${formatMs(wall.min)}–${formatMs(wall.max)}) | ${formatMs(summarize(t.cpuMs).median)} | ${t.iterations.toFixed(1)}`;
  };
  for (const r of results) {
    const ratio = summarize(r.dense.wallMs).median / summarize(r.structured.wallMs).median;
    lines.push(
      `| ${r.layer} | ${r.batch} | ${r.size.n}, ${r.size.m}, ${r.size.p} | ${cell(r.structured)} | ${cell(r.dense)} | ${ratio.toFixed(2)}× | ${r.maxDifference.toExponential(1)} |`,
    );
  }
  return lines.join("\n");
}

/** The speed issue's structure target: the TV layer ≥ 5× faster than the dense path. */
export function structureVerdict(results: readonly StructureResult[]): string {
  const tv = results.find((r) => r.layer.startsWith("total variation"));
  if (!tv) return "TV layer: not judged, it did not run.";
  const ratio = summarize(tv.dense.wallMs).median / summarize(tv.structured.wallMs).median;
  return `- TV layer, batch ${tv.batch}, forward+backward: dense ${formatMs(summarize(tv.dense.wallMs).median)} ÷ structured ${formatMs(summarize(tv.structured.wallMs).median)} = ${ratio.toFixed(2)}× (target ≥ 5×: ${ratio >= 5 ? "met" : "NOT met"}).`;
}
