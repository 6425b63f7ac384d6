import type { Layer, LayerOutput, NumericValue } from "../../../src/runtime/index.js";
import { seededRandom } from "./random.js";

type Params = Record<string, NumericValue>;

/** Tight solves: central differences with step 1e-6 amplify an error e in z* to e / 1e-6. */
export const TIGHT = { eps: 1e-11, maxIter: 200, workers: false } as const;
const STEP = 1e-6;

/** Σ over members and output variables of ⟨w, z⟩. */
export function weightedSum(out: LayerOutput, weights: Record<string, number[]>): number[] {
  return Array.from({ length: out.batch }, (_, b) => {
    let total = 0;
    for (const [name, w] of Object.entries(weights)) {
      const z = [out.variables[name][b]].flat(2) as number[];
      total += z.reduce((s, v, i) => s + v * w[i], 0);
    }
    return total;
  });
}

/** One entry (or, for a symmetric psd matrix, a symmetric pair of entries) to perturb. */
export interface Probe {
  parameter: string;
  /** Flat indices moved together by the step. */
  indices: number[];
}

/** Up to `limit` probes per parameter (all entries of a small parameter), seeded. */
export function probes(layer: Layer, limit: number, seed: number): Probe[] {
  const rand = seededRandom(seed);
  const all: Probe[] = [];
  for (const p of layer.canonical.parameters) {
    const candidates: number[][] = [];
    if (p.psd) {
      const k = p.shape[0];
      for (let i = 0; i < k; i++)
        for (let j = 0; j <= i; j++)
          candidates.push(i === j ? [i * k + i] : [i * k + j, j * k + i]);
    } else {
      for (let i = 0; i < p.size; i++) candidates.push([i]);
    }
    while (candidates.length > limit) candidates.splice(Math.floor(rand() * candidates.length), 1);
    for (const indices of candidates) all.push({ parameter: p.name, indices });
  }
  return all;
}

/**
 * Central differences of Σ⟨w, z*⟩ along every probe, all in one batched solve: members 2k and
 * 2k+1 hold θ ± step along probe k.
 */
export function finiteDifferences(
  layer: Layer,
  params: Params,
  weights: Record<string, number[]>,
  list: readonly Probe[],
): number[] {
  const members = 2 * list.length;
  const batched: Record<string, Float64Array> = {};
  for (const p of layer.canonical.parameters) {
    const base = [params[p.name]].flat(3) as number[];
    const data = new Float64Array(members * p.size);
    for (let b = 0; b < members; b++) data.set(base, b * p.size);
    batched[p.name] = data;
  }
  list.forEach((probe, k) => {
    const size = layer.canonical.parameters.find((p) => p.name === probe.parameter)!.size;
    for (const i of probe.indices) {
      batched[probe.parameter][2 * k * size + i] += STEP;
      batched[probe.parameter][(2 * k + 1) * size + i] -= STEP;
    }
  });
  const out = layer.solve(batched, TIGHT);
  if (out.status.some((s) => s !== "solved"))
    throw new Error(`finite differences: ${out.status.join()}`);
  const values = weightedSum(out, weights);
  return list.map((_, k) => (values[2 * k] - values[2 * k + 1]) / (2 * STEP));
}

/** The analytic directional derivative along a probe, from a gradient of the parameter. */
export function along(gradient: unknown, probe: Probe): number {
  const flat = [gradient].flat(3) as number[];
  return probe.indices.reduce((s, i) => s + flat[i], 0);
}
