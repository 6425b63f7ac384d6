/**
 * The first call's cost: each case in a fresh Node process (bench/first-call-child.ts), the
 * first `layer.solve` against the median of the next 15, for the examples (one member, random
 * values that respect the parameters' attributes) and the paper's random QPs at n = 10 and
 * n = 100, batch 128 (split over worker threads by default). `npm run bench -- --only first-call`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatMs } from "./lib/report.js";

export type FirstCallCase =
  { kind: "example"; name: string } | { kind: "paper"; n: number; batch: number };

export interface FirstCallTimes {
  /** The import of optnet (src/index.ts, through tsx). */
  importMs: number;
  compileMs: number;
  firstMs: number;
  /** Median of the 15 solves after the first. */
  steadyMs: number;
}

export interface FirstCallResult {
  label: string;
  times: FirstCallTimes | string;
}

export function firstCallCases(): FirstCallCase[] {
  const examples = readdirSync(new URL("../examples/", import.meta.url))
    .filter((file) => file.endsWith(".qp"))
    .sort()
    .map((file): FirstCallCase => ({ kind: "example", name: file.replace(/\.qp$/, "") }));
  return [...examples, { kind: "paper", n: 10, batch: 128 }, { kind: "paper", n: 100, batch: 128 }];
}

function label(c: FirstCallCase): string {
  return c.kind === "example" ? `${c.name}.qp, batch 1` : `paper n = ${c.n}, batch ${c.batch}`;
}

const child = fileURLToPath(new URL("./first-call-child.ts", import.meta.url));

/** Runs every case in its own process, one after the other. */
export function runFirstCall(onCase: (label: string) => void = () => {}): FirstCallResult[] {
  return firstCallCases().map((c) => {
    onCase(label(c));
    const run = spawnSync(process.execPath, ["--import", "tsx", child, JSON.stringify(c)], {
      encoding: "utf8",
    });
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    if (run.status !== 0 || !line.startsWith("{")) {
      return { label: label(c), times: `failed: ${run.stderr.trim().split("\n").at(-1) ?? ""}` };
    }
    return { label: label(c), times: JSON.parse(line) as FirstCallTimes };
  });
}

export function firstCallTable(results: readonly FirstCallResult[]): string {
  const rows = results.map(({ label, times }) => {
    if (typeof times === "string") return `| ${label} | ${times} | | | | |`;
    const ratio = times.firstMs / times.steadyMs;
    return (
      `| ${label} | ${formatMs(times.firstMs)} | ${formatMs(times.steadyMs)} | ` +
      `${ratio.toFixed(1)}× | ${formatMs(times.compileMs)} | ${formatMs(times.importMs)} |`
    );
  });
  return [
    "| case | first solve | steady solve (median of 15) | first / steady | compile | import |",
    "|---|--:|--:|--:|--:|--:|",
    ...rows,
  ].join("\n");
}

// Run directly: `node --import tsx bench/first-call.ts`.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(firstCallTable(runFirstCall((what) => process.stderr.write(`${what}\n`))));
}
