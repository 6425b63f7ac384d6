/**
 * The npm `quadprog` package (Goldfarb–Idnani dual active set) as an independent reference for
 * minimize 1/2 z'Qz + q'z s.t. Az = b, Gz <= h (Q positive definite). quadprog minimizes
 * 1/2 x'Dx − d'x s.t. Amat'x ≥ bvec, first `meq` constraints equalities, on 1-based arrays.
 */
import { createRequire } from "node:module";
import type { DenseProblem } from "./problems.js";

interface QuadprogModule {
  solveQP(
    Dmat: number[][],
    dvec: number[],
    Amat: number[][],
    bvec: number[],
    meq?: number,
  ): { solution: number[]; value: number[]; message: string };
}

const quadprog = createRequire(import.meta.url)("quadprog") as QuadprogModule;

export function solveWithQuadprog(problem: DenseProblem): { z: number[]; message: string } {
  const { n, m, p, Q, q, A, b, G, h } = problem;
  const Dmat: number[][] = [[]];
  const dvec: number[] = [0];
  const Amat: number[][] = [[]];
  const bvec: number[] = [0];
  for (let i = 0; i < n; i++) {
    Dmat.push([0, ...Array.from({ length: n }, (_, j) => Q[i * n + j])]);
    dvec.push(-q[i]);
    // column j of Amat is constraint j: A rows as equalities, then −G z ≥ −h
    const row = [0];
    for (let j = 0; j < m; j++) row.push(A[j * n + i]);
    for (let j = 0; j < p; j++) row.push(-G[j * n + i]);
    if (m + p === 0) row.push(0);
    Amat.push(row);
  }
  for (let j = 0; j < m; j++) bvec.push(b[j]);
  for (let j = 0; j < p; j++) bvec.push(-h[j]);
  if (m + p === 0) bvec.push(-1);
  const result = quadprog.solveQP(Dmat, dvec, Amat, bvec, m);
  return { z: result.solution.slice(1), message: result.message };
}
