import type { Highs, ModelData } from "highs";
import { canonicalObjective, type DenseQP } from "./dense-qp.js";

let loading: Promise<Highs> | undefined;

function loadHighs(): Promise<Highs> {
  // Node resolves the package to its ES module, whose default export is the loader.
  loading ??= import("highs").then((module) =>
    (module.default as unknown as () => Promise<Highs>)(),
  );
  return loading;
}

export interface HighsResult {
  status: "solved" | "infeasible" | "unbounded" | "other";
  z: Float64Array;
  /** 1/2 z'Qz + q'z at highs's z. */
  objective: number;
}

/** Solves the dense QP with the `highs` package (sparse rows, lower triangle of Q). */
export async function solveWithHighs(qp: DenseQP): Promise<HighsResult> {
  const highs = await loadHighs();
  const { n, m, p } = qp;
  const starts = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const addRow = (matrix: Float64Array, i: number) => {
    for (let j = 0; j < n; j++) {
      if (matrix[i * n + j] !== 0) {
        indices.push(j);
        values.push(matrix[i * n + j]);
      }
    }
    starts.push(indices.length);
  };
  for (let i = 0; i < m; i++) addRow(qp.A, i);
  for (let i = 0; i < p; i++) addRow(qp.G, i);
  const hStarts = [0];
  const hIndices: number[] = [];
  const hValues: number[] = [];
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      const value = 0.5 * (qp.Q[i * n + j] + qp.Q[j * n + i]);
      if (value !== 0) {
        hIndices.push(i);
        hValues.push(value);
      }
    }
    hStarts.push(hIndices.length);
  }
  const inf = highs.infinity;
  const model: ModelData = {
    numCols: n,
    numRows: m + p,
    colCost: Float64Array.from(qp.q),
    colLower: new Float64Array(n).fill(-inf),
    colUpper: new Float64Array(n).fill(inf),
    rowLower: Float64Array.from([...qp.b, ...new Array<number>(p).fill(-inf)]),
    rowUpper: Float64Array.from([...qp.b, ...qp.h]),
    matrix: {
      format: "csr",
      numRows: m + p,
      numCols: n,
      starts: Int32Array.from(starts),
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
    ...(hValues.length > 0
      ? {
          hessian: {
            format: "triangular" as const,
            dimension: n,
            starts: Int32Array.from(hStarts),
            indices: Int32Array.from(hIndices),
            values: Float64Array.from(hValues),
          },
        }
      : {}),
  };
  const result = hValues.length > 0 ? highs.raw.qpCall(model) : highs.raw.lpCall(model);
  if (result.status === -1)
    return { status: "other", z: new Float64Array(n).fill(NaN), objective: NaN };
  const names = highs.constants.modelStatus as Readonly<Record<string, number>>;
  const name =
    Object.entries(names).find(([, code]) => code === result.value.modelStatus)?.[0] ?? "";
  const status =
    name === "optimal"
      ? "solved"
      : name === "infeasible"
        ? "infeasible"
        : name === "unbounded"
          ? "unbounded"
          : "other";
  const z = Float64Array.from(result.value.solution.colValue);
  return { status, z, objective: canonicalObjective(qp, z) };
}
