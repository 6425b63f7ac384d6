/**
 * The interior point iteration of pdipm.ts for a small dense member (the paper's n = p = 10
 * problems) in three WebAssembly calls (asm/kernels.ts): the residuals, the factorization, and
 * the predictor and corrector. At n = 10 an iteration is ~2,000 multiply-adds, and the general
 * iteration spends as long again in the set-up of short loops and kernel calls.
 *
 * Rows whose weight exceeds the split weight join a Schur block as in schur-block.ts. It hands the rest
 * to the general iteration before it has changed the iterate: the measures near the end (where
 * the exact dual residual and the unsettled pairs decide, and a member that stops is factored
 * for the backward pass), a failed pivot (the retries), more than n rows above the split weight,
 * a certificate of infeasibility or unboundedness, and anything not finite. So statuses, stopping and the backward pass are the
 * general ones, and the iterates the same up to rounding (sums in another order).
 */
import { isPrimalInfeasible, isRecessionDirection } from "../certificates.js";
import { FORWARD_SPLIT_WEIGHT } from "./form.js";
import type { StructurePlan } from "./plan.js";
import { firstRegularization } from "./regularization.js";
import {
  relativeTo,
  STEP_TO_BOUNDARY,
  stepFraction,
  stepToBoundary,
  takeStep,
  type Measures,
} from "../steps.js";
import type { QPBatch } from "../types.js";
import { createWasmKernelsSync, type WasmDenseKernels } from "../wasm/index.js";
import { copyInto, type Workspace } from "../workspace.js";

/** Up to this many variables (from 16 on the WebAssembly kernels take the general path). */
export const SMALL_MEMBER_MAX_VARIABLES = 15;

/**
 * One member's arrays in WebAssembly memory, named in an address block (the SMALL_* indices of
 * asm/kernels.ts). One per thread, reused by every solve: the member's data is copied in when it
 * starts, its iterate at each iteration and the directions back out, a few dozen numbers against
 * the cost of a fresh module instance (whose calls start on V8's slow generic wrapper) per solve.
 */
export interface SmallMemberEngine {
  kernels: WasmDenseKernels;
  n: number;
  p: number;
  /** Views of the engine's arrays, by the names of the block's slots. */
  arrays: Record<(typeof SLOTS)[number], Float64Array>;
  block: number;
}

/** The block's slots after n and p, in order, with their lengths. */
const SLOTS = [
  "Q",
  "q",
  "G",
  "Gt",
  "h",
  "z",
  "s",
  "lam",
  "rd",
  "ri",
  "cs",
  "tn",
  "tp",
  "out",
  "w",
  "sqrtW",
  "reg",
  "X",
  "L",
  "dsAff",
  "dlamAff",
  "dz",
  "ds",
  "dlam",
  "Y",
  "schur",
  "t",
  "place",
  "moved",
  "movedCount",
] as const;

function slotLength(slot: (typeof SLOTS)[number], n: number, p: number): number {
  switch (slot) {
    case "Q":
    case "L":
    case "Y":
    case "schur":
      return n * n;
    case "G":
    case "Gt":
    case "X":
      return n * p;
    case "q":
    case "z":
    case "rd":
    case "cs":
    case "tn":
    case "reg":
    case "dz":
    case "t":
    case "moved":
      return n;
    case "movedCount":
      return 2;
    case "out":
      return 6;
    default:
      return p;
  }
}

let engine: SmallMemberEngine | null | undefined;
/** Iterations this thread took through the small-member path: what tests read to see it used. */
let iterationsTaken = 0;

export function smallMemberIterations(): number {
  return iterationsTaken;
}

/**
 * The engine for a solve of `problem` when its members may take the small-member iteration
 * (at most SMALL_MEMBER_MAX_VARIABLES columns, inequalities only, no bound rows), else null
 * (also where WebAssembly is missing).
 */
export function smallMemberEngine(problem: QPBatch): SmallMemberEngine | null {
  const { n, m, p } = problem;
  const bounds = problem.structure?.boundRows?.row.length ?? 0;
  if (n > SMALL_MEMBER_MAX_VARIABLES || m > 0 || p === 0 || bounds > 0) return null;
  if (engine === null) return null;
  if (engine === undefined) {
    try {
      engine = {
        // a member's arrays take kilobytes: a small memory, grown by `reserve` if ever needed
        kernels: createWasmKernelsSync({ shared: false, initialBytes: 1 << 20 }),
        n: 0,
        p: 0,
        arrays: {} as SmallMemberEngine["arrays"],
        block: 0,
      };
    } catch {
      engine = null;
      return null;
    }
  }
  if (engine.n !== n || engine.p !== p) {
    const { kernels } = engine;
    kernels.reset();
    const lengths = SLOTS.map((slot) => slotLength(slot, n, p));
    // the arrays, the block, and up to 64 bytes (8 entries) of alignment before each
    const total = lengths.reduce((a, b) => a + b, 0) + 2 + SLOTS.length;
    kernels.reserve(total + 8 * (SLOTS.length + 1));
    const arrays = {} as SmallMemberEngine["arrays"];
    SLOTS.forEach((slot, i) => (arrays[slot] = kernels.alloc(lengths[i])));
    const block = kernels.alloc(2 + SLOTS.length);
    block[0] = n;
    block[1] = p;
    SLOTS.forEach((slot, i) => (block[2 + i] = arrays[slot].byteOffset));
    Object.assign(engine, { n, p, arrays, block: block.byteOffset });
  }
  return engine;
}

