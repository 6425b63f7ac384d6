import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import { nodeThreads } from "../../src/runtime/workers/node-thread.js";
import {
  closeWorkers,
  setThreadHost,
  solverWorkers,
  startedWorkers,
} from "../../src/runtime/workers/pool.js";
import type { SolverThread } from "../../src/runtime/workers/thread-host.js";

/**
 * Starting worker threads takes hundreds of milliseconds; the first solve of a process that
 * would split its batch does not wait for them: it starts them, solves on the calling thread,
 * and later solves take the threads once they run.
 */
describe("solver threads started in the background", () => {
  afterAll(() => closeWorkers());

  it("counts a thread only once it has started, and keeps it", async () => {
    await closeWorkers();
    expect(startedWorkers(1)).toBe(0);
    const [thread] = solverWorkers(1);
    const deadline = Date.now() + 30_000;
    while (startedWorkers(1) === 0 && Date.now() < deadline) await sleep(20);
    expect(startedWorkers(1)).toBe(1);
    expect(solverWorkers(1)[0]).toBe(thread);
  });

  it("does not wait for a thread that is still starting, unless workers were asked for", async () => {
    await closeWorkers();
    // Threads that never finish starting, and must not be handed work.
    const starting: SolverThread = {
      closed: false,
      started: false,
      staging: (length) => new Float64Array(length),
      post: () => {
        throw new Error("a request was posted to a thread that has not started");
      },
      wait: () => {
        throw new Error("a thread that has not started was waited for");
      },
      close: async () => {},
    };
    setThreadHost({ parallelism: () => 4, start: () => starting, waitsForStart: true });
    try {
      const layer = compile(
        "dim n = 12; parameter x[n]; variable z[n]\nminimize ||z - x||^2 s.t. z >= 0, 1'z = 1",
      );
      const x = Array.from({ length: 128 }, (_, b) =>
        Array.from({ length: 12 }, (_, i) => Math.sin(b + 3 * i)),
      );
      const first = layer.solve({ x });
      expect(solverWorkers(3)).toEqual([starting, starting, starting]);
      expect(first.variables).toEqual(layer.solve({ x }, { workers: false }).variables);
      expect(() => layer.solve({ x }, { workers: 1 })).toThrow(/has not started/);
      // A host whose threads may need the caller to start (a page's) is never waited on.
      setThreadHost({ parallelism: () => 4, start: () => starting, waitsForStart: false });
      expect(layer.solve({ x }, { workers: 1 }).variables).toEqual(first.variables);
    } finally {
      await closeWorkers();
      setThreadHost(nodeThreads);
    }
  });
});
