import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { gunzipSync } from "node:zlib";

export const pixels = 64;
export const classes = 10;

export const defaultDigitsPath = resolve(import.meta.dirname, "../../../data/digits.csv.gz");

/** Images scaled to [0, 1], row-major (count × 64), and their labels 0–9. */
export interface DigitSet {
  count: number;
  images: Float32Array;
  labels: Int32Array;
}

/** Reads the gzipped CSV (64 pixel values 0..16, then the label, per line). */
export function loadDigits(path = defaultDigitsPath): DigitSet {
  const lines = gunzipSync(readFileSync(path))
    .toString("utf8")
    .split("\n")
    .filter((line) => line.trim() !== "");
  const images = new Float32Array(lines.length * pixels);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const values = line.split(",").map(Number);
    if (values.length !== pixels + 1 || values.some((v) => !Number.isFinite(v))) {
      throw new Error(`${path}: line ${i + 1} does not hold 64 pixels and a label`);
    }
    for (let k = 0; k < pixels; k++) images[i * pixels + k] = (values[k] ?? 0) / 16;
    labels[i] = values[pixels] ?? -1;
  });
  return { count: lines.length, images, labels };
}

/** One-hot rows (count × 10) of the chosen labels. */
export function oneHotLabels(labels: Int32Array, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * classes);
  rows.forEach((row, i) => {
    out[i * classes + (labels[row] ?? 0)] = 1;
  });
  return out;
}