/**
 * Whether member k may take the small-member iteration: structure exploited, every row of G
 * dense, no auxiliary columns (the engine's batch-level conditions are smallMemberEngine's).
 */
export function acceptsSmallMember(plan: StructurePlan, ws: Workspace, k: number): boolean {
  const { data } = ws;
  return (
    plan.structure &&
    data.denseCount[0] === data.p &&
    plan.elimCount[k] === 0 &&
    plan.pathFound[k] === 0
  );
}

/** Member k's data copied into the engine, before its first small-member iteration. */
export function loadSmallMember(engine: SmallMemberEngine, ws: Workspace, k: number): void {
  const { data } = ws;
  const { n, p, stride } = data;
  const { arrays } = engine;
  arrays.Q.set(data.Q.subarray(k * stride.Q, k * stride.Q + n * n));
  arrays.q.set(data.q.subarray(k * stride.q, k * stride.q + n));
  arrays.G.set(data.G.subarray(k * stride.G, k * stride.G + p * n));
  arrays.Gt.set(data.Gt.subarray(0, n * p));
  arrays.h.set(data.h.subarray(k * stride.h, k * stride.h + p));
}

/**
 * One iteration of member k (started by startSmallMember), or "general" where the general
 * iteration must take this one: the iterate is then unchanged.
 */
export function iterateSmallMember(
  engine: SmallMemberEngine,
  ws: Workspace,
  k: number,
  eps: number,
  measures: Measures,
): "continue" | "numerical_error" | "general" {
  const { data, iterate } = ws;
  const { n, p } = data;
  const nOff = k * n;
  const pOff = k * p;
  const { arrays, block } = engine;
  const small = engine.kernels.smallMember;
  copyInto(iterate.z, nOff, arrays.z, 0, n);
  copyInto(iterate.s, pOff, arrays.s, 0, p);
  copyInto(iterate.lam, pOff, arrays.lam, 0, p);
  small.smallResiduals(block);
  const out = arrays.out;
  const objective = out[0];
  const inNorm = out[1];
  const inScale = out[2];
  const complementarity = out[3];
  const dual = out[4];
  const scaleFree = out[5];
  const primal = inNorm / (1 + inScale);
  const totalGap = complementarity / (1 + Math.abs(objective));
  // the exact measures decide from here (pdipm.ts's computeResiduals), and a non-finite one ends
  if (!Number.isFinite(totalGap + primal + dual) || (primal <= eps && totalGap <= eps)) {
    return "general";
  }
  measures.primalResidual[k] = primal;
  measures.dualResidual[k] = dual;
  measures.gap[k] = totalGap;
  const measured = Math.max(primal, dual, totalGap);
  measures.progress[k] =
    measured < 1 - STEP_TO_BOUNDARY
      ? Math.max(
          measured,
          relativeTo(inNorm, inScale),
          relativeTo(complementarity, Math.abs(objective)),
          scaleFree,
        )
      : measured;
  const mu = complementarity / p;
  measures.mu[k] = mu;
  if (isPrimalInfeasible(ws, k, iterate.nu, iterate.lam)) return "general";

  firstRegularization(ws, k, arrays.reg);
  if (small.smallFactor(block, FORWARD_SPLIT_WEIGHT) !== 1) return "general";

  // Predictor, then Mehrotra's corrector (as pdipm.ts's iterateMember), in one call
  small.smallDirections(block, mu);
  const { ds, dlam } = iterate;
  copyInto(arrays.dz, 0, iterate.dz, nOff, n);
  copyInto(arrays.ds, 0, ds, pOff, p);
  copyInto(arrays.dlam, 0, dlam, pOff, p);
  if (isRecessionDirection(ws, k, iterate.dz, nOff)) return "general";
  if (isPrimalInfeasible(ws, k, iterate.dnu, dlam)) return "general";
  const eta = stepFraction(measures.progress[k]);
  iterationsTaken++;
  return takeStep(data, iterate, k, Math.min(1, eta * stepToBoundary(data, iterate, k, 1 / eta)));
}
