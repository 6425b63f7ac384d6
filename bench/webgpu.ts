/**
 * `npm run bench -- --device webgpu`: the WebGPU solver (f32, src/solver/webgpu) beside the CPU
 * solver (float64) on the paper's Figure 1–2 settings, and on the examples' layers: time of one
 * forward + backward, and how far the f32 answer lies from the float64 one. Prints the adapter's
 * name first: on a software adapter (lavapipe: "llvmpipe") the times only prove that it runs.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { compile } from "../src/runtime/index.js";
import { solveBatch } from "../src/solver/pdipm.js";
import type { QPBatchSolution, QPGradients } from "../src/solver/types.js";
import {
  WEBGPU_DEFAULT_EPS,
  WEBGPU_DEFAULT_EPS_ABS,
  WEBGPU_SETUP_HINT,
  acquireWebGPU,
  solveBatchOnWebGPU,
  type WebGPUContext,
} from "../src/solver/webgpu/index.js";
import { randomBatch, randomUpstream } from "./lib/generator.js";
import { mulberry32 } from "./lib/random.js";
import type { Setting } from "./lib/settings.js";

/** GPU memory one setting's factors need: batch·(n+p)²·4 bytes. */
function factorBytes(s: Setting): number {
  return s.batch * (s.n + s.p) ** 2 * 4;
}

function maxAbs(v: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]));
  return max;
}

/** max |a − b| / (1 + max |b|) over the members both solved; null where there is none. */
function relativeDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  solvedBoth: (index: number) => boolean,
): number | null {
  let diff = 0;
  let size = 0;
  let compared = false;
  for (let i = 0; i < b.length; i++) {
    if (!solvedBoth(i)) continue;
    compared = true;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    size = Math.max(size, Math.abs(b[i]));
  }
  return compared ? diff / (1 + size) : null;
}

/** The larger of two differences, null (nothing compared) counting as nothing. */
function worse(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** The statuses other than solved and how many of each, e.g. "2 numerical_error". */
function unsolved(status: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const named of status)
    if (named !== "solved") counts.set(named, (counts.get(named) ?? 0) + 1);
  return [...counts].map(([named, count]) => `${count} ${named}`).join(", ");
}

function gradientDifference(
  a: QPGradients,
  b: QPGradients,
  batch: number,
  ok: boolean[],
): number | null {
  let worst: number | null = null;
  for (const key of ["Q", "q", "G", "h"] as const) {
    const x = a[key];
    const y = b[key];
    if (!x || !y) continue;
    const per = y.length / batch;
    worst = worse(
      worst,
      relativeDifference(x, y, (i) => ok[Math.floor(i / per)]),
    );
  }
  return worst;
}

const format = (x: number | null) => (x === null ? "–" : x === 0 ? "0" : x.toExponential(1));
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

interface Row {
  setting: string;
  gpuMs: number;
  cpuMs: number;
  solvedGpu: number;
  solvedCpu: number;
  batch: number;
  /** the WebGPU statuses other than solved, counted */
  unsolvedGpu: string;
  /** null where no member was solved by both */
  zDiff: number | null;
  gradDiff: number | null;
}

async function timeGpu(
  problem: Parameters<typeof solveBatchOnWebGPU>[0],
  dz: Float64Array,
  context: WebGPUContext,
) {
  const start = performance.now();
  const solution = await solveBatchOnWebGPU(problem, {}, context);
  const grads = await solution.backwardOnDevice(dz);
  const elapsed = performance.now() - start;
  solution.dispose();
  return { solution, grads, elapsed };
}

function timeCpu(problem: Parameters<typeof solveBatch>[0], dz: Float64Array) {
  const start = performance.now();
  const solution: QPBatchSolution = solveBatch(problem);
  const grads = solution.backward(dz);
  return { solution, grads, elapsed: performance.now() - start };
}

/**
 * A setting whose first WebGPU call (the warm-up; the shader is compiled before) takes longer than
 * this is timed by that call alone: n = 500 takes minutes a call on a software adapter.
 */
const ONE_CALL_MS = 60_000;

