/**
 * The public path a user takes: the benchmark problem written in the QP language, compiled into a
 * `Layer`, solved with `layer.solve` (worker threads by default for a large batch) and
 * differentiated with `layer.vjp`. Looked up at run time, like our solver, so the rest of the
 * benchmark runs when the runtime is missing or broken.
 */

import type { Layer, LayerOutput } from "../../src/index.js";

/** The OptNet benchmark problem, every operand a parameter. */
export const benchmarkProgram = `
dim n = 100
dim p = 100
parameter Q[n, n] psd
parameter q[n]
parameter G[p, n]
parameter h[p]
variable z[n]
minimize 1/2 quad_form(z, Q) + q'z
subject to
  G z <= h
`;

export interface LayerPath {
  compile(n: number, p: number): Layer;
  /** compiles any program of the language, `dims` overriding its sizes */
  compileText(source: string, dims?: Record<string, number>): Layer;
  close(): Promise<void>;
}

export async function loadLayerPath(): Promise<LayerPath | string> {
  try {
    const optnet = await import("../../src/index.js");
    return {
      compile: (n, p) => optnet.compile(benchmarkProgram, { dims: { n, p } }),
      compileText: (source, dims) => optnet.compile(source, dims ? { dims } : {}),
      close: () => optnet.closeWorkers(),
    };
  } catch (error) {
    return `src/index.ts failed to load: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** z of member k of a layer output, whichever form (nested rows or flat) the layer returns. */
export function memberZ(out: LayerOutput, k: number, n: number): Float64Array {
  const z = out.variables.z as unknown;
  if (z instanceof Float64Array) return z.subarray(k * n, (k + 1) * n);
  if (Array.isArray(z)) return Float64Array.from(z[k] as number[]);
  throw new Error("unexpected form of the layer's output z");
}
