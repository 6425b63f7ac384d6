/**
 * The backward pass (OptNet paper, eqs. 7–8). For an upstream gradient g = dℓ/dz of a solved
 * member, the transposed differential KKT system
 *
 *     [ Q  G'D(lam)  A' ] [d_z  ]     [g]
 *     [ G  D(−s)     0  ] [d_lam] = − [0]
 *     [ A  0         0  ] [d_nu ]     [0]
 *
 * reduces, with D(lam) d_lam = w∘(G d_z), w = lam/s, to the same reduced KKT system as the
 * forward pass:  (Q + G' diag(w) G) d_z + A' d_nu = −g,  A d_z = 0. It is solved with the
 * factorization the forward pass made at the returned point, so nothing is factored here.
 *
 * What it reuses of the workspace: the ProblemData (sizes, operands, the plan); of each solved
 * member's Factorization its last one, made at its solution with the solution split weight and no
 * proximal regularization (the member's form, L, Y and S in the member's own rows, w, wK, the
 * Schur rows, deltaEq = 0, rho = 0); of the Iterate the direction buffers dz and dnu for d_z and
 * d_nu; and Scratch for the right-hand sides (r1, r2) and yG, which the solve leaves as D(lam) d_lam.
 */
import { solveKkt } from "./kkt/choose.js";
import { GRADIENT_TOLERANCE } from "./kkt/form.js";
import type { GradientRequest, QPBatchSolution, QPGradients } from "./types.js";
import type { Workspace } from "./workspace.js";

type SolvedPoint = Pick<QPBatchSolution, "z" | "lam" | "nu" | "status">;

export function makeBackward(ws: Workspace, point: SolvedPoint): QPBatchSolution["backward"] {
  return (g, request = {}, into) => backward(ws, point, g, request, into);
}

function backward(
  ws: Workspace,
  point: SolvedPoint,
  g: Float64Array,
  request: GradientRequest,
  into: QPGradients | undefined,
): QPGradients {
  const { batch, n, m, p, r1, r2, dz, dnu, yG } = ws;
  if (g.length !== batch * n) {
    throw new Error(`backward: dz has length ${g.length}, expected batch×n = ${batch * n}`);
  }
  const sizes = memberSizes(ws);
  const grads: QPGradients = {};
  for (const key of GRADIENT_KEYS) {
    if (request[key] ?? true) grads[key] = outputArray(key, batch * sizes[key], into?.[key]);
  }
  const { z, lam, nu } = point;

  for (let k = 0; k < batch; k++) {
    // Members that did not solve get zero gradients (a caller's array may hold anything).
    if (point.status[k] !== "solved") {
      if (into) zeroMember(grads, sizes, k);
      continue;
    }
    const nOff = k * n;
    const mOff = k * m;
    const pOff = k * p;
    // (Q + G'WG) d_z + A'd_nu = −g,  A d_z = 0
    for (let i = 0; i < n; i++) {
      const gi = g[nOff + i];
      r1[nOff + i] = Number.isFinite(gi) ? -gi : 0;
    }
    r2.fill(0, mOff, mOff + m);
    // The solve leaves yG = D(lam) d_lam = w∘(G d_z).
    solveKkt(ws, k, dz, nOff, dnu, mOff, GRADIENT_TOLERANCE);
    // A solve that overflowed gives zero gradients rather than NaN.
    if (!allFinite(dz, nOff, n) || !allFinite(dnu, mOff, m) || !allFinite(yG, pOff, p)) {
      if (into) zeroMember(grads, sizes, k);
      continue;
    }

    // dQ = (d_z z' + z d_z') / 2
    if (grads.Q) {
      const out = grads.Q;
      for (let i = 0; i < n; i++) {
        const row = k * n * n + i * n;
        for (let j = 0; j < n; j++) {
          out[row + j] = 0.5 * (dz[nOff + i] * z[nOff + j] + z[nOff + i] * dz[nOff + j]);
        }
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
  return grads;
}

const GRADIENT_KEYS = ["Q", "q", "A", "b", "G", "h"] as const;
type GradientKey = (typeof GRADIENT_KEYS)[number];

/** Entries of one member's gradient of each operand. */
function memberSizes({ n, m, p }: Workspace): Record<GradientKey, number> {
  return { Q: n * n, q: n, A: m * n, b: m, G: p * n, h: p };
}

/**
 * The caller's array, or a fresh one. Writing in place spares the worker threads a fresh
 * allocation per call (a page fault per 4 KiB, batch·n² entries for Q alone) and a copy into the
 * shared output.
 */
function outputArray(key: GradientKey, length: number, given: Float64Array | undefined) {
  if (given === undefined) return new Float64Array(length);
  if (given.length !== length) {
    throw new Error(`backward: into.${key} has length ${given.length}, expected ${length}`);
  }
  return given;
}

function zeroMember(grads: QPGradients, sizes: Record<GradientKey, number>, k: number): void {
  for (const key of GRADIENT_KEYS) grads[key]?.fill(0, k * sizes[key], (k + 1) * sizes[key]);
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
