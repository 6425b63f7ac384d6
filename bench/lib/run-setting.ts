/** Runs every method on the problems of one setting and collects the raw measurements. */

import type { Highs } from "highs";
import { createDenseLayerBench } from "./dense-layer.js";
import { randomProblems, randomUpstream, stackBatch, type DenseQP } from "./generator.js";
import { solveWithLoadedHighs } from "./highs.js";
import { collectGarbage, measure, peakRssBytes, type Sample } from "./measure.js";
import { memberZ, type LayerPath } from "./layer.js";
import type { SolveBatch } from "./ours.js";
import type { Progress } from "./progress.js";
import { solveWithQuadprog } from "./quadprog.js";
import type { Figure, Setting } from "./settings.js";

export type MethodName =
  | "ours forward"
  | "ours backward"
  | "ours forward+backward"
  | "layer forward"
  | "layer backward"
  | "layer forward+backward"
  | "highs"
  | "quadprog"
  | "dense forward"
  | "dense forward+backward";

export interface MethodResult {
  method: MethodName;
  /** problems actually solved in each repetition */
  problems: number;
  /** factor from `problems` to the whole batch: 1 when the whole batch ran, else extrapolated */
  scale: number;
  /** per repetition, for `problems` problems (not scaled) */
  wallMs: number[];
  cpuMs: number[];
  /** growth of JS heap + ArrayBuffers across one call while its result is held */
  retainedBytes?: number;
  /** kernels our solver ran on (`QPBatchSolution.kernels`) */
  kernels?: string;
  /** kernel memory our solver's workspace holds (`QPBatchSolution.workspaceBytes`) */
  workspaceBytes?: number;
  /** interior point iterations (ours) or active set changes (quadprog) per problem */
  iterations?: { mean: number; max: number };
  /** problems whose status was not "solved" */
  notSolved?: number;
  /** max |z − z_quadprog| over the problems both solved */
  maxErrorVsQuadprog?: number;
}

export interface SettingResult {
  n: number;
  p: number;
  batch: number;
  figures: Figure[];
  methods: MethodResult[];
  /** peak RSS of the process when this setting finished (monotonic over the run) */
  peakRssBytes: number;
  /** methods that could not run here, and why */
  skipped: string[];
}

export interface Solvers {
  /** solveBatch, or why it is missing */
  ours: SolveBatch | string;
  /** the public compile → Layer path, or why it is missing */
  layer: LayerPath | string;
  highs: Highs;
}

/**
 * Both reference solvers run about ten times slower on their first few problems (JIT and
 * WebAssembly tier-up): solve a handful of mid-sized problems before timing anything.
 */
export function warmUpReferences(highs: Highs, seed: number): void {
  for (const qp of randomProblems(8, 60, 60, seed + 1)) {
    solveWithQuadprog(qp);
    solveWithLoadedHighs(highs, qp);
  }
}

/** Timed calls a setting makes, for the progress bar. */
export function settingUnits(s: Setting, oursPaths: number): number {
  const ours = oursPaths * 2 * (s.oursRepetitions + warmupRuns(s));
  const references = 2 * s.referenceRepetitions;
  const dense = s.denseLayer ? 2 * s.denseRepetitions : 0;
  return 1 + ours + references + dense;
}

// Everything is warmed up once so the JIT has compiled it (and, for ours, the worker threads have
// met problems of this size), except the one-by-one solvers at n = 500, where one call takes
// seconds.
const referenceWarmups = (s: Setting) => (s.n >= 500 ? 0 : 1);
const warmupRuns = (_s: Setting) => 1;
/**
 * Each method warms up (ours and the Layer on the whole batch, beyond their one counted warm-up
 * run; highs and quadprog on one problem) for at least WARMUP_MIN_MS and WARMUP_MIN_RUNS runs,
 * within WARMUP_MAX_MS and WARMUP_MAX_RUNS. At n = 10 the first batches take 10–25× a steady one
 * (the worker threads start, and the TypeScript kernels, unused by the larger settings before,
 * are compiled on each thread): one warm-up run, or 300 ms, left that inside the timed
 * repetitions. At n = 500 one run passes WARMUP_MAX_MS.
 */
const WARMUP_MIN_MS = 1000;
const WARMUP_MIN_RUNS = 20;
const WARMUP_MAX_MS = 3000;
const WARMUP_MAX_RUNS = 100;

/** Runs `call` (untimed) as the warm-up limits above say. */
function warmUp(call: () => void): void {
  const start = performance.now();
  for (let runs = 0; runs < WARMUP_MAX_RUNS; runs++) {
    const elapsed = performance.now() - start;
    if (elapsed >= WARMUP_MAX_MS || (elapsed >= WARMUP_MIN_MS && runs >= WARMUP_MIN_RUNS)) break;
    call();
  }
}

