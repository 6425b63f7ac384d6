/**
 * The relaxed-SIMD build of the kernels (each dot product's multiply-add fused), which the loader
 * takes where the engine validates relaxed SIMD. Node 20 has it only behind
 * --experimental-wasm-relaxed-simd, so a child Node started with that flag solves and runs the
 * kernels on it (relaxed-child.ts), and this process does the same on the plain build.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { solveBatch, typescriptKernels } from "../../../src/solver/index.js";
import {
  createWasmKernelsSync,
  hasRelaxedSimd,
  loadKernelModuleSync,
} from "../../../src/solver/wasm/index.js";
import { kernelDifferences, relaxedTestBatches } from "./relaxed-problems.js";
import { relativeError } from "./reference.js";

interface ChildResult {
  relaxed: boolean;
  solutions: { kernels: string; status: string[]; iterations: number[]; z: number[] }[];
  kernelErrors: Record<string, number>;
}

function runChild(): ChildResult {
  const script = fileURLToPath(new URL("./relaxed-child.ts", import.meta.url));
  // An engine that has relaxed SIMD by default may no longer know the flag; one that has it from
  // the flag (this process started with it) needs it for the child too.
  const flag = "--experimental-wasm-relaxed-simd";
  const flags = hasRelaxedSimd() && !process.execArgv.includes(flag) ? [] : [flag];
  const child = spawnSync(process.execPath, [...flags, "--import", "tsx", script], {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (child.status !== 0) throw new Error(`the child failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as ChildResult;
}

/** The plain build, on an ordinary memory large enough never to grow. */
function plainKernels() {
  return createWasmKernelsSync({
    shared: false,
    initialBytes: 64 * 2 ** 20,
    module: loadKernelModuleSync("plain"),
  });
}

describe("the relaxed-SIMD kernels", () => {
  const child = runChild();

  it("are the ones an engine with relaxed SIMD loads by default", () => {
    expect(child.relaxed).toBe(true);
    for (const solution of child.solutions) expect(solution.kernels).toBe("wasm-relaxed-simd");
    expect(plainKernels().name).toBe("wasm-simd");
  });

  it("agree with the TypeScript kernels to rounding, as the plain build does", () => {
    const plain = kernelDifferences(plainKernels(), typescriptKernels);
    for (const [kernel, error] of Object.entries(child.kernelErrors)) {
      expect(error, kernel).toBeLessThan(1e-12);
      expect(plain[kernel], kernel).toBeLessThan(1e-12);
    }
  });

  it("solve the paper's problems as the plain build does: same statuses, iterations within one, z to 1e-7", () => {
    relaxedTestBatches().forEach((batch, b) => {
      const plain = solveBatch(batch, { kernels: plainKernels() });
      const relaxed = child.solutions[b];
      expect(relaxed.status).toEqual(plain.status);
      expect(plain.status.every((status) => status === "solved")).toBe(true);
      relaxed.iterations.forEach((iterations, k) => {
        expect(Math.abs(iterations - plain.iterations[k])).toBeLessThanOrEqual(1);
      });
      expect(relativeError(relaxed.z, plain.z)).toBeLessThan(1e-7);
    });
  });
});
