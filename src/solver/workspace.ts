import type { DenseKernels } from "./kernels/types.js";
import { NO_FORM } from "./kkt/form.js";
import { createPlan, findUnitRows, type StructurePlan } from "./kkt/plan.js";
import { transposeG } from "./kkt/transposed-g.js";
import { createEliminationState, type EliminationState } from "./kkt/eliminated.js";
import {
  createChainFactor,
  createChainPath,
  createChainScratch,
  type ChainFactor,
  type ChainPath,
  type ChainScratch,
} from "./kkt/path-laplacian.js";
import {
  createRangeSpaceCache,
  createRangeSpaceState,
  type RangeSpaceCache,
  type RangeSpaceState,
} from "./kkt/range-space.js";
import { identityScaling, scalingStride, type Scaling } from "./scaling.js";
import type { BatchOperand, QPBatch } from "./types.js";

/**
 * What a solve knows of its batch, for its whole duration: the problem data copied into kernel
 * memory (operands shared by the whole batch stored once, with stride 0), and what the analysis
 * of each member's data finds before its iterations (its rows' classes, auxiliary columns and
 * path, the StructurePlan). Written before a member's first iteration, read-only after.
 */
export interface ProblemData {
  /** The dense kernels of the solve, chosen before it: fixed as long as the data. */
  readonly kernels: DenseKernels;
  /**
   * The one kernel allocation every kernel buffer of the four parts is a view of
   * (copyWithinArena): the parts own their buffers, the arena holds them.
   */
  readonly arena: Float64Array;
  readonly batch: number;
  readonly n: number;
  readonly m: number;
  readonly p: number;
  readonly Q: Float64Array;
  readonly q: Float64Array;
  readonly A: Float64Array;
  readonly b: Float64Array;
  readonly G: Float64Array;
  readonly h: Float64Array;
  /** Offset between consecutive members of each operand (0 when shared). */
  readonly stride: {
    Q: number;
    q: number;
    A: number;
    b: number;
    G: number;
    h: number;
    Gg: number;
  };
  /** Bound rows of G (QPStructure.boundRows): G[boundRow[t]] = boundSign[t]·e_boundColumn[t]. */
  readonly boundRow: Int32Array;
  readonly boundColumn: Int32Array;
  readonly boundSign: Float64Array;
  /**
   * Of the member being solved (kkt/plan.ts `findUnitRows` before its iterations, or once for a shared G):
   * the column j of each row of G that is ±e_j, stated as a bound or not, else −1 (p); and the
   * other rows, whose weighted products X Xᵀ the factorization forms (`denseRows`, the first
   * `denseCount[0]` entries). A unit row's weight goes straight onto K's diagonal instead.
   */
  readonly unitColumn: Int32Array;
  readonly denseRows: Int32Array;
  readonly denseCount: Int32Array;
  /** The other rows of G, in order, and their number. */
  readonly generalRows: Int32Array;
  readonly pg: number;
  /** G's general rows (pg×n per member); G itself when there are no bound rows. */
  readonly Gg: Float64Array;
  /**
   * The dense rows of G transposed (n×denseCount), so that diag(√w)-scaled copies are written in
   * order. One member's at a time (kkt/transposed-g.ts, on a factorization's first read of that
   * member: read it through `transposedG`), or the one shared G's.
   */
  readonly Gt: Float64Array;
  /** The member whose dense rows Gt holds (−1: none yet). */
  readonly transposedOf: Int32Array;
  /** How the batch was equilibrated (scaling.ts): the stopping test is measured in the caller's units. */
  readonly scaling: Scaling;
  readonly scalingStride: { D: number; EA: number; EG: number };
  /**
   * max(1, ‖h‖∞/max|G|, ‖b‖∞/max|A|) of each member: the size of z its constraints ask for,
   * the unit in which a Farkas certificate's reach is measured (`measureMember`).
   */
  readonly dataRadius: Float64Array;
  /** Σ_j |Q_ij| of each row of the member being solved (n; `measureMember`). */
  readonly qRowNorm: Float64Array;
  /** What is known of the batch's structure, from which its KKT forms are chosen (kkt/plan.ts). */
  readonly plan: StructurePlan;
  /**
   * The auxiliary columns found in each member's data, and the analysis of the member being
   * solved that the eliminated form's factorizations read (kkt/eliminated.ts).
   */
  readonly elimination: EliminationState;
  /**
   * The path of each member whose eliminated system is a path Laplacian (plan.pathFound), found
   * by the analysis before its iterations (kkt/path-laplacian.ts findChain).
   */
  readonly chainPath: ChainPath;
  /**
   * Gg in compressed rows (every stored member's rows in turn) when at most SPARSE_FRACTION of its
   * entries are nonzero, as the rows of epigraphs are: products with G then cost O(nonzeros).
   */
  readonly gSparse: { start: Int32Array; index: Int32Array; value: Float64Array } | null;
  /**
   * Of member rowReachOf[0] (−1: none yet; −2: the batch's shared Q and G): max_j g_ij²/d_j of
   * each dense row, d_j = Q_jj + its regularization (kkt/split-rows.ts, keepRows). A plain
   * array: kernels never see it.
   */
  readonly rowReach: Float64Array;
  readonly rowReachOf: Int32Array;
  /** Q in compressed rows (every stored member's in turn) when it is as sparse (`multiplyQ`). */
  readonly qSparse: { start: Int32Array; index: Int32Array; value: Float64Array } | null;
}

