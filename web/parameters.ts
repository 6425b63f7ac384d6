import type { Layer } from "../src/index.js";

/** A seeded generator (xorshift32) of standard normal numbers (Box–Muller). */
function normals(seed: number): () => number {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function nest(data: number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return data[0];
  if (shape.length === 1) return data;
  const cols = shape[1];
  return Array.from({ length: shape[0] }, (_, r) => data.slice(r * cols, (r + 1) * cols));
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/**
 * Random values of every parameter's declared shape that respect its attributes: `nonneg` and
 * `nonpos` signs, and `psd` (B B'/k + I/10) or `symmetric` matrices, so the solve is accepted.
 */
export function randomParameters(layer: Layer, seed: number): Record<string, unknown> {
  const next = normals(seed);
  const values: Record<string, unknown> = {};
  for (const p of layer.canonical.parameters) {
    const size = p.shape.reduce((a, b) => a * b, 1);
    let data = Array.from({ length: size }, next);
    if (p.nonneg) data = data.map(Math.abs);
    if (p.nonpos) data = data.map((v) => -Math.abs(v));
    if (p.psd || p.symmetric) {
      const k = p.shape[0];
      const b = data;
      data = Array.from({ length: k * k }, (_, i) => {
        const [r, c] = [Math.floor(i / k), i % k];
        if (!p.psd) return (b[r * k + c] + b[c * k + r]) / 2;
        let dot = 0;
        for (let j = 0; j < k; j++) dot += b[r * k + j] * b[c * k + j];
        return dot / k + (r === c ? 0.1 : 0);
      });
    }
    values[p.name] = nest(data.map(round), p.shape);
  }
  return values;
}

/**
 * Values that show what an example is for, where random ones would not: for total variation
 * denoising, a signal of three steps with noise, which the layer turns back into steps.
 */
export function exampleParameters(example: string, layer: Layer): Record<string, unknown> | null {
  if (example !== "tv-denoise") return null;
  const n = layer.parameters.find((p) => p.name === "x")?.shape[0];
  if (n === undefined) return null;
  const next = normals(7);
  const x = Array.from({ length: n }, (_, i) => {
    const level = i < n / 3 ? 0 : i < (2 * n) / 3 ? 2 : 1;
    return round(level + 0.3 * next());
  });
  return { x, lam: 1 };
}
