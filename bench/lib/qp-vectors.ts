/**
 * The qp-vectors fixture (test/fixtures/qp-vectors.json): small QPs with cvxopt solutions, duals
 * and finite-difference gradients, read by the reference checks here and by the solver tests.
 */

import { readFileSync } from "node:fs";
import type { DenseProblem } from "./generator.js";

export type QPOperandName = "Q" | "q" | "A" | "b" | "G" | "h";

/** One case as stored: matrices as nested rows; the solution fields are absent when unsolvable. */
export interface QPVectorCase {
  name: string;
  Q: number[][];
  q: number[];
  A: number[][];
  b: number[];
  G: number[][];
  h: number[];
  z?: number[];
  lam?: number[];
  nu?: number[];
  objective?: number;
  tolerance?: number;
  /** present only for cases without a solution ("infeasible", ...) */
  status?: string;
  w?: number[];
  grad_of_w_dot_z?: Partial<Record<QPOperandName, number[] | number[][]>>;
}

export function loadQPVectors(): QPVectorCase[] {
  const url = new URL("../../test/fixtures/qp-vectors.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { cases: QPVectorCase[] }).cases;
}

/** A case's matrices flattened row-major, as the generator's problems are. */
export function qpVectorProblem(c: QPVectorCase): DenseProblem {
  const flat = (a: number[] | number[][]) => new Float64Array(a.flat());
  return {
    n: c.q.length,
    m: c.b.length,
    p: c.h.length,
    Q: flat(c.Q),
    q: flat(c.q),
    A: flat(c.A),
    b: flat(c.b),
    G: flat(c.G),
    h: flat(c.h),
  };
}
