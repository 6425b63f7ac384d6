import { nodeBuiltin } from "./node-builtin.js";

/** The part of node:os used here (declared, so the core compiles without Node's types). */
interface Os {
  totalmem(): number;
}

const GIB = 1024 ** 3;

/**
 * The machine's memory in bytes, the bound past which a batch is refused before it is solved.
 * Node knows it; a page knows at most `navigator.deviceMemory` (Chromium: GiB, rounded down to
 * a power of two and capped at 8), and elsewhere 4 GiB is assumed, which is also what one
 * wasm32 memory can address.
 */
export function machineMemoryBytes(): number {
  // asked once: every solve checks its batch against it, and Node's answer is a system call
  return (known ??= ask());
}

let known: number | undefined;

function ask(): number {
  const os = nodeBuiltin<Os>("node:os");
  if (os !== undefined) return os.totalmem();
  const reported = (globalThis as { navigator?: { deviceMemory?: number } }).navigator
    ?.deviceMemory;
  return typeof reported === "number" && reported > 0 ? reported * GIB : 4 * GIB;
}
