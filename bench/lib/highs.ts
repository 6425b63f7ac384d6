/**
 * The npm `highs` package (HiGHS compiled to WebAssembly) as a reference QP solver for
 * minimize 1/2 z'Qz + q'z  s.t.  Az = b,  Gz <= h,  z free.
 *
 * Uses `highs.raw.qpCall`, the package's fastest route (ANCHORS.md): constraints as a sparse
 * row-wise matrix, the Hessian as its lower triangle column by column.
 */

import type { Highs, ModelData } from "highs";
import { denseSizes, type DenseInput } from "./dense-input.js";
import type { ReferenceSolution } from "./quadprog.js";

let loading: Promise<Highs> | undefined;

/** The HiGHS runtime, loaded (and its WebAssembly compiled) once per process. */
export function loadHighs(): Promise<Highs> {
  // The package's types describe it as CommonJS, but Node resolves the import to its ES module,
  // whose default export is the loader.
  loading ??= import("highs").then((module) => (module.default as unknown as HighsLoader)());
  return loading;
}

type HighsLoader = () => Promise<Highs>;

export async function solveWithHighs(input: DenseInput): Promise<ReferenceSolution> {
  return solveWithLoadedHighs(await loadHighs(), input);
}

/** The synchronous solve once the runtime is loaded (what the benchmark times). */
export function solveWithLoadedHighs(highs: Highs, input: DenseInput): ReferenceSolution {
  const { n, m, p } = denseSizes(input);
  const { Q, q, G, h, A, b } = input;
  const rows = m + p;
  const infinity = highs.infinity;

  // Dense rows stored sparsely, skipping exact zeros: equalities first, then inequalities.
  const starts = new Int32Array(rows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  const rowLower = new Float64Array(rows);
  const rowUpper = new Float64Array(rows);
  const addRow = (matrix: ArrayLike<number>, i: number) => {
    for (let j = 0; j < n; j++) {
      const value = matrix[i * n + j];
      if (value !== 0) {
        indices.push(j);
        values.push(value);
      }
    }
  };
  for (let i = 0; i < m; i++) {
    addRow(A!, i);
    rowLower[i] = b![i];
    rowUpper[i] = b![i];
    starts[i + 1] = indices.length;
  }
  for (let i = 0; i < p; i++) {
    addRow(G, i);
    rowLower[m + i] = -infinity;
    rowUpper[m + i] = h[i];
    starts[m + i + 1] = indices.length;
  }

  const hessianStarts = new Int32Array(n + 1);
  const hessianIndices: number[] = [];
  const hessianValues: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      // Symmetrize, so a slightly asymmetric Q means the same objective as for the other solvers.
      const value = 0.5 * (Q[i * n + j] + Q[j * n + i]);
      if (value !== 0) {
        hessianIndices.push(i);
        hessianValues.push(value);
      }
    }
    hessianStarts[j + 1] = hessianIndices.length;
  }

  const model: ModelData = {
    numCols: n,
    numRows: rows,
    colCost: Float64Array.from(q),
    colLower: new Float64Array(n).fill(-infinity),
    colUpper: new Float64Array(n).fill(infinity),
    rowLower,
    rowUpper,
    matrix: {
      format: "csr",
      numRows: rows,
      numCols: n,
      starts,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
    hessian: {
      format: "triangular",
      dimension: n,
      starts: hessianStarts,
      indices: Int32Array.from(hessianIndices),
      values: Float64Array.from(hessianValues),
    },
  };

  const result = highs.raw.qpCall(model);
  if (result.status === -1) return { z: new Float64Array(n).fill(Number.NaN), status: "error" };
  const status = modelStatusName(highs, result.value.modelStatus);
  return { z: Float64Array.from(result.value.solution.colValue), status };
}

function modelStatusName(highs: Highs, code: number): string {
  const names = highs.constants.modelStatus as Readonly<Record<string, number>>;
  for (const [name, value] of Object.entries(names))
    if (value === code) {
      return name === "optimal" ? "solved" : name;
    }
  return `status ${code}`;
}
