/**
 * The gain of QPBatch.structure.boundRows on two layers of the OptNet paper, batch 128:
 *   npx tsx scripts/time-structure.ts [reps=3]
 * Sudoku 4×4: 64 variables, Q = 0.1 I, 40 equalities, z ≥ 0 (64 bound rows).
 * Total variation: x ∈ R^100, t ∈ R^99, min 1/2‖x − y‖² + λ·1't s.t. −t ≤ Dx ≤ t (198 rows) and
 * 0 ≤ x ≤ 110 (200 bound rows).
 * Prints the median forward + backward user CPU time, dense against structured (bound rows), and
 * structured with auxiliary columns eliminated (SolverOptions.eliminateAuxiliary), and iterations.
 * Then the layer of examples/tv-denoise.qp (100 z's, 99 t's, 198 rows, no bounds): layer.solve +
 * layer.vjp with { eps: 1e-6 }, `structure: false` (the dense path) against the default.
 */
import { readFileSync } from "node:fs";
import { writeDifferenceRows } from "../bench/lib/generator.js";
import { createRandom } from "../bench/lib/random.js";
import { compile, type SolveOptions } from "../src/index.js";
import { solveBatch, type QPBatch, type SolverOptions } from "../src/solver/index.js";

const reps = Number(process.argv[2] ?? 3);
const batch = 128;

function shared(data: Float64Array) {
  return { data, shared: true };
}

function sudoku(): QPBatch {
  const random = createRandom(7);
  const n = 64;
  const m = 40;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 0.1;
  const A = Float64Array.from({ length: m * n }, () => random.normal());
  const z0 = Float64Array.from({ length: n }, () => 0.1 + random.uniform());
  const b = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * z0[j];
  const G = new Float64Array(n * n);
  for (let i = 0; i < n; i++) G[i * n + i] = -1;
  const q = new Float64Array(batch * n);
  for (let k = 0; k < batch; k++) {
    for (let cell = 0; cell < 16; cell++) {
      if (random.uniform() < 0.4) q[k * n + cell * 4 + Math.floor(4 * random.uniform())] = -1;
    }
  }
  const boundRows = {
    row: Int32Array.from({ length: n }, (_, i) => i),
    column: Int32Array.from({ length: n }, (_, i) => i),
    sign: new Float64Array(n).fill(-1),
  };
  return {
    batch,
    n,
    m,
    p: n,
    Q: shared(Q),
    q: { data: q, shared: false },
    A: shared(A),
    b: shared(b),
    G: shared(G),
    h: shared(new Float64Array(n)),
    structure: { boundRows },
  };
}

function totalVariation(): QPBatch {
  const random = createRandom(11);
  const len = 100;
  const n = 2 * len - 1;
  const epigraph = 2 * (len - 1);
  const p = epigraph + 2 * len;
  const lambda = 21;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < len; i++) Q[i * n + i] = 1;
  const G = new Float64Array(p * n);
  const h = new Float64Array(p);
  writeDifferenceRows(G, n, len);
  const row = new Int32Array(2 * len);
  const column = new Int32Array(2 * len);
  const sign = new Float64Array(2 * len);
  for (let i = 0; i < len; i++) {
    for (const [t, s, bound] of [
      [2 * i, 1, 110],
      [2 * i + 1, -1, 0],
    ]) {
      const r = epigraph + t;
      G[r * n + i] = s;
      h[r] = bound;
      row[t] = r;
      column[t] = i;
      sign[t] = s;
    }
  }
  // q = (−y, λ·1) with y a noisy piecewise-constant signal
  const q = new Float64Array(batch * n);
  for (let k = 0; k < batch; k++) {
    let level = 10 + 89 * random.uniform();
    for (let i = 0; i < len; i++) {
      if (random.uniform() < 0.05) level = 10 + 89 * random.uniform();
      q[k * n + i] = -(level + 10 * random.normal());
    }
    for (let j = 0; j < len - 1; j++) q[k * n + len + j] = lambda;
  }
  const empty = shared(new Float64Array(0));
  return {
    batch,
    n,
    m: 0,
    p,
    Q: shared(Q),
    q: { data: q, shared: false },
    A: empty,
    b: empty,
    G: shared(G),
    h: shared(h),
    structure: { boundRows: { row, column, sign } },
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

function time(problem: QPBatch, options: SolverOptions = {}) {
  const upstream = Float64Array.from({ length: problem.batch * problem.n }, (_, i) => Math.sin(i));
  const totals: number[] = [];
  let iterations = 0;
  let solved = 0;
  for (let r = 0; r <= reps; r++) {
    const t0 = process.cpuUsage().user / 1000;
    const solution = solveBatch(problem, options);
    solution.backward(upstream);
    const t1 = process.cpuUsage().user / 1000;
    if (r > 0) totals.push(t1 - t0);
    iterations = solution.iterations.reduce((a, b) => a + b, 0) / problem.batch;
    solved = solution.status.filter((s) => s === "solved").length;
  }
  return `${median(totals).toFixed(1)} ms (iterations ${iterations.toFixed(2)}, solved ${solved})`;
}

for (const [name, problem] of [
  ["sudoku n=64 m=40 p=64 (64 bounds)", sudoku()],
  ["total variation n=199 p=398 (200 bounds)", totalVariation()],
] as const) {
  const dense = { ...problem, structure: undefined };
  const plain = { eliminateAuxiliary: false };
  console.log(
    `${name}: dense ${time(dense, plain)}; structured ${time(problem, plain)}; ` +
      `structured + auxiliary columns eliminated ${time(problem)}`,
  );
}

/** The tv-denoise.qp layer on `batch` noisy piecewise-constant signals, λ = 1. */
function timeDenoiseLayer(options: SolveOptions) {
  const layer = compile(
    readFileSync(new URL("../examples/tv-denoise.qp", import.meta.url), "utf8"),
  );
  const random = createRandom(13);
  const x: number[][] = [];
  for (let k = 0; k < batch; k++) {
    const signal: number[] = [];
    let level = random.normal();
    for (let i = 0; i < 100; i++) {
      if (random.uniform() < 0.05) level = random.normal();
      signal.push(level + 0.3 * random.normal());
    }
    x.push(signal);
  }
  const upstream = { z: x.map((row) => row.map((_, i) => Math.sin(i))) };
  const totals: number[] = [];
  let iterations = 0;
  for (let r = 0; r <= reps; r++) {
    const t0 = process.cpuUsage().user / 1000;
    const out = layer.solve({ x, lam: 1 }, { eps: 1e-6, workers: false, ...options });
    layer.vjp(out, upstream);
    const t1 = process.cpuUsage().user / 1000;
    if (r > 0) totals.push(t1 - t0);
    iterations = out.iterations.reduce((a, b) => a + b, 0) / batch;
  }
  return { ms: median(totals), iterations };
}

const denseLayer = timeDenoiseLayer({ structure: false });
const structuredLayer = timeDenoiseLayer({});
console.log(
  `tv-denoise.qp layer solve + vjp (eps 1e-6): dense ${denseLayer.ms.toFixed(1)} ms ` +
    `(iterations ${denseLayer.iterations.toFixed(2)}); structured ${structuredLayer.ms.toFixed(1)} ms ` +
    `(iterations ${structuredLayer.iterations.toFixed(2)}); ratio ` +
    `${(denseLayer.ms / structuredLayer.ms).toFixed(2)}×`,
);
