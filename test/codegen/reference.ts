/** Independent references for codegen tests: applying an AffineMap, random maps, loading modules. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AffineMap, CanonicalQP } from "../../src/canon/index.js";
import { MapBuilder, simplexCanon } from "./handBuilt.js";

export const MAP_NAMES = ["Q", "q", "A", "b", "G", "h"] as const;
export type MapName = (typeof MAP_NAMES)[number];
export type QPData = Record<MapName, Float64Array>;

/** The interface every emitted module exports. */
export interface EmittedModule {
  n: number;
  m: number;
  p: number;
  parameterSize: number;
  parameters: readonly { name: string; shape: readonly number[]; size: number; offset: number }[];
  variables: readonly {
    name: string;
    shape: readonly number[];
    size: number;
    column: number;
    output: boolean;
  }[];
  buildQP(theta: Float64Array, batch: number): QPData;
  gradTheta(
    dQ: Float64Array,
    dq: Float64Array,
    dA: Float64Array,
    db: Float64Array,
    dG: Float64Array,
    dh: Float64Array,
    batch: number,
  ): Float64Array;
}

/** X = constant + Σ coef·θ[param], entry by entry in the order the map lists them. */
export function applyMap(map: AffineMap, theta: Float64Array, thetaOffset = 0): Float64Array {
  const out = new Float64Array(map.rows * map.cols);
  map.constant.index.forEach((index, k) => {
    out[index]! += map.constant.value[k]!;
  });
  map.terms.index.forEach((index, k) => {
    out[index]! += map.terms.coef[k]! * theta[thetaOffset + map.terms.param[k]!]!;
  });
  return out;
}

/** A small deterministic generator (mulberry32), so failures reproduce. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomVector(random: () => number, length: number): Float64Array {
  return Float64Array.from({ length }, () => 2 * random() - 1);
}

function randomMap(
  random: () => number,
  rows: number,
  cols: number,
  parameterSize: number,
): AffineMap {
  const map = new MapBuilder(rows, cols);
  const cells = rows * cols;
  if (cells === 0) return map.build();
  const draw = (bound: number) => Math.floor(random() * bound);
  const entries = draw(2 * cells + 1);
  for (let k = 0; k < entries; k++) {
    // Repeated cells are drawn on purpose: entries must add up.
    const cell = draw(cells);
    const value = Math.round((4 * random() - 2) * 1e6) / 1e6 + 1e-9 * random();
    if (parameterSize > 0 && random() < 0.5) {
      map.term(Math.floor(cell / cols), cell % cols, draw(parameterSize), value);
    } else {
      map.constant(Math.floor(cell / cols), cell % cols, value);
    }
  }
  return map.build();
}

/**
 * A CanonicalQP with random sizes and random sparse maps (repeated entries, empty A or G
 * possible); provenance is borrowed from the simplex program since only the maps matter here.
 */
export function randomCanon(seed: number): CanonicalQP {
  const random = seededRandom(seed);
  const base = simplexCanon();
  const n = 1 + Math.floor(random() * 5);
  const m = Math.floor(random() * 3);
  const p = Math.floor(random() * 5);
  const sizes = [1 + Math.floor(random() * 4), 1 + Math.floor(random() * 3)];
  const parameterSize = sizes[0]! + sizes[1]!;
  const template = base.parameters[0]!;
  const blocks = (rows: number, text: string) =>
    rows === 0
      ? []
      : [
          { ...base.inequalityRows[0]!, start: 0, count: Math.ceil(rows / 2), text },
          ...(rows > 1
            ? [
                {
                  ...base.inequalityRows[0]!,
                  start: Math.ceil(rows / 2),
                  count: Math.floor(rows / 2),
                  text: text + "'",
                },
              ]
            : []),
        ];
  return {
    ...base,
    file: `random-${seed}.qp`,
    n,
    m,
    p,
    parameters: [
      { ...template, name: "u", shape: [sizes[0]!], size: sizes[0]!, offset: 0 },
      { ...template, name: "w", shape: [sizes[1]!], size: sizes[1]!, offset: sizes[0]! },
    ],
    parameterSize,
    variables: [{ ...base.variables[0]!, shape: [n], size: n }],
    Q: randomMap(random, n, n, parameterSize),
    q: randomMap(random, n, 1, parameterSize),
    A: randomMap(random, m, n, parameterSize),
    b: randomMap(random, m, 1, parameterSize),
    G: randomMap(random, p, n, parameterSize),
    h: randomMap(random, p, 1, parameterSize),
    equalityRows: blocks(m, "equality block"),
    inequalityRows: blocks(p, "inequality block"),
  };
}

let moduleCounter = 0;
const moduleDir = mkdtempSync(join(tmpdir(), "optnet-codegen-"));

/** Writes TypeScript source to a temporary .ts file and imports it (vitest compiles it). */
export async function importModule<T>(source: string): Promise<T> {
  const file = join(moduleDir, `module-${process.pid}-${moduleCounter++}.ts`);
  writeFileSync(file, source);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as T;
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