async function paperSettings(plan: readonly Setting[], seed: number, context: WebGPUContext) {
  const limit = context.device.limits.maxStorageBufferBindingSize;
  const rows: Row[] = [];
  for (const s of plan) {
    // beyond one storage binding the solver goes in chunks (src/solver/webgpu/chunks.ts)
    const chunks = Math.ceil(s.batch / Math.floor(limit / factorBytes({ ...s, batch: 1 })));
    const label = `n = p = ${s.n}, batch ${s.batch}${chunks > 1 ? ` (${chunks} chunks)` : ""}`;
    const problem = randomBatch(s.batch, s.n, s.p, seed);
    const dz = randomUpstream(s.batch, s.n, seed);
    const repetitions = Math.max(1, Math.min(3, s.oursRepetitions));
    const gpuTimes: number[] = [];
    const cpuTimes: number[] = [];
    let gpu = await timeGpu(problem, dz, context);
    let cpu = timeCpu(problem, dz);
    const timedOnce = gpu.elapsed > ONE_CALL_MS;
    if (timedOnce) {
      gpuTimes.push(gpu.elapsed);
      cpuTimes.push(cpu.elapsed);
    }
    for (let r = 0; r < (timedOnce ? 0 : repetitions); r++) {
      gpu = await timeGpu(problem, dz, context);
      gpuTimes.push(gpu.elapsed);
      cpu = timeCpu(problem, dz);
      cpuTimes.push(cpu.elapsed);
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    const ok = gpu.solution.status.map(
      (status, k) => status === "solved" && cpu.solution.status[k] === "solved",
    );
    rows.push({
      setting: timedOnce ? `${label}, timed once` : label,
      gpuMs: median(gpuTimes),
      cpuMs: median(cpuTimes),
      solvedGpu: gpu.solution.status.filter((x) => x === "solved").length,
      solvedCpu: cpu.solution.status.filter((x) => x === "solved").length,
      batch: s.batch,
      unsolvedGpu: unsolved(gpu.solution.status),
      zDiff: relativeDifference(gpu.solution.z, cpu.solution.z, (i) => ok[Math.floor(i / s.n)]),
      gradDiff: gradientDifference(gpu.grads, cpu.grads, s.batch, ok),
    });
  }
  return rows;
}

/** Parameter values for an example: N(0,1) entries, B'B + I for psd, |·| for nonneg. */
function exampleValues(
  parameters: { name: string; shape: number[]; psd?: boolean; nonneg?: boolean }[],
  batch: number,
  seed: number,
): Record<string, Float64Array> {
  const uniform = mulberry32(seed);
  const normal = () =>
    Math.sqrt(-2 * Math.log(Math.max(uniform(), 1e-300))) * Math.cos(2 * Math.PI * uniform());
  const values: Record<string, Float64Array> = {};
  for (const p of parameters) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    const members = Array.from({ length: batch }, () => {
      if (p.psd === true) {
        const n = p.shape[0];
        const B = Array.from({ length: n * n }, normal);
        return Array.from({ length: n * n }, (_, e) => {
          const [i, j] = [Math.floor(e / n), e % n];
          let acc = i === j ? 1 : 0;
          for (let r = 0; r < n; r++) acc += B[r * n + i] * B[r * n + j];
          return acc / n;
        });
      }
      return Array.from({ length: size }, () =>
        p.nonneg === true ? Math.abs(normal()) : normal(),
      );
    });
    values[p.name] = Float64Array.from(members.flat());
  }
  return values;
}

const EXAMPLES = [
  "relu",
  "simplex",
  "box-projection",
  "box-least-squares",
  "qp-dense",
  "portfolio",
  "lasso",
  "huber",
  "norm-inf",
  "control",
];