/**
 * The iterate of each member, its Newton directions and residuals: rewritten every iteration,
 * and (z, s, lam, nu) kept to the end as the solution the backward pass differentiates.
 */
export interface Iterate {
  readonly z: Float64Array;
  readonly s: Float64Array;
  readonly lam: Float64Array;
  readonly nu: Float64Array;
  readonly dz: Float64Array;
  readonly ds: Float64Array;
  readonly dlam: Float64Array;
  readonly dnu: Float64Array;
  /** The affine-scaling (predictor) ds and dlam, needed by the corrector's second-order term. */
  readonly dsAff: Float64Array;
  readonly dlamAff: Float64Array;
  /** Residuals rd = Qz + q + A'nu + G'lam, re = Az − b, ri = Gz + s − h. */
  readonly rd: Float64Array;
  readonly re: Float64Array;
  readonly ri: Float64Array;
}

/**
 * Each member's factorization of its reduced KKT system (kkt/): rewritten by every
 * factorization, and the member's last one (at its solution: split weight 1e3, no proximal
 * regularization, Y and S in the member's own buffers) kept for the backward pass, which solves
 * with it and factors nothing: every form's factor is here (the path form's `chain`, the
 * eliminated form's `elimHeaviest` with L). Also what a form keeps across factorizations: the
 * range-space form's per-member state and its cache (a shared Q's factor, rows of Y), which the
 * backward pass does not read.
 */
