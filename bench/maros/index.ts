/**
 * `npm run bench:maros`: the 62-problem dense Maros–Meszaros set, each problem solved alone at
 * the tolerances 1e-9, 1e-6 and 1e-3 and judged as qpbenchmark judges (judge.ts). Prints the
 * report, writes the results as JSON and the Markdown page generated from that JSON.
 *
 *   --tol 1e-9            one tolerance only
 *   --only HS21,QAFIRO    these problems only
 *   --skip QSCSD1         leave these out
 *   --relative            { eps: tol } instead of { eps: 0, epsAbs: tol }
 *   --max-iter 200        iteration cap (default: the solver's)
 *   --no-structure        solve with { structure: false } (the dense KKT form only)
 *   --out FILE            results JSON (default bench/maros/results.json)
 *   --report FILE         Markdown page (default bench/MAROS.md)
 */

import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { Command } from "commander";
import prettier from "prettier";
import { listMarosProblems, loadMarosProblem } from "./load.js";
import { formattedReport } from "./write-report.js";
import {
  SLOW_SECONDS,
  TOLERANCES,
  storedRun,
  type MarosProblemResult,
  type MarosResults,
} from "./results.js";
import { runMaros, solverOptions, type MarosRun, type ToleranceMode } from "./run.js";

interface CliOptions {
  tol?: string;
  only?: string;
  skip?: string;
  relative: boolean;
  maxIter?: string;
  structure: boolean;
  out: string;
  report: string;
}

const options = new Command()
  .name("bench:maros")
  .description("Solve the dense Maros–Meszaros set and judge it as qpbenchmark does.")
  .option("--tol <tolerance>", "run one tolerance only (1e-9, 1e-6 or 1e-3, or any other)")
  .option("--only <names>", "comma-separated problem names to run")
  .option("--skip <names>", "comma-separated problem names to leave out")
  .option("--relative", "solve with { eps: tol } (the relative rule) instead of epsAbs", false)
  .option("--max-iter <n>", "iteration cap (default: the solver's default)")
  .option("--no-structure", "solve with { structure: false }")
  .option("--out <file>", "results JSON", "bench/maros/results.json")
  .option("--report <file>", "Markdown page generated from the results", "bench/MAROS.md")
  .parse()
  .opts<CliOptions>();

const names = (list: string | undefined) =>
  list === undefined ? [] : list.split(",").map((name) => name.trim().toUpperCase());
const all = listMarosProblems();
const only = names(options.only);
const skip = names(options.skip);
const unknown = [...only, ...skip].filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`unknown problem(s): ${unknown.join(", ")}`);
  process.exit(2);
}
const selected = all.filter(
  (name) => (only.length === 0 || only.includes(name)) && !skip.includes(name),
);
const tolerances = options.tol === undefined ? [...TOLERANCES] : [Number(options.tol)];
if (tolerances.some((t) => !(t > 0))) {
  console.error(`--tol must be a positive number, got ${options.tol}`);
  process.exit(2);
}
const maxIter = options.maxIter === undefined ? undefined : Number(options.maxIter);
if (maxIter !== undefined && !(Number.isInteger(maxIter) && maxIter >= 0)) {
  console.error(`--max-iter must be a nonnegative integer, got ${options.maxIter}`);
  process.exit(2);
}
const mode: ToleranceMode = options.relative ? "relative" : "absolute";

const results: MarosResults = {
  machine: {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    commit: currentCommit(),
  },
  command: [
    "npm run bench:maros",
    ...(process.argv.length > 2 ? ["--"] : []),
    ...process.argv.slice(2),
  ].join(" "),
  mode,
  options: tolerances.map((t) => ({ ...solverOptions(mode, t, maxIter, options.structure) })),
  maxIter: maxIter ?? null,
  tolerances,
  skipped: all.filter((name) => !selected.includes(name)),
  problems: [],
  wallSeconds: 0,
};

const start = performance.now();
const writeResults = async () => {
  results.wallSeconds = (performance.now() - start) / 1000;
  const text = JSON.stringify(results);
  writeFileSync(options.out, await prettier.format(text, { parser: "json", printWidth: 100 }));
};

for (const [index, name] of selected.entries()) {
  const problem = loadMarosProblem(name);
  const { n, m, p } = problem.qp;
  const entry: MarosProblemResult = { name, n, m, p, runs: [] };
  const parts: string[] = [];
  for (const tolerance of tolerances) {
    const run = runMaros(
      problem,
      tolerance,
      solverOptions(mode, tolerance, maxIter, options.structure),
    );
    entry.runs.push(storedRun(run));
    parts.push(progressPart(run));
  }
  results.problems.push(entry);
  console.error(
    `[${index + 1}/${selected.length}] ${name} (n ${n}, m ${m}, p ${p}): ${parts.join(" | ")}`,
  );
  // Written after every problem, so an interrupted run still leaves what it measured.
  await writeResults();
}
await writeResults();
const page = await formattedReport(results);
writeFileSync(options.report, page);
console.log(page);
console.error(`results: ${options.out}; report: ${options.report}`);

function progressPart(run: MarosRun): string {
  const verdict = run.success ? "pass" : run.wrongSolved ? "WRONG solved" : `fail ${run.status}`;
  const slow = run.seconds > SLOW_SECONDS ? " SLOW" : "";
  return `${run.tolerance.toExponential()} ${verdict}, ${run.iterations} it, ${run.seconds.toFixed(3)} s${slow}`;
}

function currentCommit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}
