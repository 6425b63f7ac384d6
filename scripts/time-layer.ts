/**
 * Timing of the Layer path (parameters → solve → vjp) against the raw solver underneath it, on
 * examples/qp-dense.qp (every coefficient a parameter: Q psd, q, G, h):
 *   npx tsx scripts/time-layer.ts [n=100] [batch=128] [reps=5] [workers=none|<count>|default]
 * Prints median CPU time (this process, all threads) and wall time of forward and backward, then
 * the wall time of each step of layer.solve (reading the parameters, building the solver's
 * batch, the solve, building the output) and of layer.vjp (the solver's backward pass and the
 * rest: the upstream gradient in, the parameters' gradients out).
 */
import { readFileSync } from "node:fs";
import { compile, closeWorkers, type WorkerOption } from "../src/runtime/index.js";
import { solutionOf } from "../src/runtime/layer.js";
import { buildOutput } from "../src/runtime/output.js";
import { readParameters } from "../src/runtime/parameters.js";
import { buildBatch, prepareProblem } from "../src/runtime/problem.js";
import { solveProblem } from "../src/runtime/solve.js";
import { findZeroRows, watchZeroRows } from "../src/runtime/zero-rows.js";

const [nArg, batchArg, repsArg, workersArg] = process.argv.slice(2);
const n = Number(nArg ?? 100);
const batch = Number(batchArg ?? 128);
const reps = Number(repsArg ?? 5);
const workers: WorkerOption | undefined =
  workersArg === undefined || workersArg === "default"
    ? undefined
    : workersArg === "none"
      ? false
      : Number(workersArg);

/** xorshift32, so every run times the same problems. */
let state = 12345;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296 - 0.5;
};

// The paper's random QPs: Q = UᵀU + 1e-3 I, h = G z0 + s0 so that z0 is feasible.
const Q = new Float64Array(batch * n * n);
const q = new Float64Array(batch * n);
const G = new Float64Array(batch * n * n);
const h = new Float64Array(batch * n);
for (let b = 0; b < batch; b++) {
  const U = Float64Array.from({ length: n * n }, rand);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = i === j ? 1e-3 : 0;
      for (let k = 0; k < n; k++) s += U[k * n + i] * U[k * n + j];
      Q[b * n * n + i * n + j] = s;
      Q[b * n * n + j * n + i] = s;
    }
  }
  const z0 = Float64Array.from({ length: n }, rand);
  for (let i = 0; i < n; i++) {
    q[b * n + i] = rand();
    let g = 0;
    for (let j = 0; j < n; j++) {
      const v = rand();
      G[b * n * n + i * n + j] = v;
      g += v * z0[j];
    }
    h[b * n + i] = g + 0.5 + rand();
  }
}
const upstream = { z: Float64Array.from({ length: batch * n }, rand) };

const source = readFileSync(new URL("../examples/qp-dense.qp", import.meta.url), "utf8");
const layer = compile(source, { dims: { n, p: n } });
const options = workers === undefined ? {} : { workers };

interface Sample {
  cpu: number;
  wall: number;
}
const measure = (f: () => void): Sample => {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  return { cpu: (c.user + c.system) / 1000, wall: performance.now() - w0 };
};
const samples = { forward: [] as Sample[], vjp: [] as Sample[], rawBackward: [] as Sample[] };
for (let r = 0; r < reps + 1; r++) {
  let out!: ReturnType<typeof layer.solve>;
  const forward = measure(() => (out = layer.solve({ Q, q, G, h }, options)));
  const vjp = measure(() => layer.vjp(out, upstream));
  const solution = solutionOf(out)!;
  const dz = new Float64Array(batch * solution.n);
  for (let b = 0; b < batch; b++) dz.set(upstream.z.subarray(b * n, (b + 1) * n), b * solution.n);
  const request = { Q: true, q: true, G: true, h: true };
  const rawBackward = measure(() => solution.backward(dz, request));
  if (r === 0) continue; // warm-up
  samples.forward.push(forward);
  samples.vjp.push(vjp);
  samples.rawBackward.push(rawBackward);
}

// The steps of layer.solve, as layer.ts takes them, each solve then differentiated as in training.
const canonical = layer.canonical;
const prepared = prepareProblem(canonical);
const watched = watchZeroRows(canonical, prepared);
const steps = {
  read: [] as number[],
  build: [] as number[],
  solve: [] as number[],
  output: [] as number[],
};
for (let r = 0; r < reps + 1; r++) {
  const t0 = performance.now();
  const params = readParameters(canonical.parameters, canonical.parameterSize, { Q, q, G, h });
  const t1 = performance.now();
  const problem = buildBatch(prepared, params);
  const t2 = performance.now();
  const solution = solveProblem(problem, {}, workers);
  const t3 = performance.now();
  buildOutput(
    canonical,
    problem,
    params.theta,
    solution,
    findZeroRows(canonical, watched, problem),
  );
  const t4 = performance.now();
  // differentiated, as in training: the next solve reuses this one's kernel memory
  solution.backward(new Float64Array(batch * solution.n));
  if (r === 0) continue; // warm-up
  steps.read.push(t1 - t0);
  steps.build.push(t2 - t1);
  steps.solve.push(t3 - t2);
  steps.output.push(t4 - t3);
}
closeWorkers();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const show = (name: string, s: Sample[]) =>
  `${name} cpu ${median(s.map((x) => x.cpu)).toFixed(1)} ms wall ${median(s.map((x) => x.wall)).toFixed(1)} ms`;
const ratio = median(samples.vjp.map((x) => x.cpu)) / median(samples.forward.map((x) => x.cpu));
console.log(
  `qp-dense n=p=${n} batch=${batch} workers=${workersArg ?? "default"}: ` +
    `${show("layer.solve", samples.forward)}; ${show("layer.vjp", samples.vjp)}; ` +
    `${show("solver backward alone", samples.rawBackward)}; vjp/solve cpu ${(100 * ratio).toFixed(0)}%`,
);
const stepText = Object.entries(steps)
  .map(([name, wall]) => `${name} ${median(wall).toFixed(1)} ms`)
  .join(", ");
const vjpRest =
  median(samples.vjp.map((x) => x.wall)) - median(samples.rawBackward.map((x) => x.wall));
console.log(
  `layer.solve steps (wall): ${stepText}; layer.vjp beyond the solver's backward: ${vjpRest.toFixed(1)} ms`,
);
