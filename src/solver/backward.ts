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
import {
  backwardIsFinite,
  gradientArrays,
  writeMemberGradients,
  zeroMemberGradients,
} from "./gradient-formulas.js";
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
  const { batch, n, m } = ws.data;
  const { dz, dnu } = ws.iterate;
  const { r1, r2, yG } = ws.scratch;
  if (g.length !== batch * n) {
    throw new Error(`backward: dz has length ${g.length}, expected batch×n = ${batch * n}`);
  }
  const grads = gradientArrays(batch, ws.data, request, into);
  const solves = { z: point.z, lam: point.lam, nu: point.nu, dz, dnu, yG };

  for (let k = 0; k < batch; k++) {
    // Members that did not solve get zero gradients (a caller's array may hold anything).
    if (point.status[k] !== "solved") {
      if (into) zeroMemberGradients(grads, ws.data, k);
      continue;
    }
    const nOff = k * n;
    const mOff = k * m;
    // (Q + G'WG) d_z + A'd_nu = −g,  A d_z = 0
    for (let i = 0; i < n; i++) {
      const gi = g[nOff + i];
      r1[nOff + i] = Number.isFinite(gi) ? -gi : 0;
    }
    r2.fill(0, mOff, mOff + m);
    // The solve leaves yG = D(lam) d_lam = w∘(G d_z).
    solveKkt(ws, k, dz, nOff, dnu, mOff, GRADIENT_TOLERANCE);
    if (backwardIsFinite(solves, ws.data, k)) writeMemberGradients(grads, ws.data, k, solves);
    else if (into) zeroMemberGradients(grads, ws.data, k);
  }
  return grads;
}