export function runSetting(
  s: Setting,
  solvers: Solvers,
  seed: number,
  progress: Progress,
): SettingResult {
  const label = `n=p=${s.n} batch ${s.batch}`;
  progress.advance(0, `${label}: generating problems`);
  const problems = randomProblems(Math.max(s.oursProblems, s.referenceProblems), s.n, s.p, seed);
  progress.advance(1);
  const methods: MethodResult[] = [];
  const skipped: string[] = [];

  if (referenceWarmups(s) > 0) {
    warmUp(() => solveWithQuadprog(problems[0]));
    warmUp(() => solveWithLoadedHighs(solvers.highs, problems[0]));
  }
  collectGarbage();
  const quadprog = runOneByOne("quadprog", s, problems, progress, label, (qp) =>
    solveWithQuadprog(qp),
  );
  const referenceZ = quadprog.solutions;
  methods.push(quadprog.result);

  collectGarbage();
  const highs = runOneByOne("highs", s, problems, progress, label, (qp) =>
    solveWithLoadedHighs(solvers.highs, qp),
  );
  highs.result.maxErrorVsQuadprog = maxErrorAgainst(referenceZ, highs.solutions, s.n);
  methods.push(highs.result);

  collectGarbage();
  if (typeof solvers.ours === "string") skipped.push(`ours: ${solvers.ours}`);
  else methods.push(...runOurs(s, solvers.ours, problems, referenceZ, seed, progress, label));
  collectGarbage();
  if (typeof solvers.layer === "string") skipped.push(`layer: ${solvers.layer}`);
  else methods.push(...runLayer(s, solvers.layer, problems, referenceZ, seed, progress, label));

  collectGarbage();
  if (s.denseLayer) methods.push(...runDenseLayer(s, seed, progress, label));

  return {
    n: s.n,
    p: s.p,
    batch: s.batch,
    figures: s.figures,
    methods,
    peakRssBytes: peakRssBytes(),
    skipped,
  };
}

interface ReferenceSolveResult {
  z: Float64Array;
  status: string;
  iterations?: number;
}

function runOneByOne(
  method: "highs" | "quadprog",
  s: Setting,
  problems: readonly DenseQP[],
  progress: Progress,
  label: string,
  solve: (qp: DenseQP) => ReferenceSolveResult,
): { result: MethodResult; solutions: (Float64Array | undefined)[] } {
  const count = Math.min(s.referenceProblems, s.batch);
  const result: MethodResult = {
    method,
    problems: count,
    scale: s.batch / count,
    wallMs: [],
    cpuMs: [],
  };
  const solutions: (Float64Array | undefined)[] = [];
  for (let repetition = 0; repetition < s.referenceRepetitions; repetition++) {
    progress.advance(0, `${label}: ${method} one by one, repetition ${repetition + 1}`);
    const timed = measure(() => problems.slice(0, count).map(solve));
    result.wallMs.push(timed.wallMs);
    result.cpuMs.push(timed.cpuMs);
    if (repetition === 0) {
      result.retainedBytes = timed.retainedBytes;
      const solved = timed.value.map((r) => (r.status === "solved" ? r.z : undefined));
      solutions.push(...solved);
      result.notSolved = solved.filter((z) => z === undefined).length;
      const iterations = timed.value.flatMap((r) =>
        r.iterations === undefined ? [] : [r.iterations],
      );
      if (iterations.length > 0) result.iterations = meanAndMax(iterations);
    }
    progress.advance(2);
  }
  return { result, solutions };
}

function runOurs(
  s: Setting,
  solveBatch: SolveBatch,
  problems: readonly DenseQP[],
  referenceZ: readonly (Float64Array | undefined)[],
  seed: number,
  progress: Progress,
  label: string,
): MethodResult[] {
  const count = Math.min(s.oursProblems, s.batch);
  const batch = stackBatch(problems.slice(0, count));
  const dz = randomUpstream(count, s.n, seed);
  const scale = s.batch / count;
  const forward = emptyResult("ours forward", count, scale);
  const backward = emptyResult("ours backward", count, scale);
  const both = emptyResult("ours forward+backward", count, scale);

  progress.advance(0, `${label}: ours, warm-up`);
  warmUp(() => solveBatch(batch).backward(dz));
  for (let run = -warmupRuns(s); run < s.oursRepetitions; run++) {
    const what = run < 0 ? "warm-up" : `repetition ${run + 1}`;
    progress.advance(0, `${label}: ours forward, ${what}`);
    const solved = measure(() => solveBatch(batch));
    progress.advance(1, `${label}: ours backward, ${what}`);
    const gradients = measure(() => solved.value.backward(dz));
    progress.advance(1);
    if (run < 0) continue;
    recordForwardBackward(forward, backward, both, solved, gradients);
    if (run === 0) {
      const solution = solved.value;
      forward.retainedBytes = solved.retainedBytes;
      backward.retainedBytes = gradients.retainedBytes;
      forward.kernels = solution.kernels;
      forward.workspaceBytes = solution.workspaceBytes;
      forward.iterations = meanAndMax(Array.from(solution.iterations));
      forward.notSolved = solution.status.filter((status) => status !== "solved").length;
      const ourZ = Array.from({ length: count }, (_, k) =>
        solution.status[k] === "solved" ? solution.z.subarray(k * s.n, (k + 1) * s.n) : undefined,
      );
      forward.maxErrorVsQuadprog = maxErrorAgainst(referenceZ, ourZ, s.n);
    }
  }
  return [forward, backward, both];
}

