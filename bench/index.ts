/**
 * `npm run bench`: our batched QP layer against the `highs` and `quadprog` packages solving the
 * same problems one by one, and a tfjs dense layer of the same width, in the settings of the
 * OptNet paper's Figures 1–2. Prints markdown tables; `--json` keeps the raw measurements.
 */

// First: relaxed SIMD on before any WebAssembly is compiled (see the module).
import "./lib/relaxed-simd.js";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { Command } from "commander";
import prettier from "prettier";
import { firstCallTable, runFirstCall, type FirstCallResult } from "./first-call.js";
import { loadHighs } from "./lib/highs.js";
import { loadLayerPath } from "./lib/layer.js";
import { loadOurSolver } from "./lib/ours.js";
import { createProgress } from "./lib/progress.js";
import { detailTable, formatMs, speedVerdict, summaryTable, targetVerdict } from "./lib/report.js";
import {
  runSetting,
  settingUnits,
  warmUpReferences,
  type SettingResult,
} from "./lib/run-setting.js";
import { filterPlan, fullPlan, quickPlan } from "./lib/settings.js";
import { runWebGPUBench } from "./webgpu.js";
import {
  runStructureBench,
  structureTable,
  structureUnits,
  structureVerdict,
  type StructureResult,
} from "./lib/structure.js";

interface CliOptions {
  quick: boolean;
  device: string;
  only: string[];
  json?: string;
  seed: string;
  batch?: string;
}

const program = new Command()
  .name("bench")
  .description("Time the optnet QP layer against highs, quadprog and a tfjs dense layer.")
  .option("--quick", "tiny settings that run in seconds (checks that the bench works)", false)
  .option(
    "--only <filter>",
    "run only matching settings, e.g. n=100 or batch=1,128, or 'structure' for the TV and Sudoku layers' section, or 'first-call' for the first solve of a fresh process (repeat to combine)",
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option("--json <file>", "write the raw measurements to this file (input of bench/plot.ts)")
  .option("--seed <n>", "seed of the problem generator", "1")
  .option(
    "--batch <n>",
    "with --device webgpu: solve this many members of each setting instead of its batch (n = 500 takes seconds a member on a software adapter)",
  )
  .option(
    "--device <device>",
    "cpu, or webgpu: the WebGPU solver beside the CPU one (bench/webgpu.ts)",
    "cpu",
  )
  .parse();

const options = program.opts<CliOptions>();
const seed = Number(options.seed);
const basePlan = options.quick ? quickPlan() : fullPlan();
const sections = ["structure", "first-call"];
const settingFilters = options.only.filter((f) => !sections.includes(f));
const plan =
  options.only.length > 0 && settingFilters.length === 0
    ? []
    : filterPlan(basePlan, settingFilters);
const runStructure = options.only.length === 0 || options.only.includes("structure");
const runFirstCallSection = options.only.length === 0 || options.only.includes("first-call");
const structureBatch = options.quick ? 16 : 128;
const structureReps = options.quick ? 1 : 5;
const batch = options.batch === undefined ? undefined : Number(options.batch);
if (
  batch !== undefined &&
  (options.device !== "webgpu" || !(Number.isInteger(batch) && batch > 0))
) {
  console.error("--batch takes a positive whole number, and only with --device webgpu");
  process.exit(2);
}
if (options.device === "webgpu") {
  await runWebGPUBench(
    batch === undefined ? plan : plan.map((s) => ({ ...s, batch })),
    seed,
    options.quick,
  );
  process.exit(0);
}
if (plan.length === 0 && !runStructure && !runFirstCallSection) {
  console.error("no setting matches the filters");
  process.exit(2);
}

const machine = {
  cpus: os.availableParallelism(),
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  date: new Date().toISOString(),
  /** 1-minute load average when the run started and when it ended: the machine is shared */
  loadAverage: { start: os.loadavg()[0], end: Number.NaN },
};

const runStart = performance.now();
const ours = await loadOurSolver();
const layer = await loadLayerPath();
const highs = await loadHighs();
warmUpReferences(highs, seed);
const progress = createProgress(
  plan.reduce(
    (sum, s) => sum + settingUnits(s, [ours, layer].filter((x) => typeof x !== "string").length),
    runStructure ? structureUnits(structureReps) : 0,
  ),
);

const results: SettingResult[] = [];
let structure: StructureResult[] = [];
let firstCall: FirstCallResult[] = [];
const writeJson = async () => {
  if (!options.json) return;
  const wallSeconds = (performance.now() - runStart) / 1000;
  const text = JSON.stringify({
    machine,
    seed,
    quick: options.quick,
    wallSeconds,
    results,
    structure,
    firstCall,
  });
  // Formatted as the repository's prettier would, so a committed results file stays clean.
  writeFileSync(options.json, await prettier.format(text, { parser: "json", printWidth: 100 }));
};
for (const setting of plan) {
  results.push(runSetting(setting, { ours, layer, highs }, seed, progress));
  // Written after every setting, so an interrupted run still leaves what it measured.
  await writeJson();
}
if (runStructure) {
  if (typeof layer === "string") console.error(`structure section skipped: ${layer}`);
  else {
    structure = runStructureBench(layer.compileText, seed, structureBatch, structureReps, (task) =>
      progress.advance(1, task),
    );
    await writeJson();
  }
}
if (runFirstCallSection) {
  // Fresh processes, one case at a time: run last, so that nothing of this process runs beside.
  firstCall = runFirstCall((what) => progress.advance(0, `first call: ${what}`));
  await writeJson();
}
progress.stop();
machine.loadAverage.end = os.loadavg()[0];
if (typeof layer !== "string") await layer.close();

const wallSeconds = (performance.now() - runStart) / 1000;
console.log(
  `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}; 1-min load average ${machine.loadAverage.start.toFixed(2)} at start, ${machine.loadAverage.end.toFixed(2)} at end; seed ${seed}${options.quick ? "; --quick" : ""}`,
);
console.log(
  "Times are per batch (highs and quadprog solve its problems one by one), float64 except the tfjs dense layer (float32). CPU time is the whole process's user+system time, worker threads included.\n",
);
console.log("## Medians and ratios\n");
console.log(summaryTable(results));
console.log("\n## Every measurement\n");
console.log(detailTable(results));
console.log(`\n${targetVerdict(results)}`);
if (structure.length > 0) {
  console.log(
    "\n## Structure: layers written as text, their structure exploited against a baseline (the paper's TV and Sudoku layers: `structure: false`, the dense KKT; the generic QP with one Q and G for the batch: the same Q and G given per member), all on one thread\n",
  );
  console.log(structureTable(structure));
}
if (firstCall.length > 0) {
  console.log(
    "\n## First call: the first layer.solve of a fresh process against the median of the next 15 (from the sources, through tsx; default options, so the paper's batches may split over worker threads)\n",
  );
  console.log(firstCallTable(firstCall));
}
console.log(`\n${speedVerdict(results)}`);
if (structure.length > 0) console.log(structureVerdict(structure));
console.log(`\nWhole run: ${formatMs(wallSeconds * 1000)} wall.`);
await writeJson();
