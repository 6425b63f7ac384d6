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
 * It reuses exactly three things of the solve (`BackwardReuse`), which outlive the iterations:
 * the ProblemData (sizes, operands, the plan); of each solved member's Factorization its last
 * one, made at its solution with the solution split weight and no proximal regularization (the
 * member's form, L, Y and S in the member's own rows, w, wK, the Schur rows, deltaEq = 0,
 * rho = 0, and the forms' own factors: the path form's `chain`, the eliminated form's
 * `elimHeaviest`, the range-space form's `rangeSpace.tight`); and the solution, the final iterate's (z, lam, nu) as returned. Besides, it writes
 * and reads back within one call kernel memory whose contents it never reads before writing
 * (`BackwardMemory`): Scratch for the right-hand sides (r1, r2), the solve's own, and yG, which
 * the solve leaves as D(lam) d_lam; and the iterate's direction buffers dz and dnu for d_z and
 * d_nu, free once the iterations end.
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
import type { Factorization, KktSystem, ProblemData, Scratch } from "./workspace.js";

type SolvedPoint = Pick<QPBatchSolution, "z" | "lam" | "nu" | "status">;

/** What the backward pass reuses of a finished solve: nothing else of its workspace. */
export interface BackwardReuse {
  /** The batch's data: sizes, operands, the plan. */
  readonly data: ProblemData;
  /** Each solved member's last factorization, made at its solution. */
  readonly factorization: Factorization;
  /** The final iterate's (z, lam, nu), as returned, and each member's status. */
  readonly solution: SolvedPoint;
}

/** Kernel memory each backward call overwrites before it reads it. */
export interface BackwardMemory {
  readonly scratch: Scratch;
  /** d_z and d_nu (batch·n and batch·m): the iterate's direction buffers. */
  readonly dz: Float64Array;
  readonly dnu: Float64Array;
}

export function makeBackward(
  reuse: BackwardReuse,
  memory: BackwardMemory,
): QPBatchSolution["backward"] {
  const system: KktSystem = {
    data: reuse.data,
    factorization: reuse.factorization,
    scratch: memory.scratch,
  };
  return (g, request = {}, into) => backward(system, reuse.solution, memory, g, request, into);
}

function backward(
  system: KktSystem,
  point: SolvedPoint,
  memory: BackwardMemory,
  g: Float64Array,
  request: GradientRequest,
  into: QPGradients | undefined,
): QPGradients {
  const { data } = system;
  const { batch, n, m } = data;
  const { r1, r2, yG } = system.scratch;
  const { dz, dnu } = memory;
  if (g.length !== batch * n) {
    throw new Error(`backward: dz has length ${g.length}, expected batch×n = ${batch * n}`);
  }
  const grads = gradientArrays(batch, data, request, into);
  const solves = { z: point.z, lam: point.lam, nu: point.nu, dz, dnu, yG };

  for (let k = 0; k < batch; k++) {
    // Members that did not solve get zero gradients (a caller's array may hold anything).
    if (point.status[k] !== "solved") {
      if (into) zeroMemberGradients(grads, data, k);
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
    solveKkt(system, k, dz, nOff, dnu, mOff, GRADIENT_TOLERANCE);
    if (backwardIsFinite(solves, data, k)) writeMemberGradients(grads, data, k, solves);
    else if (into) zeroMemberGradients(grads, data, k);
  }
  return grads;
}
