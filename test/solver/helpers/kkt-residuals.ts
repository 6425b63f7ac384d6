/**
 * KKT residuals of a claimed solution, computed independently of the solver:
 * stationarity Qz + q + A'nu + G'lam, primal Az − b and max(Gz − h, 0), dual feasibility
 * max(−lam, 0) and complementarity |lam_i (h − Gz)_i|.
 */
import { matTVec, matVec, maxAbs } from "./dense.js";
import type { DenseProblem } from "./problems.js";

export interface KktResiduals {
  stationarity: number;
  equality: number;
  inequality: number;
  dualSign: number;
  complementarity: number;
}

export function kktResiduals(
  problem: DenseProblem,
  z: ArrayLike<number>,
  lam: ArrayLike<number>,
  nu: ArrayLike<number>,
): KktResiduals {
  const { n, m, p, Q, q, A, b, G, h } = problem;
  const Qz = matVec(Q, z, n, n);
  const Atnu = matTVec(A, nu, m, n);
  const Gtlam = matTVec(G, lam, p, n);
  const stationarity = maxAbs(Qz.map((v, i) => v + q[i] + Atnu[i] + Gtlam[i]));
  const Az = matVec(A, z, m, n);
  const Gz = matVec(G, z, p, n);
  return {
    stationarity,
    equality: maxAbs(Az.map((v, i) => v - b[i])),
    inequality: Math.max(0, ...Gz.map((v, i) => v - h[i])),
    dualSign: Math.max(0, ...Array.from(lam, (v) => -v)),
    complementarity: maxAbs(Gz.map((v, i) => lam[i] * (h[i] - v))),
  };
}
