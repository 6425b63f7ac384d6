/**
 * Quick timing of solveBatch on the paper's random QPs (bench/lib/generator.ts):
 *   npx tsx scripts/time-solver.ts [n=100] [batch=128] [reps=5] [kernels=default|wasm|typescript]
 * Prints median forward and backward user CPU time (one thread) and the iteration counts.
 */
import { randomBatch, randomUpstream } from "../bench/lib/generator.js";
import { solveBatch, type SolverOptions } from "../src/solver/index.js";

const [nArg, batchArg, repsArg, kernelsArg] = process.argv.slice(2);
const n = Number(nArg ?? 100);
const batch = Number(batchArg ?? 128);
const reps = Number(repsArg ?? 5);
const problem = randomBatch(batch, n, n, 1);
const upstream = randomUpstream(batch, n, 1);
const options: SolverOptions & { kernels?: "wasm" | "typescript" } = {};
if (kernelsArg === "wasm" || kernelsArg === "typescript") options.kernels = kernelsArg;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const forward: number[] = [];
const backward: number[] = [];
let iterations: Int32Array = new Int32Array(0);
let statuses = "";
for (let r = 0; r < reps + 1; r++) {
  // CPU time of this thread: the machine is shared, and wall time moves with the neighbours' load
  const t0 = process.cpuUsage().user / 1000;
  const solution = solveBatch(problem, options);
  const t1 = process.cpuUsage().user / 1000;
  solution.backward(upstream);
  const t2 = process.cpuUsage().user / 1000;
  if (r === 0) continue; // warm-up
  forward.push(t1 - t0);
  backward.push(t2 - t1);
  iterations = solution.iterations;
  const counts = new Map<string, number>();
  for (const s of solution.status) counts.set(s, (counts.get(s) ?? 0) + 1);
  statuses = [...counts].map(([s, c]) => `${s}:${c}`).join(" ");
}
const its = Array.from(iterations);
console.log(
  `n=p=${n} batch=${batch} kernels=${kernelsArg ?? "default"}: forward ${median(forward).toFixed(1)} ms, ` +
    `backward ${median(backward).toFixed(1)} ms, total ${(median(forward) + median(backward)).toFixed(1)} ms ` +
    `(best total ${Math.min(...forward.map((f, i) => f + backward[i])).toFixed(1)} ms); ` +
    `iterations mean ${(its.reduce((a, b) => a + b, 0) / its.length).toFixed(2)} max ${Math.max(...its)}; ${statuses}`,
);