export interface Factorization {
  /** √wK of the general rows (p per member). */
  readonly sqrtW: Float64Array;
  /** w = lam/s of the factorization in L (kept: the backward pass reuses it). */
  readonly w: Float64Array;
  /** min(w, split weight): the weights folded into K (the excess of moved rows is in the Schur block). */
  readonly wK: Float64Array;
  /** Inequality rows in the Schur block (first `schurCount[k]` of p per member). */
  readonly schurRows: Int32Array;
  readonly schurCount: Int32Array;
  /** Cholesky factor of K + regK·I, K = Q + G' diag(wK) G (n×n per member). */
  readonly L: Float64Array;
  /** Rows L⁻¹ã_i for the Schur block's rows ã_i: A, then the moved rows of G ((m+p)×n per member). */
  readonly Y: Float64Array;
  /** Cholesky factor of the Schur complement (Y Y' + D)(I + regS) ((m+p)×(m+p) per member). */
  readonly S: Float64Array;
  /**
   * The proximal regularization of member k's current factorization: rho on K's diagonal (the
   * primal proximal term) and delta on the dual blocks (the equalities' −delta·I and the
   * inequalities' weights lam/(s + delta·lam)). Its solves are exact for that regularized system;
   * both are 0 in the factorization at a solution, which the backward pass reuses.
   */
  readonly rho: Float64Array;
  readonly delta: Float64Array;
  /**
   * Each equality row's regularization in that factorization (m per member): delta, or more where
   * the Schur block needed it (kkt/schur-block.ts); 0 in the factorization at a solution.
   */
  readonly deltaEq: Float64Array;
  /** Per member: the id of the KKT form of its current factorization (kkt/form.ts FORM_ID). */
  readonly form: Uint8Array;
  /** Static regularizations of the current factorization (plain arrays: kernels never see them). */
  readonly regK: Float64Array;
  readonly regS: Float64Array;
  /**
   * Per member, of its current factorization in the eliminated form: each group's row of largest
   * weight, kept whole in K (n each; kkt/eliminated.ts findHeaviestRows). The backward pass reads
   * it (settleHeaviestRows).
   */
  readonly elimHeaviest: Int32Array;
  /**
   * The range-space form's state of each member: whether it has taken the form, whether Q's
   * factor was refused, whether its current factorization is tight (kkt/range-space.ts).
   */
  readonly rangeSpace: RangeSpaceState;
  /**
   * The range-space form's cache (kkt/range-space.ts): the rows [A; dense rows of G] L⁻ᵀ of one
   * member (or of all, where Q, A and G are shared) and their Gram matrix, and a shared Q's
   * factor. Kept across factorizations, one for the batch; the backward pass never reads it.
   */
  readonly rangeCache: RangeSpaceCache;
  /**
   * Per member, where the Y and S of its current factorization are (kkt/schur-block.ts): 0 its
   * own rows of Y and S (the factorization at a solution, which the backward pass reads), 1 the
   * range-space cache and scratchS, 2 scratchY and scratchS (any other: nothing reads it after
   * the member's next one).
   */
  readonly schurPlace: Uint8Array;
  /**
   * The path factorization of epigraphs of differences (kkt/path-laplacian.ts factorChain): its
   * excess, ρ, σ and each group's pivot and curvature, per member; the backward pass solves with it.
   */
  readonly chain: ChainFactor;
}

/**
 * Scratch: right-hand sides, corrections and products of one call (a factorization, a solve,
 * a residual), nothing read after the next call but gx and yG, which a KKT solve leaves for its
 * caller (G x and w∘(G x)). Mostly one for the batch: members are solved one after another.
 */
export interface Scratch {
  /**
   * (diag(√wK) Gg)ᵀ, n×pg, or (A/√delta)ᵀ, n×m: scratch of one factorization (one for the batch:
   * it is not kept).
   */
  readonly X: Float64Array;
  /** G x of the last KKT solve (p per member): the caller's G dz, without a second product. */
  readonly gx: Float64Array;
  /** The Schur block's t_i on the moved rows, 0 elsewhere (p per member; scratch of the residual). */
  readonly tDense: Float64Array;
  /** w∘(G x) of the last KKT solve, as accurate as the Schur block makes it (p per member). */
  readonly yG: Float64Array;
  /** Right-hand sides of the reduced KKT system (n and m per member). */
  readonly r1: Float64Array;
  readonly r2: Float64Array;
  /** Scratch of the KKT solve: residuals of refinement and corrections (n, m+p per member). */
  readonly e1: Float64Array;
  readonly e2: Float64Array;
  readonly c1: Float64Array;
  readonly c2: Float64Array;
  /** The Schur block's unknowns during a KKT solve (m+p per member). */
  readonly yt: Float64Array;
  /**
   * Scratch of n entries for the member being measured: each column's upper- and lower-bound
   * multipliers and the width u_j − l_j between its bounds (pdipm.ts, pairedBoundsTerm).
   */
  readonly upperLam: Float64Array;
  readonly lowerLam: Float64Array;
  readonly boundWidth: Float64Array;
  /** Scale of each component of the dual residual at the current iterate (n; plain array). */
  readonly columnScale: Float64Array;
  /** Scratch vectors of length n and p per member. */
  readonly tn: Float64Array;
  readonly tp: Float64Array;
  /** Scratch of p entries for the member being solved (plain array: kernels never see it). */
  readonly rowScratch: Float64Array;
  /** The dense rows kept in K by the factorization in progress (indices into denseRows). */
  readonly keptRows: Int32Array;
  /** Scratch of the products with Gg (p per member). */
  readonly gScratch: Float64Array;
  /** Scratch of n entries: each column's static regularization of the member being factored. */
  readonly columnRegularization: Float64Array;
  /** Scratch of n entries: 1 / L's diagonal of the member being factored (kernel memory). */
  readonly inverseDiagonal: Float64Array;
  /**
   * Scratch of m + p entries each (kernel memory), of the Schur block being factored: its
   * diagonal, and the rows of the range-space cache's Gram matrix it gathers (float64).
   */
  readonly schurDiagonal: Float64Array;
  readonly gramRows: Float64Array;
  /** Scratch Y ((m+p)×n) and S ((m+p)²) of those factorizations, one for the batch. */
  readonly scratchY: Float64Array;
  readonly scratchS: Float64Array;
  /** The path form's multipliers, node vectors and positions during one factorization or solve. */
  readonly chain: ChainScratch;
}

