// Micro-benchmark of the dense kernels: TypeScript vs WebAssembly SIMD.
//   npx tsx scripts/bench-kernels.ts [--reps 30]
// Workloads (batch of 128, float64): Cholesky factor + two triangular solves of SPD 100×100, and
// syrkWeighted (out += Gᵀ diag(w) G) with G 100×100. Prints the median and best time per batch,
// the CPU time beside it (the machine is shared), and GFLOP/s of the best run.
import type { DenseKernels } from "../src/solver/index.js";
import { typescriptKernels } from "../src/solver/kernels/typescript.js";
import { createWasmKernelsSync } from "../src/solver/wasm/index.js";

const BATCH = 128;
const N = 100;
const repsFlag = process.argv.indexOf("--reps");
const REPS = repsFlag >= 0 ? Number(process.argv[repsFlag + 1]) : 30;

/** Plain loops without unrolling or zero skipping, for scale. */
const plainLoops: Pick<
  DenseKernels,
  "name" | "alloc" | "cholesky" | "solveLower" | "solveLowerTransposed" | "syrkWeighted"
> = {
  name: "plain TS loops (in this script)",
  alloc: (length) => new Float64Array(length),
  cholesky(a, off, n) {
    for (let j = 0; j < n; j++) {
      let d = a[off + j * n + j];
      for (let k = 0; k < j; k++) d -= a[off + j * n + k] ** 2;
      if (!(d > 0)) return false;
      const ljj = Math.sqrt(d);
      a[off + j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = a[off + i * n + j];
        for (let k = 0; k < j; k++) s -= a[off + i * n + k] * a[off + j * n + k];
        a[off + i * n + j] = s / ljj;
      }
    }
    return true;
  },
  solveLower(L, lOff, n, x, xOff) {
    for (let i = 0; i < n; i++) {
      let s = x[xOff + i];
      for (let k = 0; k < i; k++) s -= L[lOff + i * n + k] * x[xOff + k];
      x[xOff + i] = s / L[lOff + i * n + i];
    }
  },
  solveLowerTransposed(L, lOff, n, x, xOff) {
    for (let i = n - 1; i >= 0; i--) {
      const xi = x[xOff + i] / L[lOff + i * n + i];
      x[xOff + i] = xi;
      for (let k = 0; k < i; k++) x[xOff + k] -= L[lOff + i * n + k] * xi;
    }
  },
  syrkWeighted(G, gOff, p, n, w, wOff, out, outOff) {
    for (let k = 0; k < p; k++) {
      const row = gOff + k * n;
      for (let i = 0; i < n; i++) {
        const c = w[wOff + k] * G[row + i];
        for (let j = 0; j <= i; j++) out[outOff + i * n + j] += c * G[row + j];
      }
    }
  },
};

type BenchKernels = typeof plainLoops;

function spdBatch(): Float64Array {
  const a = new Float64Array(BATCH * N * N);
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const b = new Float64Array(N * N);
  for (let m = 0; m < BATCH; m++) {
    for (let i = 0; i < N * N; i++) b[i] = random();
    for (let i = 0; i < N; i++) {
      for (let j = 0; j <= i; j++) {
        let s = i === j ? N : 0;
        for (let k = 0; k < N; k++) s += b[i * N + k] * b[j * N + k];
        a[m * N * N + i * N + j] = s;
        a[m * N * N + j * N + i] = s;
      }
    }
  }
  return a;
}

interface Timing {
  medianMs: number;
  bestMs: number;
  cpuMs: number;
}

/** Times `run` REPS times after `prepare` (untimed) each time. */
function time(prepare: () => void, run: () => void): Timing {
  const wall: number[] = [];
  let cpu = 0;
  for (let r = 0; r < REPS + 2; r++) {
    prepare();
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    run();
    const elapsed = performance.now() - start;
    const cpuUsed = process.cpuUsage(cpuStart);
    // The first two runs warm up the JIT.
    if (r >= 2) {
      wall.push(elapsed);
      cpu += (cpuUsed.user + cpuUsed.system) / 1000;
    }
  }
  wall.sort((x, y) => x - y);
  return { medianMs: wall[Math.floor(wall.length / 2)], bestMs: wall[0], cpuMs: cpu / REPS };
}

function benchCholeskySolve(kernels: BenchKernels, spd: Float64Array): Timing {
  const a = kernels.alloc(BATCH * N * N);
  const x = kernels.alloc(BATCH * N);
  return time(
    () => {
      a.set(spd);
      x.fill(1);
    },
    () => {
      for (let m = 0; m < BATCH; m++) {
        if (!kernels.cholesky(a, m * N * N, N)) throw new Error("not positive definite");
        kernels.solveLower(a, m * N * N, N, x, m * N);
        kernels.solveLowerTransposed(a, m * N * N, N, x, m * N);
      }
    },
  );
}

function benchSyrkWeighted(kernels: BenchKernels, spd: Float64Array): Timing {
  const G = kernels.alloc(BATCH * N * N);
  const w = kernels.alloc(BATCH * N);
  const out = kernels.alloc(BATCH * N * N);
  G.set(spd.subarray(0, G.length));
  w.fill(0.5);
  return time(
    () => out.fill(0),
    () => {
      for (let m = 0; m < BATCH; m++) {
        kernels.syrkWeighted(G, m * N * N, N, N, w, m * N, out, m * N * N);
      }
    },
  );
}

function report(label: string, timing: Timing, flops: number): void {
  const gflops = flops / (timing.bestMs * 1e6);
  console.log(
    `  ${label.padEnd(44)} median ${timing.medianMs.toFixed(2).padStart(7)} ms  best ${timing.bestMs.toFixed(2).padStart(7)} ms  cpu ${timing.cpuMs.toFixed(2).padStart(7)} ms  ${gflops.toFixed(2)} GFLOP/s`,
  );
}

const spd = spdBatch();
const providers: BenchKernels[] = [plainLoops, typescriptKernels, createWasmKernelsSync()];

const choleskyFlops = BATCH * (N ** 3 / 3 + 2 * N ** 2);
const syrkFlops = BATCH * N * N * (N + 1);
console.log(`batch ${BATCH}, n ${N}, ${REPS} timed runs each`);
console.log(`Cholesky factor + solve L, solve Lᵀ:`);
for (const kernels of providers)
  report(kernels.name, benchCholeskySolve(kernels, spd), choleskyFlops);
console.log(`syrkWeighted (out += Gᵀ diag(w) G, G ${N}×${N}, lower triangle):`);
for (const kernels of providers) report(kernels.name, benchSyrkWeighted(kernels, spd), syrkFlops);
