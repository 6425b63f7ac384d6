/**
 * The GPU's answer checked in float64 against the caller's data: the measures QPBatchSolution
 * reports, the stopping test of SolverOptions.eps on them, and the primal infeasibility
 * certificate. A member is `solved` or `infeasible` only when this check agrees with the shader,
 * so f32 arithmetic never hands out a status its point does not meet.
 */
import type { QPBatch } from "../types.js";

export interface MemberPoint {
  z: Float64Array;
  s: Float64Array;
  lam: Float64Array;
  nu: Float64Array;
}

export interface MemberMeasures {
  primalResidual: number;
  dualResidual: number;
  gap: number;
  /** every residual row and the gap within epsAbs + eps·(its largest term) */
  meets: boolean;
}

/** Member k's operand as a view (shared operands have one copy). */
export function operandOf(
  problem: QPBatch,
  name: "Q" | "q" | "A" | "b" | "G" | "h",
  k: number,
): Float64Array {
  const { n, m, p } = problem;
  const length = { Q: n * n, q: n, A: m * n, b: m, G: p * n, h: p }[name];
  const operand = problem[name];
  const offset = operand.shared ? 0 : k * length;
  return operand.data.subarray(offset, offset + length);
}

export function measureMember(
  problem: QPBatch,
  k: number,
  point: MemberPoint,
  eps: number,
  epsAbs: number,
): MemberMeasures {
  const { n, m, p } = problem;
  const Q = operandOf(problem, "Q", k);
  const q = operandOf(problem, "q", k);
  const A = operandOf(problem, "A", k);
  const b = operandOf(problem, "b", k);
  const G = operandOf(problem, "G", k);
  const h = operandOf(problem, "h", k);
  const { z, lam, nu } = point;
  const within = (residual: number, scale: number) => residual <= epsAbs + eps * scale;
  let meets = true;
  let primalResidual = 0;
  let dualResidual = 0;
  let zQz = 0;
  let qz = 0;
  for (let j = 0; j < n; j++) {
    let Qz = 0;
    for (let c = 0; c < n; c++) Qz += 0.5 * (Q[j * n + c] + Q[c * n + j]) * z[c];
    let Gl = 0;
    for (let i = 0; i < p; i++) Gl += G[i * n + j] * lam[i];
    let An = 0;
    for (let i = 0; i < m; i++) An += A[i * n + j] * nu[i];
    const r = Math.abs(Qz + q[j] + Gl + An);
    dualResidual = Math.max(dualResidual, r);
    meets &&= within(r, Math.max(Math.abs(Qz), Math.abs(q[j]), Math.abs(Gl), Math.abs(An)));
    zQz += z[j] * Qz;
    qz += q[j] * z[j];
  }
  let bnu = 0;
  for (let i = 0; i < m; i++) {
    let Az = 0;
    for (let j = 0; j < n; j++) Az += A[i * n + j] * z[j];
    const r = Math.abs(Az - b[i]);
    primalResidual = Math.max(primalResidual, r);
    meets &&= within(r, Math.max(Math.abs(Az), Math.abs(b[i])));
    bnu += b[i] * nu[i];
  }
  let hlam = 0;
  for (let i = 0; i < p; i++) {
    let Gz = 0;
    for (let j = 0; j < n; j++) Gz += G[i * n + j] * z[j];
    const r = Math.max(Gz - h[i], 0);
    primalResidual = Math.max(primalResidual, r);
    meets &&= within(r, Math.max(Math.abs(Gz), Math.abs(h[i])));
    hlam += h[i] * lam[i];
  }
  const gap = Math.abs(zQz + qz + bnu + hlam);
  meets &&= within(gap, Math.max(Math.abs(zQz), Math.abs(qz), Math.abs(bnu), Math.abs(hlam)));
  const finite = [primalResidual, dualResidual, gap].every(Number.isFinite);
  return {
    primalResidual: finite ? primalResidual : Infinity,
    dualResidual: finite ? dualResidual : Infinity,
    gap: finite ? gap : Infinity,
    meets: meets && finite,
  };
}

/**
 * certificates.ts's primal infeasibility test in float64 on (nu, max(lam, 0)) with the given
 * tolerance: t = −(b'nu + h'y) > tol·‖y‖∞·‖(b, h)‖∞ and ‖A'nu + G'y‖∞ ≤ tol·t/R, R the size of
 * z the data asks for.
 */
export function certifiesInfeasibility(
  problem: QPBatch,
  k: number,
  point: MemberPoint,
  tolerance: number,
): boolean {
  const { n, m, p } = problem;
  const A = operandOf(problem, "A", k);
  const b = operandOf(problem, "b", k);
  const G = operandOf(problem, "G", k);
  const h = operandOf(problem, "h", k);
  let t = 0;
  let normY = 0;
  let normData = 0;
  let maxA = 0;
  let maxG = 0;
  let maxB = 0;
  let maxH = 0;
  for (let i = 0; i < m; i++) {
    t -= b[i] * point.nu[i];
    normY = Math.max(normY, Math.abs(point.nu[i]));
    maxB = Math.max(maxB, Math.abs(b[i]));
  }
  for (let i = 0; i < p; i++) {
    const y = Math.max(point.lam[i], 0);
    t -= h[i] * y;
    normY = Math.max(normY, y);
    maxH = Math.max(maxH, Math.abs(h[i]));
  }
  normData = Math.max(maxB, maxH);
  for (const a of A) maxA = Math.max(maxA, Math.abs(a));
  for (const g of G) maxG = Math.max(maxG, Math.abs(g));
  if (!(t > tolerance * normY * normData)) return false;
  const radius = Math.max(1, maxG > 0 ? maxH / maxG : 0, maxA > 0 ? maxB / maxA : 0);
  for (let j = 0; j < n; j++) {
    let column = 0;
    for (let i = 0; i < m; i++) column += A[i * n + j] * point.nu[i];
    for (let i = 0; i < p; i++) column += G[i * n + j] * Math.max(point.lam[i], 0);
    if (!(Math.abs(column) <= (tolerance * t) / radius)) return false;
  }
  return true;
}
