import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { waitForSignal } from "../../src/runtime/workers/signal.js";

/**
 * A thread that wakes the flag's waiters every 2 ms for `staleMs` without setting it (the notify
 * of an earlier reply arriving late), then sets it and wakes them once more.
 */
function notifier(signal: Int32Array, staleMs: number): Worker {
  return new Worker(
    `
    const { workerData } = require("node:worker_threads");
    const { signal, staleMs } = workerData;
    const start = Date.now();
    while (Date.now() - start < staleMs) {
      Atomics.notify(signal, 0);
      const t = Date.now();
      while (Date.now() - t < 2) {}
    }
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
    `,
    { eval: true, workerData: { signal, staleMs } },
  );
}

describe("the reply signal of a solver worker", () => {
  it("ends the wait when the flag is set, not at a wake-up that left it clear", async () => {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const worker = notifier(signal, 300);
    const done = new Promise((resolve) => worker.once("exit", resolve));
    // Blocks this thread while the notifier's stale wake-ups arrive: each one must be ignored.
    expect(waitForSignal(signal, 10_000)).toBe(true);
    expect(Atomics.load(signal, 0)).toBe(1);
    await done;
  });

  it("gives up after the timeout when the flag stays clear", () => {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const start = performance.now();
    expect(waitForSignal(signal, 30)).toBe(false);
    expect(performance.now() - start).toBeGreaterThanOrEqual(29);
  });
});
