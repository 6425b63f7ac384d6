import { isNode } from "../../platform/node-builtin.js";
import { nodeThreads } from "./node-thread.js";
import { singleThread, type SolverThread, type ThreadHost } from "./thread-host.js";

let host: ThreadHost | undefined;
let pool: SolverThread[] = [];

/** Sets how solver threads are run (Node: worker_threads; elsewhere: none by default). */
export function setThreadHost(threads: ThreadHost): void {
  host = threads;
}

export function threadHost(): ThreadHost {
  host ??= isNode() ? nodeThreads : singleThread;
  return host;
}

/** `count` live solver threads, started on first need and kept for reuse. */
export function solverWorkers(count: number): SolverThread[] {
  pool = pool.filter((w) => !w.closed);
  const start = threadHost().start;
  while (pool.length < count) {
    if (start === undefined) throw new Error("this environment runs no solver threads");
    pool.push(start());
  }
  return pool.slice(0, count);
}

/**
 * Of `count` solver threads (those missing are started now, and kept), how many have started:
 * a solve that may choose its threads takes only those, and the first such solve of a process
 * runs on the calling thread while the others start, instead of waiting for them.
 */
export function startedWorkers(count: number): number {
  const threads = solverWorkers(count);
  const waiting = threads.findIndex((w) => !w.started);
  return waiting === -1 ? threads.length : waiting;
}

/** Stops every solver worker; a later parallel solve starts new ones. */
export async function closeWorkers(): Promise<void> {
  const all = pool;
  pool = [];
  await Promise.all(all.map((w) => w.close()));
}
