import cliProgress from "cli-progress";

/** A progress bar that also works when stderr is not a terminal (CI logs, pipes). */
export interface Progress {
  /** advance by one step and show the latest metrics */
  tick(metrics?: Record<string, string>): void;
  stop(): void;
}

const silent: Progress = { tick() {}, stop() {} };

export function startProgress(label: string, total: number, enabled: boolean): Progress {
  if (!enabled || total <= 0) return silent;
  const bar = new cliProgress.SingleBar({
    format: `${label.padEnd(29)} [{bar}] {value}/{total} | {duration_formatted} | ETA {eta_formatted} | {info}`,
    barsize: 24,
    stream: process.stderr,
    // without a terminal, print a line every few seconds instead of redrawing in place
    noTTYOutput: true,
    notTTYSchedule: 5000,
    hideCursor: false,
    etaBuffer: 20,
  });
  bar.start(total, 0, { info: "" });
  // Training blocks the event loop, so cli-progress's own timer never fires: without a
  // terminal, print a line ourselves every few seconds.
  const lineEveryMs = 5000;
  const terminal = Boolean((process.stderr as { isTTY?: boolean }).isTTY);
  let lastLine = Date.now();
  return {
    tick(metrics) {
      const info = metrics
        ? Object.entries(metrics)
            .map(([k, v]) => `${k} ${v}`)
            .join(" ")
        : "";
      bar.increment(1, { info });
      if (!terminal && Date.now() - lastLine >= lineEveryMs) {
        lastLine = Date.now();
        bar.render();
      }
    },
    stop() {
      bar.stop();
    },
  };
}
