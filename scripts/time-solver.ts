/**
 * Quick timing of solveBatch on the paper's random QPs (bench/lib/generator.ts):
 *   npx tsx scripts/time-solver.ts [n=100] [batch=128] [reps=5] [kernels=default|wasm|typescript]
 * Prints forward and backward user CPU time (one thread) and the iteration counts. The reps run in
 * up to ten groups, and each figure is the median over the groups of the group's mean: the process
 * CPU clock advances in ticks of several milliseconds, too coarse to time one small solve.
 */
import { randomBatch, randomUpstream } from "../bench/lib/generator.js";
import { solveBatch, type QPBatchSolution, type SolverOptions } from "../src/solver/index.js";

const [nArg, batchArg, repsArg, kernelsArg] = process.argv.slice(2);
const n = Number(nArg ?? 100);
const batch = Number(batchArg ?? 128);
const reps = Number(repsArg ?? 5);
const problem = randomBatch(batch, n, n, 1);
const upstream = randomUpstream(batch, n, 1);
const options: SolverOptions & { kernels?: "wasm" | "typescript" } = {};
if (kernelsArg === "wasm" || kernelsArg === "typescript") options.kernels = kernelsArg;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
// CPU time of this thread: the machine is shared, and wall time moves with the neighbours' load
const cpuMs = () => process.cpuUsage().user / 1000;

// warm-up: the first solves run before the JIT has compiled the hot loops
solveBatch(problem, options).backward(upstream);

const groups = Math.min(10, reps);
const forward: number[] = [];
const backward: number[] = [];
let solution: QPBatchSolution | undefined;
for (let g = 0; g < groups; g++) {
  const size = Math.floor(reps / groups) + (g < reps % groups ? 1 : 0);
  let forwardMs = 0;
  let backwardMs = 0;
  for (let r = 0; r < size; r++) {
    const t0 = cpuMs();
    solution = solveBatch(problem, options);
    const t1 = cpuMs();
    solution.backward(upstream);
    forwardMs += t1 - t0;
    backwardMs += cpuMs() - t1;
  }
  forward.push(forwardMs / size);
  backward.push(backwardMs / size);
}

const its = Array.from(solution!.iterations);
const counts = new Map<string, number>();
for (const s of solution!.status) counts.set(s, (counts.get(s) ?? 0) + 1);
const statuses = [...counts].map(([s, c]) => `${s}:${c}`).join(" ");
const totals = forward.map((f, i) => f + backward[i]);
console.log(
  `n=p=${n} batch=${batch} kernels=${kernelsArg ?? "default"}: forward ${median(forward).toFixed(2)} ms, ` +
    `backward ${median(backward).toFixed(2)} ms, total ${median(totals).toFixed(2)} ms ` +
    `(best group ${Math.min(...totals).toFixed(2)} ms); ` +
    `iterations mean ${(its.reduce((a, b) => a + b, 0) / its.length).toFixed(2)} max ${Math.max(...its)}; ${statuses}`,
);
