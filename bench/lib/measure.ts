/** Wall time, CPU time and memory of one call, and summaries of repeated measurements. */

import { performance } from "node:perf_hooks";

export interface Sample {
  wallMs: number;
  /** user + system CPU time of the whole process, worker threads included */
  cpuMs: number;
}

export interface Measured<T> extends Sample {
  value: T;
  /** growth of JS heap + ArrayBuffer memory across the call while its result is still held */
  retainedBytes: number;
}

export function measure<T>(call: () => T): Measured<T> {
  const memoryBefore = process.memoryUsage();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const value = call();
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const memoryAfter = process.memoryUsage();
  const retainedBytes =
    memoryAfter.heapUsed +
    memoryAfter.arrayBuffers -
    (memoryBefore.heapUsed + memoryBefore.arrayBuffers);
  return { value, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, retainedBytes };
}

/**
 * A full garbage collection between methods (where `npm run bench` exposes it: node --expose-gc),
 * so that the garbage one method or setting leaves (hundreds of MB at n = 500) is not collected
 * in the middle of the next one's timed calls: a method's own garbage still falls in its own.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Peak resident set size of this process so far (monotonic over the run). */
export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export interface Summary {
  median: number;
  min: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle]);
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}
