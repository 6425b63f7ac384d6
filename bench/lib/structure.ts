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
  /** the baseline: `structure: false` (the dense path), or the case's baseline values */
  dense: { wallMs: number[]; cpuMs: number[]; iterations: number };
  /** largest |z_structured − z_dense| over the batch */
  maxDifference: number;
}

interface StructureCase {
  name: string;
  /** the program: examples/<file>, with `dims` overriding its sizes */
  file: string;
  dims?: Record<string, number>;
  params(random: RandomSource, batch: number): ParameterValues;
  /**
   * What the structured solve is compared with: by default the same values with
   * `structure: false`; here, other values (the same problems) solved with the structure.
   */
  baseline?: (params: ParameterValues, batch: number) => ParameterValues;
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

const SHARED_SIZE = 100;

/**
 * The paper's QP with Q and G given once for the batch (parameter-free blocks, for the solver: the
 * solve factors Q and forms the range-space cache once), q and h per member (h = G z0 + s0).
 */
function sharedBlocksParams(random: RandomSource, batch: number): ParameterValues {
  const n = SHARED_SIZE;
  const U = Float64Array.from({ length: n * n }, () => random.uniform());
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = i === j ? 1e-3 : 0;
      for (let t = 0; t < n; t++) sum += U[t * n + i] * U[t * n + j];
      Q[i * n + j] = sum;
    }
  }
  const G = Float64Array.from({ length: n * n }, () => random.normal());
  const q = Float64Array.from({ length: batch * n }, () => random.normal());
  const h = new Float64Array(batch * n);
  for (let k = 0; k < batch; k++) {
    const z0 = Array.from({ length: n }, () => random.normal());
    for (let i = 0; i < n; i++) {
      let sum = random.uniform();
      for (let j = 0; j < n; j++) sum += G[i * n + j] * (z0[j] ?? 0);
      h[k * n + i] = sum;
    }
  }
  return { Q, q, G, h };
}

/** `data` once per member: a leading batch axis of `batch`. */
function repeat(data: Float64Array, batch: number): Float64Array {
  const out = new Float64Array(batch * data.length);
  for (let k = 0; k < batch; k++) out.set(data, k * data.length);
  return out;
}

const cases: StructureCase[] = [
  {
    name: "total variation (examples/tv-denoise.qp)",
    file: "tv-denoise.qp",
    params: (random, batch) => ({ x: noisySignals(random, batch, 100), lam: 21 }),
  },
  { name: "Sudoku (examples/sudoku.qp)", file: "sudoku.qp", params: sudokuParams },
  {
    name: "one Q and G for the batch (examples/qp-dense.qp at n = p = 100) against the same Q and G given per member",
    file: "qp-dense.qp",
    dims: { n: SHARED_SIZE, p: SHARED_SIZE },
    params: sharedBlocksParams,
    baseline: (params, batch) => ({
      ...params,
      Q: repeat(params.Q as Float64Array, batch),
      G: repeat(params.G as Float64Array, batch),
    }),
  },
];

export function runStructureBench(
  compile: (source: string, dims?: Record<string, number>) => Layer,
  seed: number,
  batch: number,
  reps: number,
  tick: (task: string) => void,
): StructureResult[] {
  return cases.map((c) => {
    const layer = compile(
      readFileSync(resolve(import.meta.dirname, "../../examples", c.file), "utf8"),
      c.dims,
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
    const baselineParams = c.baseline?.(params, batch);
    const time = (structure: boolean) => {
      const values = structure || baselineParams === undefined ? params : baselineParams;
      const wallMs: number[] = [];
      const cpuMs: number[] = [];
      let iterations = 0;
      let z: number[] = [];
      collectGarbage();
      // the first call warms up the compiled layer and the kernels
      for (let r = 0; r <= reps; r++) {
        const run = measure(() => {
          const out = layer.solve(values, {
            workers: false,
            structure: structure || baselineParams !== undefined,
          });
          layer.vjp(out, upstream);
          return out;
        });
        tick(`structure: ${c.name}, ${structure ? "exploited" : "baseline"}`);
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
    "| layer | batch | n, m, p | exploited: wall median (min–max) | CPU | iterations | baseline: wall median (min–max) | CPU | iterations | baseline ÷ exploited (wall) | max abs difference in z |",
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
