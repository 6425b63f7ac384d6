/**
 * The npm `quadprog` package (Goldfarb–Idnani dual active set, a port of R's quadprog) as a
 * reference solver for  minimize 1/2 z'Qz + q'z  s.t.  Az = b,  Gz <= h.
 *
 * quadprog minimizes 1/2 x'Dx − d'x s.t. Amat'x ≥ bvec with the first `meq` rows equalities, on
 * 1-based nested arrays, and overwrites D and d; so every call builds fresh arrays (that copy is
 * part of what a user of the package pays, and is timed with it).
 */

import { createRequire } from "node:module";
import { denseSizes, type DenseInput } from "./dense-input.js";

interface QuadprogResult {
  solution?: number[];
  Lagrangian?: number[];
  iterations?: number[];
  message: string;
}

interface QuadprogModule {
  solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec: number[],
    meq?: number,
  ): QuadprogResult;
}

const quadprog = createRequire(import.meta.url)("quadprog") as QuadprogModule;

export interface ReferenceSolution {
  z: Float64Array;
  /** "solved", or the package's own message */
  status: string;
  /** iterations the package reports, when it does */
  iterations?: number;
}

export function solveWithQuadprog(input: DenseInput): ReferenceSolution {
  const { n, m, p } = denseSizes(input);
  const { Q, q, G, h, A, b } = input;
  const rows = m + p;

  const Dmat: number[][] = [[]];
  const dvec: number[] = [0];
  // Amat is n × (m + p): column j is one constraint; Gz <= h becomes (−G)z >= −h.
  const Amat: number[][] = [[]];
  const bvec: number[] = [0];
  for (let i = 0; i < n; i++) {
    const Drow = [0];
    for (let j = 0; j < n; j++) Drow.push(Q[i * n + j]);
    Dmat.push(Drow);
    dvec.push(-q[i]);
    const Arow = [0];
    for (let j = 0; j < m; j++) Arow.push(A![j * n + i]);
    for (let j = 0; j < p; j++) Arow.push(-G[j * n + i]);
    Amat.push(Arow);
  }
  for (let j = 0; j < m; j++) bvec.push(b![j]);
  for (let j = 0; j < p; j++) bvec.push(-h[j]);
  // quadprog cannot take a problem without constraints: give it a trivially true row 0'z >= −1.
  if (rows === 0) {
    for (let i = 1; i <= n; i++) Amat[i].push(0);
    bvec.push(-1);
  }

  const result = quadprog.solveQP(Dmat, dvec, Amat, bvec, m);
  const z = new Float64Array(n);
  if (result.message !== "" || !result.solution) {
    return { z: z.fill(Number.NaN), status: result.message || "failed" };
  }
  for (let i = 0; i < n; i++) z[i] = result.solution[i + 1];
  return { z, status: "solved", iterations: result.iterations?.[1] };
}