async function examples(seed: number, batch: number) {
  const rows: Row[] = [];
  for (const name of EXAMPLES) {
    const layer = compile(readFileSync(`examples/${name}.qp`, "utf8"));
    const declared = layer.canonical.parameters.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      psd: p.psd,
      nonneg: p.nonneg,
    }));
    const values = exampleValues(declared, batch, seed);
    let start = performance.now();
    const cpu = layer.solve(values);
    const upstream = Object.fromEntries(
      Object.entries(cpu.variables).map(([key, v]) => [key, v.map((z) => z)]),
    );
    const cpuGrad = layer.vjp(cpu, upstream);
    const cpuMs = performance.now() - start;
    start = performance.now();
    const gpu = await layer.solve(values, { device: "webgpu" });
    const gpuGrad = await layer.vjp(gpu, upstream, { device: "webgpu" });
    const gpuMs = performance.now() - start;
    const ok = gpu.status.map((s, k) => s === "solved" && cpu.status[k] === "solved");
    const flat = (v: unknown) =>
      v instanceof Float64Array ? Array.from(v) : ([v].flat(4) as number[]);
    let zDiff: number | null = null;
    for (const key of Object.keys(cpu.variables)) {
      const a = flat(gpu.variables[key]);
      const b = flat(cpu.variables[key]);
      const per = b.length / batch;
      zDiff = worse(
        zDiff,
        relativeDifference(a, b, (i) => ok[Math.floor(i / per)]),
      );
    }
    let gradDiff: number | null = null;
    for (const key of Object.keys(cpuGrad)) {
      const a = flat(gpuGrad[key]);
      const b = flat(cpuGrad[key]);
      // gradients are summed over the batch for shared parameters: compare only when all solved
      if (ok.every(Boolean))
        gradDiff = worse(
          gradDiff,
          relativeDifference(a, b, () => true),
        );
    }
    rows.push({
      setting: `examples/${name}.qp, batch ${batch}`,
      gpuMs,
      cpuMs,
      solvedGpu: gpu.status.filter((s) => s === "solved").length,
      solvedCpu: cpu.status.filter((s) => s === "solved").length,
      batch,
      unsolvedGpu: unsolved(gpu.status),
      zDiff,
      gradDiff,
    });
  }
  return rows;
}

function table(rows: Row[]): string {
  const lines = [
    "| setting | WebGPU ms | CPU ms | solved (WebGPU / CPU) | z: max diff / (1 + max z) | gradients: likewise |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.setting} | ${ms(r.gpuMs)} | ${ms(r.cpuMs)} | ${r.solvedGpu} / ${r.solvedCpu} of ${r.batch}${r.unsolvedGpu ? ` (WebGPU: ${r.unsolvedGpu})` : ""} | ${format(r.zDiff)} | ${format(r.gradDiff)} |`,
    );
  }
  return lines.join("\n");
}

/** The `--device webgpu` run: every setting of `plan`, then the examples. */
export async function runWebGPUBench(plan: readonly Setting[], seed: number, quick: boolean) {
  process.env.XDG_RUNTIME_DIR ??= "/tmp";
  const acquired = await acquireWebGPU();
  if (acquired.context === null) {
    console.log(`No WebGPU adapter: ${acquired.reason}. To get one: ${WEBGPU_SETUP_HINT}.`);
    return;
  }
  const context = acquired.context;
  console.log(`Adapter: ${context.name}`);
  if (/llvmpipe|lavapipe|swiftshader/i.test(context.name)) {
    console.log(
      "This is a software adapter (the GPU is emulated on the CPU): the WebGPU times only prove that it runs.",
    );
  }
  console.log(
    `WebGPU: f32, eps ${WEBGPU_DEFAULT_EPS}, epsAbs ${WEBGPU_DEFAULT_EPS_ABS}; CPU: float64, eps 1e-9. Times: one forward + backward of the whole batch (median), the WebGPU one including the shader's compilation only in a warm-up run that is not counted (where the warm-up takes over a minute, it is the one timed run: 'timed once').\n`,
  );
  const compileStart = performance.now();
  await solveBatchOnWebGPU(randomBatch(1, 2, 2, seed), {}, context);
  console.log(`Shader compilation (first solve): ${ms(performance.now() - compileStart)} ms\n`);
  console.log("## The paper's Figure 1–2 settings (random QPs as in bench/lib/generator.ts)\n");
  console.log(table(await paperSettings(plan, seed, context)));
  console.log("\n## The examples' layers (random parameter values)\n");
  console.log(table(await examples(seed, quick ? 4 : 16)));
}