/**
 * Everything one batched solve works on, allocated once (one kernel allocation: a WebAssembly
 * provider grows memory once), owned by four parts of different lifetimes. Each part's kernel
 * buffers are views of `data.arena`; the split is of ownership, not of memory. Every array is
 * batch-major: member k's vector of length n starts at k·n.
 *
 * - `data`: written before a member's first iteration, read-only after (the whole solve). The
 *   analysis a form needs of a member is here (`elimination`, `chainPath`), its factor is not.
 * - `iterate`: rewritten every iteration; its (z, s, lam, nu) is the solution at the end.
 * - `factorization`: rewritten by every factorization; a member's last one outlives its
 *   iterations, for the backward pass (backward.ts).
 * - `scratch`: of one call (a factorization, a solve, a residual); nothing is read from it later.
 *   A form's scratch is here too (`chain`).
 *
 * The kernels and their arena are in `data`: fixed for the whole solve, as the data is.
 */
export interface Workspace {
  readonly data: ProblemData;
  readonly iterate: Iterate;
  readonly factorization: Factorization;
  readonly scratch: Scratch;
}

/**
 * What the KKT layer (kkt/) factors and solves with: everything but the iterate, which enters
 * only through the weights w = lam/(s + delta·lam) that `factorKkt` (kkt/choose.ts) writes into
 * the factorization before a form factors. The backward pass solves with this alone.
 */
export type KktSystem = Pick<Workspace, "data" | "factorization" | "scratch">;

/** Gg is multiplied as sparse rows when at most this fraction of its entries is nonzero. */
const SPARSE_FRACTION = 0.1;

function compressRows(M: Float64Array, rows: number, cols: number) {
  // dense data stops the count early: a tenth of its entries settles it
  const limit = SPARSE_FRACTION * rows * cols;
  let count = 0;
  for (let i = 0; i < rows * cols && count <= limit; i++) if (M[i] !== 0) count++;
  if (rows === 0 || count > limit) return null;
  const start = new Int32Array(rows + 1);
  const index = new Int32Array(count);
  const value = new Float64Array(count);
  let e = 0;
  for (let r = 0; r < rows; r++) {
    start[r] = e;
    for (let j = 0; j < cols; j++) {
      const v = M[r * cols + j];
      if (v === 0) continue;
      index[e] = j;
      value[e++] = v;
    }
  }
  start[rows] = e;
  return { start, index, value };
}

function operandStride(operand: BatchOperand, size: number): number {
  return operand.shared ? 0 : size;
}

function boundCount(problem: QPBatch): number {
  return problem.structure?.boundRows?.row.length ?? 0;
}

