/**
 * Where each quantity of a batch lives in the GPU buffers: one f32 `data` buffer with Q, q, A,
 * b, G, h back to back (an operand shared by the batch is stored once, stride 0), one f32
 * `work` buffer with a fixed-size slice per member, and one f32 `factor` buffer with each
 * member's N×N matrix, N = n + p + m. The shader is generated for one layout (shader.ts), so every
 * offset below is a constant there.
 */
import type { QPBatch } from "../types.js";

export interface OperandPlace {
  /** first element in `data` */
  offset: number;
  /** elements between two members' copies; 0 when shared */
  stride: number;
}

export interface WorkLayout {
  batch: number;
  n: number;
  m: number;
  p: number;
  /** n + p + m: the side of the quasi-definite KKT matrix (shader.ts) */
  N: number;
  Q: OperandPlace;
  q: OperandPlace;
  A: OperandPlace;
  b: OperandPlace;
  G: OperandPlace;
  h: OperandPlace;
  /** f32 elements of `data` */
  dataLength: number;
  /** offsets inside one member's slice of `work` */
  work: Record<WorkSlot, number>;
  /** f32 elements of one member's slice of `work` */
  workStride: number;
}

/**
 * z, s, lam, nu: the iterate. dz, ds, dlam, dnu: the step. dsAff, dlamAff: the predictor's.
 * w = lam/s. rd, rpe (Az − b), rpi (Gz + s − h): residuals. rhs, x, r: a KKT solve's right-hand
 * side, solution and refinement residual (N each). tp, tn: scratch of p and n. upstream: the
 * backward pass's dℓ/dz; yG: its D(lam)d_lam. radius: the data's size for certificates; mu:
 * the complementarity of the point measured. diag: K's diagonal before the
 * factorization. xPrev, rnorm: the refinement's last accepted x and its residual. best,
 * stall: the best progress measured and the iterations since it last improved by 10%. fnext,
 * fblock, fbad: the blocked factorization's next block, current block and failed-pivot flag.
 */
const SLOTS = [
  ["z", "n"],
  ["s", "p"],
  ["lam", "p"],
  ["nu", "m"],
  ["dz", "n"],
  ["ds", "p"],
  ["dlam", "p"],
  ["dnu", "m"],
  ["dsAff", "p"],
  ["dlamAff", "p"],
  ["w", "p"],
  ["rd", "n"],
  ["rpe", "m"],
  ["rpi", "p"],
  ["rhs", "N"],
  ["x", "N"],
  ["r", "N"],
  ["tp", "p"],
  ["tn", "n"],
  ["upstream", "n"],
  ["yG", "p"],
  ["radius", "1"],
  ["mu", "1"],
  ["diag", "N"],
  ["xPrev", "N"],
  ["rnorm", "1"],
  ["best", "1"],
  ["stall", "1"],
  ["fnext", "1"],
  ["fblock", "1"],
  ["fbad", "1"],
] as const;

export type WorkSlot = (typeof SLOTS)[number][0];

export const WORK_SLOTS: readonly WorkSlot[] = SLOTS.map(([slot]) => slot);

export function layoutOf(problem: QPBatch): WorkLayout {
  const shared = (name: OperandName) => problem[name].shared;
  return layoutFor(problem, shared);
}

export type OperandName = "Q" | "q" | "A" | "b" | "G" | "h";

/** The layout of a batch of these sizes whose `shared` operands are stored once. */
export function layoutFor(
  dims: { batch: number; n: number; m: number; p: number },
  shared: (name: OperandName) => boolean,
): WorkLayout {
  const { batch, n, m, p } = dims;
  const N = n + p + m;
  let dataLength = 0;
  const place = (name: OperandName, size: number): OperandPlace => {
    const offset = dataLength;
    dataLength += shared(name) ? size : batch * size;
    return { offset, stride: shared(name) ? 0 : size };
  };
  const Q = place("Q", n * n);
  const q = place("q", n);
  const A = place("A", m * n);
  const b = place("b", m);
  const G = place("G", p * n);
  const h = place("h", p);
  const sizes = { n, m, p, N, "1": 1 };
  const work = {} as Record<WorkSlot, number>;
  let workStride = 0;
  for (const [slot, size] of SLOTS) {
    work[slot] = workStride;
    workStride += sizes[size];
  }
  return { batch, n, m, p, N, Q, q, A, b, G, h, dataLength, work, workStride };
}

/** The batch's operands as f32, at the layout's offsets. */
export function packData(problem: QPBatch, layout: WorkLayout): Float32Array {
  const data = new Float32Array(Math.max(layout.dataLength, 1));
  for (const name of ["Q", "q", "A", "b", "G", "h"] as const) {
    data.set(problem[name].data, layout[name].offset);
  }
  return data;
}
