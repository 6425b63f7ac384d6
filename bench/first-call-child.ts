/**
 * One case of the first-call section (bench/first-call.ts), in a fresh process: imports optnet,
 * compiles, times the first `layer.solve` and then the steady state, and prints them as JSON.
 */
// First: relaxed SIMD on, as in the parent bench (lib/relaxed-simd.ts).
import "./lib/relaxed-simd.js";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { randomParameters } from "../web/parameters.js";
import { benchmarkProgram } from "./lib/layer.js";
import { randomProblems, stackBatch } from "./lib/generator.js";
import type { FirstCallCase, FirstCallTimes } from "./first-call.js";

const STEADY_CALLS = 15;

const spec = JSON.parse(process.argv[2]) as FirstCallCase;
const started = performance.now();
const optnet = await import("../src/index.js");
const imported = performance.now();
const layer =
  spec.kind === "example"
    ? optnet.compile(readFileSync(new URL(`../examples/${spec.name}.qp`, import.meta.url), "utf8"))
    : optnet.compile(benchmarkProgram, { dims: { n: spec.n, p: spec.n } });
const compiled = performance.now();

let params: Record<string, unknown>;
if (spec.kind === "example") {
  params = randomParameters(layer, 1);
} else {
  const stacked = stackBatch(randomProblems(spec.batch, spec.n, spec.n, 1));
  params = { Q: stacked.Q.data, q: stacked.q.data, G: stacked.G.data, h: stacked.h.data };
}

const time = (call: () => unknown) => {
  const start = performance.now();
  call();
  return performance.now() - start;
};
const firstMs = time(() => layer.solve(params as never));
const steady = Array.from({ length: STEADY_CALLS }, () => time(() => layer.solve(params as never)));
steady.sort((a, b) => a - b);
const times: FirstCallTimes = {
  importMs: imported - started,
  compileMs: compiled - imported,
  firstMs,
  steadyMs: steady[Math.floor(steady.length / 2)],
};
console.log(JSON.stringify(times));
await optnet.closeWorkers();
