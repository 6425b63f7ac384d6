/**
 * The backward pass's two halves that are not the GPU's: the paper's eq. 8 from (d_z, d_nu,
 * D(lam)d_lam) per member (as backward.ts), and the same solve as the shader's `backward` done
 * in float64 with the factors read back from the GPU, for the synchronous `backward` of the
 * solver contract.
 */
import type { GradientRequest, QPBatch, QPGradients, QPStatus } from "../types.js";
import {
  backwardIsFinite,
  gradientArrays,
  writeMemberGradients,
  zeroMemberGradients,
} from "../gradient-formulas.js";
import { operandOf } from "./measures.js";

export interface BackwardSolves {
  /** batch×n */
  dz: Float64Array;
  /** batch×m */
  dnu: Float64Array;
  /** batch×p: D(lam) d_lam */
  yG: Float64Array;
}

export interface SolvedPoint {
  z: Float64Array;
  lam: Float64Array;
  nu: Float64Array;
  status: QPStatus[];
}

/** dQ, dq, dA, db, dG, dh of every solved member; zero for the others (QPBatchSolution). */
export function assembleGradients(
  sizes: { batch: number; n: number; m: number; p: number },
  point: SolvedPoint,
  solves: BackwardSolves,
  request: GradientRequest,
  into?: QPGradients,
): QPGradients {
  const grads = gradientArrays(sizes.batch, sizes, request, into);
  const member = { z: point.z, lam: point.lam, nu: point.nu, ...solves };
  for (let k = 0; k < sizes.batch; k++) {
    const solved = point.status[k] === "solved" && backwardIsFinite(member, sizes, k);
    // a caller's array may hold anything: an unsolved member's zeros are written too
    if (solved) writeMemberGradients(grads, sizes, k, member);
    else if (into !== undefined) zeroMemberGradients(grads, sizes, k);
  }
  return grads;
}

/** Refinement steps of the float64 solve: each gains the factors' accuracy (~1e-6) again. */
const HOST_REFINEMENT_STEPS = 4;

/**
 * Member k's backward solve in float64: the read-back L D L' factors of the augmented KKT matrix
 * (f32, shader.ts's layout: order z, lam, nu; L strictly below the diagonal, D on it) as the
 * preconditioner of iterative refinement against the unregularized matrix at the final w, built
 * from the caller's float64 data. The lam block of the solution is D(lam) d_lam = w∘(G d_z).
 */
export function solveWithHostFactors(
  problem: QPBatch,
  k: number,
  factors: Float32Array,
  w: Float64Array,
  g: Float64Array,
  out: BackwardSolves,
): void {
  const { n, m, p } = problem;
  const N = n + p + m;
  const L = factors.subarray(k * N * N, (k + 1) * N * N);
  const Q = operandOf(problem, "Q", k);
  const A = operandOf(problem, "A", k);
  const G = operandOf(problem, "G", k);
  const wk = w.subarray(k * p, (k + 1) * p);
  const rhs = new Float64Array(N);
  for (let j = 0; j < n; j++) rhs[j] = -g[k * n + j];
  const solveLdl = (x: Float64Array) => {
    for (let j = 0; j < N; j++) for (let i = j + 1; i < N; i++) x[i] -= L[i * N + j] * x[j];
    for (let i = 0; i < N; i++) x[i] /= L[i * N + i];
    for (let j = N - 1; j >= 0; j--) for (let i = 0; i < j; i++) x[i] -= L[j * N + i] * x[j];
  };
  const applyK0 = (x: Float64Array, y: Float64Array) => {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let c = 0; c < n; c++) acc += 0.5 * (Q[j * n + c] + Q[c * n + j]) * x[c];
      for (let i = 0; i < p; i++) acc += G[i * n + j] * x[n + i];
      for (let i = 0; i < m; i++) acc += A[i * n + j] * x[n + p + i];
      y[j] = acc;
    }
    for (let i = 0; i < p; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += G[i * n + j] * x[j];
      y[n + i] = acc - x[n + i] / wk[i];
    }
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let j = 0; j < n; j++) acc += A[i * n + j] * x[j];
      y[n + p + i] = acc;
    }
  };
  const x = rhs.slice();
  solveLdl(x);
  const r = new Float64Array(N);
  for (let step = 0; step < HOST_REFINEMENT_STEPS; step++) {
    applyK0(x, r);
    for (let i = 0; i < N; i++) r[i] = rhs[i] - r[i];
    solveLdl(r);
    for (let i = 0; i < N; i++) x[i] += r[i];
  }
  out.dz.set(x.subarray(0, n), k * n);
  out.yG.set(x.subarray(n, n + p), k * p);
  out.dnu.set(x.subarray(n + p), k * m);
}
