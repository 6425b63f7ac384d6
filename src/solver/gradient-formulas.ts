/**
 * The OptNet paper's eq. 8: a member's gradients with respect to Q, q, A, b, G and h from the
 * backward solve's d_z, d_nu and D(lam) d_lam. Shared by the CPU backward pass (backward.ts) and
 * the GPU's (webgpu/gradients.ts), which differ only in how they solve for those.
 */
import type { GradientRequest, QPGradients } from "./types.js";

export const GRADIENT_KEYS = ["Q", "q", "A", "b", "G", "h"] as const;
export type GradientKey = (typeof GRADIENT_KEYS)[number];

export interface MemberSizes {
  n: number;
  m: number;
  p: number;
}

/** Entries of one member's gradient of each operand. */
export function gradientSizes({ n, m, p }: MemberSizes): Record<GradientKey, number> {
  return { Q: n * n, q: n, A: m * n, b: m, G: p * n, h: p };
}

/**
 * The requested gradients of a batch, each the caller's array (checked for length) or a fresh one.
 * Writing in place spares the worker threads a fresh allocation per call (a page fault per 4 KiB,
 * batch·n² entries for Q alone) and a copy into the shared output.
 */
export function gradientArrays(
  batch: number,
  sizes: MemberSizes,
  request: GradientRequest,
  into?: QPGradients,
): QPGradients {
  const lengths = gradientSizes(sizes);
  const grads: QPGradients = {};
  for (const key of GRADIENT_KEYS) {
    if (!(request[key] ?? true)) continue;
    const length = batch * lengths[key];
    const given = into?.[key];
    if (given !== undefined && given.length !== length) {
      throw new Error(`backward: into.${key} has length ${given.length}, expected ${length}`);
    }
    grads[key] = given ?? new Float64Array(length);
  }
  return grads;
}

/** Member k's gradients set to zero (a member that did not solve; a caller's array may hold anything). */
export function zeroMemberGradients(grads: QPGradients, sizes: MemberSizes, k: number): void {
  const lengths = gradientSizes(sizes);
  for (const key of GRADIENT_KEYS) grads[key]?.fill(0, k * lengths[key], (k + 1) * lengths[key]);
}

/** The member's solution and backward solve, each array batch-major as QPBatchSolution's. */
export interface MemberBackward {
  z: Float64Array;
  lam: Float64Array;
  nu: Float64Array;
  dz: Float64Array;
  dnu: Float64Array;
  /** D(lam) d_lam */
  yG: Float64Array;
}

/** Whether member k's backward solve is finite (an overflowed one gives zero gradients, not NaN). */
export function backwardIsFinite(v: MemberBackward, sizes: MemberSizes, k: number): boolean {
  const { n, m, p } = sizes;
  return allFinite(v.dz, k * n, n) && allFinite(v.dnu, k * m, m) && allFinite(v.yG, k * p, p);
}

/** Writes member k's gradients (eq. 8) into those of `grads` that are present. */
export function writeMemberGradients(
  grads: QPGradients,
  sizes: MemberSizes,
  k: number,
  v: MemberBackward,
): void {
  const { n, m, p } = sizes;
  const { z, lam, nu, dz, dnu, yG } = v;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  // dQ = (d_z z' + z d_z') / 2
  if (grads.Q) {
    const out = grads.Q;
    for (let i = 0; i < n; i++) {
      const row = k * n * n + i * n;
      // read once per row: `out` might alias them, for all the compiler knows
      const dzi = dz[nOff + i];
      const zi = z[nOff + i];
      for (let j = 0; j < n; j++) out[row + j] = 0.5 * (dzi * z[nOff + j] + zi * dz[nOff + j]);
    }
  }
  // dq = d_z
  if (grads.q) grads.q.set(dz.subarray(nOff, nOff + n), nOff);
  // dA = d_nu z' + nu d_z'
  if (grads.A) outerSum(grads.A, k * m * n, dnu, mOff, nu, mOff, m, z, dz, nOff, n);
  // db = −d_nu
  if (grads.b) for (let i = 0; i < m; i++) grads.b[mOff + i] = -dnu[mOff + i];
  // dG = D(lam) d_lam z' + lam d_z'
  if (grads.G) outerSum(grads.G, k * p * n, yG, pOff, lam, pOff, p, z, dz, nOff, n);
  // dh = −D(lam) d_lam
  if (grads.h) for (let i = 0; i < p; i++) grads.h[pOff + i] = -yG[pOff + i];
}

/** out (rows×n at outOff) = u z' + v d', u and v at uvOff, z and d at nOff. */
function outerSum(
  out: Float64Array,
  outOff: number,
  u: Float64Array,
  uOff: number,
  v: Float64Array,
  vOff: number,
  rows: number,
  z: Float64Array,
  d: Float64Array,
  nOff: number,
  n: number,
): void {
  for (let i = 0; i < rows; i++) {
    const ui = u[uOff + i];
    const vi = v[vOff + i];
    const row = outOff + i * n;
    for (let j = 0; j < n; j++) out[row + j] = ui * z[nOff + j] + vi * d[nOff + j];
  }
}

function allFinite(v: Float64Array, off: number, len: number): boolean {
  for (let i = off; i < off + len; i++) if (!Number.isFinite(v[i])) return false;
  return true;
}
