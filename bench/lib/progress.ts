/** A progress bar on stderr that also works when stderr is not a terminal (CI logs, pipes). */

import cliProgress from "cli-progress";

export interface Progress {
  /** Marks `units` of work done and names what runs next. */
  advance(units: number, nextTask?: string): void;
  stop(): void;
}

export function createProgress(totalUnits: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: "bench [{bar}] {percentage}% | {duration_formatted} | {task}",
      // Without a terminal, print a plain line every few seconds instead of nothing.
      noTTYOutput: true,
      notTTYSchedule: 10_000,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(totalUnits, 1), 0, { task: "starting" });
  return {
    advance(units, nextTask) {
      bar.increment(units, nextTask === undefined ? {} : { task: nextTask });
    },
    stop() {
      bar.stop();
    },
  };
}