function runLayer(
  s: Setting,
  path: LayerPath,
  problems: readonly DenseQP[],
  referenceZ: readonly (Float64Array | undefined)[],
  seed: number,
  progress: Progress,
  label: string,
): MethodResult[] {
  const count = Math.min(s.oursProblems, s.batch);
  const layer = path.compile(s.n, s.p);
  // Parameters with a leading batch axis, as flat typed arrays (the layer's fastest input form).
  const stacked = stackBatch(problems.slice(0, count));
  const params = { Q: stacked.Q.data, q: stacked.q.data, G: stacked.G.data, h: stacked.h.data };
  const upstream = { z: randomUpstream(count, s.n, seed) };
  const scale = s.batch / count;
  const forward = emptyResult("layer forward", count, scale);
  const backward = emptyResult("layer backward", count, scale);
  const both = emptyResult("layer forward+backward", count, scale);

  progress.advance(0, `${label}: Layer, warm-up`);
  warmUp(() => layer.vjp(layer.solve(params), upstream));
  for (let run = -warmupRuns(s); run < s.oursRepetitions; run++) {
    const what = run < 0 ? "warm-up" : `repetition ${run + 1}`;
    progress.advance(0, `${label}: Layer.solve, ${what}`);
    const solved = measure(() => layer.solve(params));
    progress.advance(1, `${label}: Layer.vjp, ${what}`);
    const gradients = measure(() => layer.vjp(solved.value, upstream));
    progress.advance(1);
    if (run < 0) continue;
    recordForwardBackward(forward, backward, both, solved, gradients);
    if (run === 0) {
      const out = solved.value;
      forward.retainedBytes = solved.retainedBytes;
      backward.retainedBytes = gradients.retainedBytes;
      forward.iterations = meanAndMax(out.iterations);
      forward.notSolved = out.status.filter((status) => status !== "solved").length;
      const layerZ = Array.from({ length: count }, (_, k) =>
        out.status[k] === "solved" ? memberZ(out, k, s.n) : undefined,
      );
      forward.maxErrorVsQuadprog = maxErrorAgainst(referenceZ, layerZ, s.n);
    }
  }
  layer.dispose();
  return [forward, backward, both];
}

function runDenseLayer(
  s: Setting,
  seed: number,
  progress: Progress,
  label: string,
): MethodResult[] {
  const layer = createDenseLayerBench(s.batch, s.n, seed);
  const forward = emptyResult("dense forward", s.batch, 1);
  const both = emptyResult("dense forward+backward", s.batch, 1);
  layer.forward();
  layer.forwardBackward();
  for (let repetition = 0; repetition < s.denseRepetitions; repetition++) {
    progress.advance(
      0,
      `${label}: tfjs dense layer (${layer.backend}), repetition ${repetition + 1}`,
    );
    const f = measure(() => layer.forward());
    forward.wallMs.push(f.wallMs);
    forward.cpuMs.push(f.cpuMs);
    progress.advance(1);
    const fb = measure(() => layer.forwardBackward());
    both.wallMs.push(fb.wallMs);
    both.cpuMs.push(fb.cpuMs);
    progress.advance(1);
  }
  layer.dispose();
  return [forward, both];
}

/** A method's result before its first repetition. */
function emptyResult(method: MethodName, problems: number, scale: number): MethodResult {
  return { method, problems, scale, wallMs: [], cpuMs: [] };
}

/** One repetition of a forward and a backward: each alone, and their sum as forward+backward. */
function recordForwardBackward(
  forward: MethodResult,
  backward: MethodResult,
  both: MethodResult,
  solved: Sample,
  gradients: Sample,
): void {
  forward.wallMs.push(solved.wallMs);
  forward.cpuMs.push(solved.cpuMs);
  backward.wallMs.push(gradients.wallMs);
  backward.cpuMs.push(gradients.cpuMs);
  both.wallMs.push(solved.wallMs + gradients.wallMs);
  both.cpuMs.push(solved.cpuMs + gradients.cpuMs);
}

function meanAndMax(values: readonly number[]): { mean: number; max: number } {
  let sum = 0;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    max = Math.max(max, v);
  }
  return { mean: sum / values.length, max };
}

/** Max |a − b| over the problems both solved; undefined when there is no such problem. */
function maxErrorAgainst(
  reference: readonly (Float64Array | undefined)[],
  candidate: readonly (Float64Array | undefined)[],
  n: number,
): number | undefined {
  let worst: number | undefined;
  for (let k = 0; k < Math.min(reference.length, candidate.length); k++) {
    const a = reference[k];
    const b = candidate[k];
    if (!a || !b) continue;
    for (let j = 0; j < n; j++) worst = Math.max(worst ?? 0, Math.abs(a[j] - b[j]));
  }
  return worst;
}
