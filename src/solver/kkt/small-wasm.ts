/**
 * Small dense members (the paper's n = p = 10 problems) in WebAssembly: the KKT work of
 * pdipm.ts's one iteration as three kernels of asm/kernels.ts on one member's arrays, the
 * residuals with their measures (measureSmallMember), the factorization (factorSmallMember) and
 * a Newton direction (smallMemberDirection). At n = 10 an iteration is ~2,000 multiply-adds,
 * and the general forms and measures spend as long again in the set-up of short loops and kernel
 * calls. The iteration itself, its order of steps, centering, certificates, step length and
 * stopping, is pdipm.ts's, for these members as for every other.
 *
 * Rows whose weight exceeds the split weight join a Schur block as in schur-block.ts. The
 * engine declines, and the general measures and forms take the iteration from its start, where
 * the member nears its end (the exact dual residual and the unsettled pairs decide, and a member
 * that stops is factored for the backward pass), a pivot fails (the retries), more than n rows
 * are above the split weight, or anything is not finite. So stopping, statuses and the backward
 * pass are the general ones, and the iterates the same up to rounding (sums in another order).
 */
import { FORWARD_SPLIT_WEIGHT } from "./form.js";
import type { StructurePlan } from "./plan.js";
import { firstRegularization } from "./regularization.js";
import { transposedG } from "./transposed-g.js";
import { relativeTo, STEP_TO_BOUNDARY, type Measures } from "../steps.js";
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
      return 7;
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
  copyInto(data.Q, k * stride.Q, arrays.Q, 0, n * n);
  copyInto(data.q, k * stride.q, arrays.q, 0, n);
  copyInto(data.G, k * stride.G, arrays.G, 0, p * n);
  copyInto(transposedG(data, k), 0, arrays.Gt, 0, n * p);
  copyInto(data.h, k * stride.h, arrays.h, 0, p);
}

/**
 * The measures of member k's iterate (pdipm.ts's iteration, while the member is far from its
 * end) from the engine's residual kernel, or false where the general measures must take this
 * iteration: within `handoff` of the stopping test (where the exact dual residual and the
 * unsettled pairs decide, and a member that stops is factored for the backward pass) or a
 * measure not finite. The iterate is copied into the engine.
 */
export function measureSmallMember(
  engine: SmallMemberEngine,
  ws: Workspace,
  k: number,
  handoff: number,
  measures: Measures,
): boolean {
  const { data, iterate } = ws;
  const { n, p } = data;
  const { arrays, block } = engine;
  copyInto(iterate.z, k * n, arrays.z, 0, n);
  copyInto(iterate.s, k * p, arrays.s, 0, p);
  copyInto(iterate.lam, k * p, arrays.lam, 0, p);
  engine.kernels.smallMember.smallResiduals(block);
  const out = arrays.out;
  const objective = out[0];
  const inNorm = out[1];
  const inScale = out[2];
  const complementarity = out[3];
  const dual = out[4];
  const scaleFree = out[5];
  const primal = inNorm / (1 + inScale);
  const totalGap = complementarity / (1 + Math.abs(objective));
  if (!Number.isFinite(totalGap + primal + dual) || (primal <= handoff && totalGap <= handoff)) {
    return false;
  }
  measures.primalResidual[k] = primal;
  measures.dualResidual[k] = dual;
  measures.gap[k] = totalGap;
  measures.objectiveScale[k] = out[6];
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
  measures.mu[k] = complementarity / p;
  return true;
}

/**
 * Factors member k's reduced KKT system in the engine at the iterate measureSmallMember copied
 * in, with the proximal rho (recorded in factorization.rho, as factorKkt does) and the first
 * regularization, and rows above FORWARD_SPLIT_WEIGHT in a Schur block; false where the general
 * forms must factor it (a pivot that failed, more than n rows above the split, a weight not
 * finite): their retries are the general ones.
 */
export function factorSmallMember(
  engine: SmallMemberEngine,
  ws: Workspace,
  k: number,
  rho: number,
): boolean {
  ws.factorization.rho[k] = rho;
  firstRegularization(ws, k, engine.arrays.reg);
  return engine.kernels.smallMember.smallFactor(engine.block, FORWARD_SPLIT_WEIGHT) === 1;
}

/**
 * The Newton direction of pdipm.ts's newtonDirection for the target `target` (with the
 * predictor's second-order term where `corrected`) from factorSmallMember's factors: ds and dlam
 * (and dz, for the corrector) copied out into the iterate.
 */
export function smallMemberDirection(
  engine: SmallMemberEngine,
  ws: Workspace,
  k: number,
  target: number,
  corrected: boolean,
): void {
  const { data, iterate } = ws;
  const { n, p } = data;
  const { arrays } = engine;
  engine.kernels.smallMember.smallDirection(engine.block, target, corrected ? 1 : 0);
  if (corrected) {
    copyInto(arrays.dz, 0, iterate.dz, k * n, n);
    iterationsTaken++;
  }
  copyInto(arrays.ds, 0, iterate.ds, k * p, p);
  copyInto(arrays.dlam, 0, iterate.dlam, k * p, p);
}
