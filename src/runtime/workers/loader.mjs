// Starts the TypeScript solver worker when running from sources (vitest, tsx): Node 20 cannot
// start a .ts worker, so register tsx in this thread first. From dist/ the built .js worker is
// started directly and this file is not used.
import { workerData } from "node:worker_threads";

try {
  const { register } = await import("tsx/esm/api");
  register();
  await import(workerData.entry);
} catch (error) {
  workerData.port.postMessage({
    type: "error",
    message: `solver worker failed to start: ${error}`,
  });
  Atomics.store(workerData.signal, 0, 1);
  Atomics.notify(workerData.signal, 0);
}