/** Length in float64 of every kernel buffer of a solve of `problem`. */
function bufferSizes(problem: QPBatch) {
  const { batch, n, m, p } = problem;
  const copies = (operand: BatchOperand, size: number) => (operand.shared ? size : batch * size);
  const nb = boundCount(problem);
  const sizes = {
    Gg: nb === 0 ? 0 : copies(problem.G, (p - nb) * n),
    Gt: (p - nb) * n,
    gScratch: nb === 0 ? 0 : batch * p,
    sqrtW: batch * p,
    Q: copies(problem.Q, n * n),
    q: copies(problem.q, n),
    A: copies(problem.A, m * n),
    b: copies(problem.b, m),
    G: copies(problem.G, p * n),
    h: copies(problem.h, p),
    z: batch * n,
    s: batch * p,
    lam: batch * p,
    nu: batch * m,
    dz: batch * n,
    ds: batch * p,
    dlam: batch * p,
    dnu: batch * m,
    dsAff: batch * p,
    dlamAff: batch * p,
    rd: batch * n,
    re: batch * m,
    ri: batch * p,
    w: batch * p,
    wK: batch * p,
    X: n * Math.max(p, m),
    L: batch * n * n,
    Y: batch * (m + p) * n,
    S: batch * (m + p) * (m + p),
    rangeY: (m + p) * n,
    rangeGram: (m + p) * (m + p),
    qFactor: problem.Q.shared ? n * n : 0,
    scratchY: (m + p) * n,
    scratchS: (m + p) * (m + p),
    yG: batch * p,
    gx: batch * p,
    tDense: batch * p,
    r1: batch * n,
    r2: batch * m,
    e1: batch * n,
    e2: batch * (m + p),
    c1: batch * n,
    c2: batch * (m + p),
    yt: batch * (m + p),
    tn: batch * n,
    tp: batch * p,
    inverseDiagonal: n,
    schurDiagonal: m + p,
    gramRows: m + p,
  };
  return sizes;
}

/**
 * The kernel buffers every path writes before it reads them: the data (copied in at once), the
 * factors and the range-space cache. The arena leaves them as the previous solve left that memory:
 * zeroing them would be a pass over most of the workspace (batch·n² entries three times over),
 * 2.7% of a CPU profile of the paper's problems at n = p = 100. The rest is zeroed.
 * test/solver/workspace-memory.test.ts solves with them full of NaN.
 */
const WRITTEN_BEFORE_READ: ReadonlySet<keyof ReturnType<typeof bufferSizes>> = new Set([
  "Q",
  "q",
  "A",
  "b",
  "G",
  "h",
  "Gg",
  "Gt",
  "L",
  "Y",
  "S",
  "rangeY",
  "rangeGram",
  "qFactor",
  "scratchY",
  "scratchS",
]);

/** Float64 entries of the kernel memory a solve of `problem` allocates (one arena). */
export function workspaceLength(problem: QPBatch): number {
  let total = 0;
  for (const size of Object.values(bufferSizes(problem))) total += size;
  return total;
}

/** One kernel allocation for the whole solve, so a WebAssembly provider grows memory once. */
export function createWorkspace(
  problem: QPBatch,
  kernels: DenseKernels,
  eliminate = true,
  structure = true,
  scaling: Scaling = identityScaling(problem),
): Workspace {
  const { batch, n, m, p } = problem;
  const stride = {
    Q: operandStride(problem.Q, n * n),
    q: operandStride(problem.q, n),
    A: operandStride(problem.A, m * n),
    b: operandStride(problem.b, m),
    G: operandStride(problem.G, p * n),
    h: operandStride(problem.h, p),
    Gg: operandStride(problem.G, (p - boundCount(problem)) * n),
  };
  const sizes = bufferSizes(problem);
  const nb = boundCount(problem);
  const pg = p - nb;
  const arena = kernels.alloc(workspaceLength(problem), 0);
  let next = 0;
  const take = (length: number) => {
    const view = arena.subarray(next, next + length);
    next += length;
    return view;
  };
  const views = {} as Record<keyof typeof sizes, Float64Array>;
  for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) {
    views[key] = take(sizes[key]);
    if (!WRITTEN_BEFORE_READ.has(key)) views[key].fill(0);
  }

  const operands = {
    Q: problem.Q,
    q: problem.q,
    A: problem.A,
    b: problem.b,
    G: problem.G,
    h: problem.h,
  };
  for (const key of Object.keys(operands) as (keyof typeof operands)[]) {
    views[key].set(operands[key].data.subarray(0, sizes[key]));
  }

  const bounds = problem.structure?.boundRows;
  const isBound = new Uint8Array(p);
  if (bounds) for (const r of bounds.row) isBound[r] = 1;
  const generalRows = new Int32Array(pg);
  for (let i = 0, t = 0; i < p; i++) if (!isBound[i]) generalRows[t++] = i;
  const members = problem.G.shared ? 1 : batch;
  const { G } = views;
  const Gg = nb === 0 ? G : views.Gg;
  if (nb > 0) {
    for (let k = 0; k < members; k++) {
      for (let t = 0; t < pg; t++)
        copyInto(G, k * p * n + generalRows[t] * n, Gg, (k * pg + t) * n, n);
    }
  }

  const v = views;
  const data: ProblemData = {
    kernels,
    arena,
    batch,
    n,
    m,
    p,
    Q: v.Q,
    q: v.q,
    A: v.A,
    b: v.b,
    G: v.G,
    h: v.h,
    stride,
    boundRow: bounds ? Int32Array.from(bounds.row) : new Int32Array(0),
    boundColumn: bounds ? Int32Array.from(bounds.column) : new Int32Array(0),
    boundSign: bounds ? Float64Array.from(bounds.sign) : new Float64Array(0),
    unitColumn: new Int32Array(p),
    denseRows: new Int32Array(p),
    denseCount: new Int32Array(1),
    generalRows,
    pg,
    Gg,
    Gt: v.Gt,
    transposedOf: Int32Array.of(-1),
    scaling,
    scalingStride: scalingStride(scaling, n, m, p),
    dataRadius: new Float64Array(batch).fill(1),
    qRowNorm: new Float64Array(n),
    plan: createPlan(problem, structure, eliminate),
    elimination: createEliminationState(batch, n, p),
    chainPath: createChainPath(batch, n),
    // with `structure: false` too: a sparse product sums in another order than the dense kernels,
    // and the two paths are to compute the same iterates wherever they take the same KKT form
    gSparse: compressRows(Gg, members * pg, n),
    rowReach: new Float64Array(p),
    rowReachOf: Int32Array.of(-1),
    qSparse: compressRows(v.Q, (problem.Q.shared ? 1 : batch) * n, n),
  };
  const iterate: Iterate = {
    z: v.z,
    s: v.s,
    lam: v.lam,
    nu: v.nu,
    dz: v.dz,
    ds: v.ds,
    dlam: v.dlam,
    dnu: v.dnu,
    dsAff: v.dsAff,
    dlamAff: v.dlamAff,
    rd: v.rd,
    re: v.re,
    ri: v.ri,
  };
  const factorization: Factorization = {
    sqrtW: v.sqrtW,
    w: v.w,
    wK: v.wK,
    schurRows: new Int32Array(batch * p),
    schurCount: new Int32Array(batch),
    L: v.L,
    Y: v.Y,
    S: v.S,
    rho: new Float64Array(batch),
    delta: new Float64Array(batch),
    deltaEq: new Float64Array(batch * m),
    form: new Uint8Array(batch).fill(NO_FORM),
    regK: new Float64Array(batch),
    regS: new Float64Array(batch),
    rangeSpace: createRangeSpaceState(batch),
    rangeCache: createRangeSpaceCache(v.rangeY, v.rangeGram, v.qFactor),
    schurPlace: new Uint8Array(batch),
    elimHeaviest: new Int32Array(batch * n),
    chain: createChainFactor(batch, n),
  };
  const scratch: Scratch = {
    X: v.X,
    gx: v.gx,
    tDense: v.tDense,
    yG: v.yG,
    r1: v.r1,
    r2: v.r2,
    e1: v.e1,
    e2: v.e2,
    c1: v.c1,
    c2: v.c2,
    yt: v.yt,
    upperLam: new Float64Array(n),
    lowerLam: new Float64Array(n),
    boundWidth: new Float64Array(n),
    columnScale: new Float64Array(n),
    tn: v.tn,
    tp: v.tp,
    rowScratch: new Float64Array(p),
    keptRows: new Int32Array(p),
    gScratch: v.gScratch,
    columnRegularization: new Float64Array(n),
    inverseDiagonal: v.inverseDiagonal,
    schurDiagonal: v.schurDiagonal,
    gramRows: v.gramRows,
    scratchY: v.scratchY,
    scratchS: v.scratchS,
    chain: createChainScratch(n, p),
  };
  const ws: Workspace = { data, iterate, factorization, scratch };
  if (problem.G.shared) {
    findUnitRows(data, 0);
    transposeG(data, 0);
  }
  return ws;
}

/** max|v| / max|M| over the given ranges (1 where M is 0): the size of z the data asks for. */
function ratio(
  M: Float64Array,
  mOff: number,
  size: number,
  v: Float64Array,
  vOff: number,
  len: number,
): number {
  let mMax = 0;
  for (let i = mOff; i < mOff + size; i++) mMax = Math.max(mMax, Math.abs(M[i]));
  let vMax = 0;
  for (let i = vOff; i < vOff + len; i++) vMax = Math.max(vMax, Math.abs(v[i]));
  return mMax > 0 ? vMax / mMax : 1;
}

/** dataRadius[k] ← max(1, ‖h‖∞/max|G|, ‖b‖∞/max|A|) and qRowNorm of member k. */
export function measureMember(data: ProblemData, k: number): void {
  const { n, m, p, stride } = data;
  if (k > 0 && stride.G === 0 && stride.h === 0 && stride.A === 0 && stride.b === 0) {
    // the same constraints as member 0's: the same radius, without another pass over G
    data.dataRadius[k] = data.dataRadius[0];
  } else {
    const radius = Math.max(
      1,
      ratio(data.G, k * stride.G, p * n, data.h, k * stride.h, p),
      ratio(data.A, k * stride.A, m * n, data.b, k * stride.b, m),
    );
    data.dataRadius[k] = Number.isFinite(radius) ? radius : 1;
  }
  if (k > 0 && data.stride.Q === 0) return;
  const qOff = k * data.stride.Q;
  // Σ of the off-diagonal |entries| on its own: 0 exactly when each is 0 (NaN fails it)
  let offDiagonal = 0;
  for (let i = 0; i < n; i++) {
    const row = qOff + i * n;
    let others = 0;
    for (let j = row; j < row + i; j++) others += Math.abs(data.Q[j]);
    for (let j = row + i + 1; j < row + n; j++) others += Math.abs(data.Q[j]);
    data.qRowNorm[i] = others + Math.abs(data.Q[row + i]);
    offDiagonal += others;
  }
  data.plan.diagonalQ[0] = offDiagonal === 0 && data.plan.structure ? 1 : 0;
}

/**
 * As copyInto for two of the workspace's kernel buffers: one native move inside the arena
 * (memmove), which beats an indexed loop from a few dozen entries on.
 */
export function copyWithinArena(
  arena: Float64Array,
  src: Float64Array,
  srcOff: number,
  dst: Float64Array,
  dstOff: number,
  len: number,
): void {
  const base = arena.byteOffset;
  const from = (src.byteOffset - base) / 8 + srcOff;
  arena.copyWithin((dst.byteOffset - base) / 8 + dstOff, from, from + len);
}

/** dst[dstOff..] = src[srcOff..] for len entries, without creating subarray views. */
export function copyInto(
  src: Float64Array,
  srcOff: number,
  dst: Float64Array,
  dstOff: number,
  len: number,
): void {
  for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
}

/** y ← Q x for member k (n entries each), from Q's compressed rows where it is sparse. */
export function multiplyQ(
  data: ProblemData,
  k: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
): void {
  const { n, qSparse } = data;
  if (!qSparse) {
    data.kernels.gemv(data.Q, k * data.stride.Q, n, n, false, 1, x, xOff, 0, y, yOff);
    return;
  }
  const { start, index, value } = qSparse;
  const first = (data.stride.Q === 0 ? 0 : k) * n;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let e = start[first + i]; e < start[first + i + 1]; e++)
      sum += value[e] * x[xOff + index[e]];
    y[yOff + i] = sum;
  }
}
