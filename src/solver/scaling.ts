/**
 * Ruiz equilibration of a batch (as OSQP, PIQP and Clarabel do): the solver iterates on
 *
 *     Q̃ = c D Q D,  q̃ = c D q,  Ã = E_A A D,  b̃ = E_A b,  G̃ = E_G G D,  h̃ = E_G h
 *
 * whose columns and rows have ∞-norms near 1, and whose cost is near 1. The solution of the
 * user's problem is z = D z̃, s = s̃ / E_G, lam = E_G lam̃ / c, nu = E_A nũ / c, and the
 * gradients of its data follow from the scaled problem's by the same diagonal factors
 * (`unscaleGradients`). D and E do not change the solution, so treating them as constants in the
 * backward pass is exact.
 *
 * A member's scaling depends on its own data only, so that a batch split across threads solves
 * each member exactly as the whole batch would. Where Q, A and G are all shared by the batch, D
 * and E are too, and the shared operands stay shared (factored once per solve). The cost factor
 * c is then shared too where Q is nonzero (from Q alone), and per member where Q is zero (an LP:
 * Q̃ stays the shared zero).
 *
 * A row of G with a single nonzero a·e_j becomes exactly ±e_j (E_i = 1/(|a| D_j)), so that bounds,
 * stated or not, keep their O(1) treatment in the KKT layer.
 *
 * Every other factor is rounded to a power of two (as HiGHS and commercial solvers round theirs):
 * scaling the data and unscaling the solution are then exact, so the caller's measures are the
 * iteration's, scaled, and nothing is lost to the factors themselves. With arbitrary factors each
 * unscaled multiplier rounds by u relative, and on Maros–Meszaros QBEACONF a column's terms of
 * 5.5e6 then left a dual residual of 1.4e-9 in the caller's data where the iteration read less.
 */
import type { BatchOperand, QPBatch, QPGradients } from "./types.js";

/** Ruiz passes: the norms are within a few percent of 1 after ~10 (OSQP and PIQP use 10). */
const RUIZ_PASSES = 10;
/** Each factor stays within these bounds (OSQP's MIN_SCALING and MAX_SCALING). */
const MIN_SCALING = 1e-4;
const MAX_SCALING = 1e4;
/**
 * Data whose column and row ∞-norms (and cost) all lie within this factor of 1 is left as it is:
 * there equilibration buys nothing and costs iterations and time. The paper's random QPs have
 * norms 2.5 to 0.37·n (186 at n = 500); equilibrated, they take 12.4 iterations instead of 10.75
 * at n = 200 and 15.5 instead of 12.75 at n = 500 (batch 8–16), and the copy and the Ruiz passes
 * cost 53 ms per batch of 128 at n = 100. With 64 in place of 256 the speed targets of
 * `npm run bench` fail; the scale test and Maros–Meszaros give the same results with either.
 */
const WELL_SCALED = 256;

export interface Scaling {
  /** Whether D and E are per member (stride n, m, p) or one for the batch (stride 0). */
  readonly perMember: boolean;
  /** Column factors D (n per member, or n). */
  readonly D: Float64Array;
  /** Row factors of A and of G. */
  readonly EA: Float64Array;
  readonly EG: Float64Array;
  /** The cost factor c of each member. */
  readonly c: Float64Array;
  /**
   * The caller's batch, as given: the stopping test measures the gap of the point it returns in
   * the caller's own data (exact-gap.ts).
   */
  readonly source: QPBatch;
}

/** The strides of D, E_A and E_G between members. */
export function scalingStride(scaling: Scaling, n: number, m: number, p: number) {
  return scaling.perMember ? { D: n, EA: m, EG: p } : { D: 0, EA: 0, EG: 0 };
}

/** The scaling that changes nothing: the batch is solved as given. */
export function identityScaling(problem: QPBatch): Scaling {
  const { batch, n, m, p } = problem;
  return {
    perMember: false,
    D: new Float64Array(n).fill(1),
    EA: new Float64Array(m).fill(1),
    EG: new Float64Array(p).fill(1),
    c: new Float64Array(batch).fill(1),
    source: problem,
  };
}

/** The equilibrated batch and its scaling (see the header). */
export function equilibrate(problem: QPBatch): { scaled: QPBatch; scaling: Scaling } {
  const { batch, n, m, p } = problem;
  const perMember = !(problem.Q.shared && problem.A.shared && problem.G.shared);
  const members = perMember ? batch : 1;
  const D = new Float64Array(members * n);
  const EA = new Float64Array(members * m);
  const EG = new Float64Array(members * p);
  const c = new Float64Array(batch);
  const scratch: RuizScratch = {
    column: new Float64Array(n),
    qColumn: new Float64Array(n),
    rowNorm: new Float64Array(m + p),
    unitRow: new Int32Array(p),
  };
  // the mean column ∞-norm of D Q D of each set of factors: the cost's curvature
  const curvature = new Float64Array(members);
  for (let k = 0; k < members; k++) curvature[k] = ruiz(problem, k, D, EA, EG, scratch);
  const scaling: Scaling = { perMember, D, EA, EG, c, source: problem };
  const stride = scalingStride(scaling, n, m, p);
  // c from Q and q; from Q alone where Q is shared by a batch whose members have their own q (so
  // that Q stays shared: c is then the same for every member); from q alone where Q is zero (an
  // LP: Q̃ stays zero)
  const fromQAlone = problem.Q.shared && !problem.q.shared;
  for (let k = 0; k < batch; k++) {
    const curved = curvature[perMember ? k : 0];
    const dk = D.subarray(k * stride.D, k * stride.D + n);
    c[k] = costFactor(problem, k, dk, curved, curved === 0 || !fromQAlone);
  }
  if (isIdentity(scaling)) return { scaled: problem, scaling };
  raiseSmallRightHandSides(problem, scaling);
  const cShared = batch === 1 || (!perMember && sameForAll(batch, (k) => c[k]));
  const scaled = scaleProblem(problem, scaling, cShared);
  return { scaled, scaling };
}

interface RuizScratch {
  column: Float64Array;
  qColumn: Float64Array;
  rowNorm: Float64Array;
  unitRow: Int32Array;
}

/**
 * D, EA, EG of member k (at k·n, k·m, k·p): each pass divides every column and row of the KKT
 * matrix [Q A' G'; A 0 0; G 0 0] by the square root of its ∞-norm. Data already within
 * WELL_SCALED of unit norms after the first measurement keeps factors of 1.
 */
function ruiz(
  problem: QPBatch,
  k: number,
  D: Float64Array,
  EA: Float64Array,
  EG: Float64Array,
  scratch: RuizScratch,
): number {
  const { n, m, p } = problem;
  const Q = problem.Q.data;
  const A = problem.A.data;
  const G = problem.G.data;
  const qOff = problem.Q.shared ? 0 : k * n * n;
  const aOff = problem.A.shared ? 0 : k * m * n;
  const gOff = problem.G.shared ? 0 : k * p * n;
  const dOff = k * n;
  const aRow = k * m;
  const gRow = k * p;
  const { column, qColumn, rowNorm, unitRow } = scratch;
  D.fill(1, dOff, dOff + n);
  EA.fill(1, aRow, aRow + m);
  EG.fill(1, gRow, gRow + p);
  for (let pass = 0; pass < RUIZ_PASSES; pass++) {
    // column norms of the scaled KKT matrix: Q̃, Ã and G̃ (the row norms of Ã', G̃' are theirs)
    columnNormsOfQ(Q, qOff, n, D, dOff, column);
    if (pass === 0) qColumn.set(column);
    rowNorms(A, aOff, m, n, EA, aRow, D, dOff, column, rowNorm, 0);
    rowNorms(G, gOff, p, n, EG, gRow, D, dOff, column, rowNorm, m);
    if (pass === 0 && wellScaled(column) && wellScaled(rowNorm)) return meanOf(qColumn);
    let changed = false;
    for (let i = 0; i < m; i++) changed = rescale(EA, aRow + i, rowNorm[i]) || changed;
    for (let i = 0; i < p; i++) changed = rescale(EG, gRow + i, rowNorm[m + i]) || changed;
    for (let j = 0; j < n; j++) changed = rescale(D, dOff + j, column[j]) || changed;
    if (!changed) break;
  }
  // Powers of two: the scaled data and the unscaled solution are then exact (no rounding), so
  // the caller's measures are the iteration's, scaled, and the returned point is the iterate
  for (let j = dOff; j < dOff + n; j++) D[j] = powerOfTwo(D[j]);
  for (let i = aRow; i < aRow + m; i++) EA[i] = powerOfTwo(EA[i]);
  for (let i = gRow; i < gRow + p; i++) EG[i] = powerOfTwo(EG[i]);
  // the curvature at the final D
  columnNormsOfQ(Q, qOff, n, D, dOff, qColumn);
  // rows with one nonzero become exactly ±e_j (see the header)
  singleNonzeroColumns(G, gOff, n, p, unitRow);
  for (let i = 0; i < p; i++) {
    const j = unitRow[i];
    const unit = j >= 0 ? 1 / (Math.abs(G[gOff + i * n + j]) * D[dOff + j]) : 0;
    // a bound's own factor may lie outside the bounds (it only states the bound in z's units), as
    // far as leaves its multiplier and slack room to be unscaled without overflow
    if (unit >= 1e-150 && unit <= 1e150) EG[gRow + i] = unit;
  }
  return meanOf(qColumn);
}

/** out[j] ← ‖column j of D Q D‖∞ (D at dOff). */
function columnNormsOfQ(
  Q: Float64Array,
  qOff: number,
  n: number,
  D: Float64Array,
  dOff: number,
  out: Float64Array,
): void {
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const di = D[dOff + i];
    for (let j = 0; j < n; j++) {
      const v = Math.abs(Q[qOff + i * n + j]) * di;
      if (v > out[j]) out[j] = v;
    }
  }
  for (let j = 0; j < n; j++) out[j] *= D[dOff + j];
}

/**
 * For the `rows` rows of M (at mOff) scaled as E M D: each row's ∞-norm into rowNorm (from
 * normOff), and each column's ∞-norm raised into `column`.
 */
function rowNorms(
  M: Float64Array,
  mOff: number,
  rows: number,
  n: number,
  E: Float64Array,
  eOff: number,
  D: Float64Array,
  dOff: number,
  column: Float64Array,
  rowNorm: Float64Array,
  normOff: number,
): void {
  for (let i = 0; i < rows; i++) {
    let row = 0;
    const e = E[eOff + i];
    for (let j = 0; j < n; j++) {
      const v = Math.abs(M[mOff + i * n + j]) * e;
      const r = v * D[dOff + j];
      if (r > column[j]) column[j] = r;
      if (r > row) row = r;
    }
    rowNorm[normOff + i] = row;
  }
}

function meanOf(v: Float64Array): number {
  let sum = 0;
  for (const x of v) sum += x;
  return v.length > 0 ? sum / v.length : 0;
}

/** Whether every nonzero norm lies within WELL_SCALED of 1. */
function wellScaled(norms: Float64Array): boolean {
  for (const v of norms) if (v !== 0 && !(v <= WELL_SCALED && v >= 1 / WELL_SCALED)) return false;
  return true;
}

/** v[i] /= √norm (within the bounds); whether that moved it by more than a few percent. */
function rescale(v: Float64Array, i: number, norm: number): boolean {
  if (!(norm > 0) || !Number.isFinite(norm)) return false;
  const factor = 1 / Math.sqrt(norm);
  const next = Math.min(MAX_SCALING, Math.max(MIN_SCALING, v[i] * factor));
  const moved = Math.abs(next / v[i] - 1) > 0.05;
  v[i] = next;
  return moved;
}

/** unitRow[i] ← j where row i of G has its only nonzero in column j, else −1. */
function singleNonzeroColumns(
  G: Float64Array,
  gOff: number,
  n: number,
  p: number,
  unitRow: Int32Array,
): void {
  for (let i = 0; i < p; i++) {
    let column = -1;
    for (let j = 0; j < n; j++) {
      if (G[gOff + i * n + j] === 0) continue;
      if (column >= 0) {
        column = -2;
        break;
      }
      column = j;
    }
    unitRow[i] = column >= 0 ? column : -1;
  }
}

/**
 * c = 1 / size of the cost, from the curvature (mean column ∞-norm of D Q D) and the slope
 * (‖D q‖∞), each where it is used, within the bounds; 1 where everything is zero or already
 * within WELL_SCALED of 1.
 */
function costFactor(
  problem: QPBatch,
  k: number,
  D: Float64Array,
  curvature: number,
  useq: boolean,
): number {
  const { n } = problem;
  let slope = 0;
  if (useq) {
    const q = problem.q.shared ? problem.q.data : problem.q.data.subarray(k * n);
    for (let j = 0; j < n; j++) slope = Math.max(slope, Math.abs(q[j]) * D[j]);
  }
  // where the slope dominates a nonzero curvature, their geometric mean: OSQP's larger of the two
  // would leave the curvature negligible (an LP to the iteration: Maros–Meszaros QADLITTL,
  // QBEACONF and QBORE3D then end at max_iterations), the curvature alone a slope of 1e6 (lasso
  // with lam ×10^8)
  const size =
    curvature > 0 && slope > curvature ? Math.sqrt(curvature * slope) : Math.max(curvature, slope);
  if (!(size > 0) || !Number.isFinite(size)) return 1;
  if (size <= WELL_SCALED && size >= 1 / WELL_SCALED) return 1;
  return powerOfTwo(Math.min(MAX_SCALING, Math.max(MIN_SCALING, 1 / size)));
}

/**
 * The factors (αD, E/α, c/α²) give the same Q̃, Ã and G̃ and divide q̃, b̃, h̃ (and so z̃ and the
 * multipliers) by α: the one freedom Ruiz leaves. Where the largest of ‖q̃‖∞, ‖b̃‖∞, ‖h̃‖∞ is below
 * 1, α is that size (a power of two, at least MIN_SCALING), so that the solution is ~1 as the cold
 * start (slacks and multipliers shifted to at least 1) assumes. Data multiplied by 10^-4 is
 * equilibrated (the same data at 10^0 is left alone) to q̃, b̃, h̃ ~1e-2, and the paper's random QPs
 * with equalities then took 13 iterations instead of 7. With factors shared by the batch, α is
 * the batch's (its largest member's size).
 */
function raiseSmallRightHandSides(problem: QPBatch, scaling: Scaling): void {
  const { batch, n, m, p } = problem;
  const { D, EA, EG, c, perMember } = scaling;
  const stride = scalingStride(scaling, n, m, p);
  const members = perMember ? batch : 1;
  const size = new Float64Array(members);
  const q = problem.q.data;
  const b = problem.b.data;
  const h = problem.h.data;
  for (let k = 0; k < batch; k++) {
    const f = perMember ? k : 0;
    let largest = size[f];
    const qOff = problem.q.shared ? 0 : k * n;
    const bOff = problem.b.shared ? 0 : k * m;
    const hOff = problem.h.shared ? 0 : k * p;
    for (let j = 0; j < n; j++) {
      largest = Math.max(largest, Math.abs(c[k] * D[k * stride.D + j] * q[qOff + j]));
    }
    for (let i = 0; i < m; i++)
      largest = Math.max(largest, Math.abs(EA[k * stride.EA + i] * b[bOff + i]));
    for (let i = 0; i < p; i++)
      largest = Math.max(largest, Math.abs(EG[k * stride.EG + i] * h[hOff + i]));
    size[f] = largest;
  }
  for (let f = 0; f < members; f++) {
    if (!(size[f] > 0 && size[f] < 1)) continue;
    const alpha = powerOfTwo(Math.max(size[f], MIN_SCALING));
    for (let j = f * stride.D; j < f * stride.D + n; j++) D[j] *= alpha;
    for (let i = f * stride.EA; i < f * stride.EA + m; i++) EA[i] /= alpha;
    for (let i = f * stride.EG; i < f * stride.EG + p; i++) EG[i] /= alpha;
    const cAlpha = alpha * alpha;
    if (perMember) c[f] /= cAlpha;
    else for (let k = 0; k < batch; k++) c[k] /= cAlpha;
  }
}

/** The power of two nearest x > 0 (in log scale): multiplying by it is exact. */
function powerOfTwo(x: number): number {
  return 2 ** Math.round(Math.log2(x));
}

/** Whether f(k) is the same for every member. */
function sameForAll(batch: number, f: (k: number) => number): boolean {
  const first = f(0);
  for (let k = 1; k < batch; k++) if (f(k) !== first) return false;
  return true;
}

function isIdentity(scaling: Scaling): boolean {
  const { D, EA, EG, c } = scaling;
  for (const factors of [D, EA, EG, c]) for (const v of factors) if (v !== 1) return false;
  return true;
}

function isZero(v: Float64Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (v[i] !== 0) return false;
  return true;
}

/** The scaled batch: new arrays, shared where the operand and its factors are. */
function scaleProblem(problem: QPBatch, scaling: Scaling, cShared: boolean): QPBatch {
  const { batch, n, m, p } = problem;
  const { D, EA, EG, c } = scaling;
  const stride = scalingStride(scaling, n, m, p);
  const factorsShared = !scaling.perMember;
  const operand = (
    source: BatchOperand,
    size: number,
    shared: boolean,
    fill: (out: Float64Array, data: Float64Array, k: number) => void,
  ): BatchOperand => {
    const members = shared ? 1 : batch;
    const out = new Float64Array(members * size);
    for (let k = 0; k < members; k++) {
      const data = source.shared
        ? source.data.subarray(0, size)
        : source.data.subarray(k * size, (k + 1) * size);
      fill(out.subarray(k * size, (k + 1) * size), data, k);
    }
    return { data: out, shared };
  };
  const d = (k: number) => D.subarray(k * stride.D, k * stride.D + n);
  const ea = (k: number) => EA.subarray(k * stride.EA, k * stride.EA + m);
  const eg = (k: number) => EG.subarray(k * stride.EG, k * stride.EG + p);
  // Q̃ = c D Q D: shared only where Q, D and c are
  const qZero = problem.Q.shared && isZero(problem.Q.data, n * n);
  const Q = operand(
    problem.Q,
    n * n,
    problem.Q.shared && factorsShared && (cShared || qZero),
    (out, Qk, k) => {
      const dk = d(k);
      const ck = c[k];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) out[i * n + j] = ck * dk[i] * Qk[i * n + j] * dk[j];
      }
    },
  );
  const q = operand(problem.q, n, problem.q.shared && factorsShared && cShared, (out, qk, k) => {
    const dk = d(k);
    for (let j = 0; j < n; j++) out[j] = c[k] * dk[j] * qk[j];
  });
  const A = operand(problem.A, m * n, problem.A.shared && factorsShared, (out, Ak, k) => {
    const dk = d(k);
    const ek = ea(k);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) out[i * n + j] = ek[i] * Ak[i * n + j] * dk[j];
    }
  });
  const b = operand(problem.b, m, problem.b.shared && factorsShared, (out, bk, k) => {
    const ek = ea(k);
    for (let i = 0; i < m; i++) out[i] = ek[i] * bk[i];
  });
  const G = operand(problem.G, p * n, problem.G.shared && factorsShared, (out, Gk, k) => {
    const dk = d(k);
    const ek = eg(k);
    for (let i = 0; i < p; i++) {
      let nonzeros = 0;
      let last = 0;
      for (let j = 0; j < n; j++) {
        const v = Gk[i * n + j];
        out[i * n + j] = ek[i] * v * dk[j];
        if (v !== 0) {
          nonzeros++;
          last = j;
        }
      }
      // a row with one nonzero that its E_i made ±e_j up to rounding is exactly ±e_j
      const unit = out[i * n + last];
      if (nonzeros === 1 && Math.abs(Math.abs(unit) - 1) < 1e-12)
        out[i * n + last] = Math.sign(unit);
    }
  });
  const h = operand(problem.h, p, problem.h.shared && factorsShared, (out, hk, k) => {
    const ek = eg(k);
    for (let i = 0; i < p; i++) out[i] = ek[i] * hk[i];
  });
  return { ...problem, Q, q, A, b, G, h };
}

/** The user's z, s, lam, nu from the scaled solve's (in place; see the header). */
export function unscaleIterate(
  scaling: Scaling,
  sizes: { batch: number; n: number; m: number; p: number },
  z: Float64Array,
  s: Float64Array,
  lam: Float64Array,
  nu: Float64Array,
): void {
  const { batch, n, m, p } = sizes;
  const { D, EA, EG, c } = scaling;
  const stride = scalingStride(scaling, n, m, p);
  for (let k = 0; k < batch; k++) {
    for (let j = 0; j < n; j++) z[k * n + j] *= D[k * stride.D + j];
    for (let i = 0; i < m; i++) nu[k * m + i] *= EA[k * stride.EA + i] / c[k];
    for (let i = 0; i < p; i++) {
      const e = EG[k * stride.EG + i];
      s[k * p + i] /= e;
      lam[k * p + i] *= e / c[k];
    }
  }
}

/** The scaled solve's z̃, s̃, lam̃, nũ from the user's (a warm start), as new arrays. */
export function scaleIterate(
  scaling: Scaling,
  sizes: { batch: number; n: number; m: number; p: number },
  start: { z: Float64Array; s: Float64Array; lam: Float64Array; nu: Float64Array },
): { z: Float64Array; s: Float64Array; lam: Float64Array; nu: Float64Array } {
  const { batch, n, m, p } = sizes;
  const { D, EA, EG, c } = scaling;
  const stride = scalingStride(scaling, n, m, p);
  const z = start.z.slice(0, batch * n);
  const nu = start.nu.slice(0, batch * m);
  const s = start.s.slice(0, batch * p);
  const lam = start.lam.slice(0, batch * p);
  for (let k = 0; k < batch; k++) {
    for (let j = 0; j < n; j++) z[k * n + j] /= D[k * stride.D + j];
    for (let i = 0; i < m; i++) nu[k * m + i] *= c[k] / EA[k * stride.EA + i];
    for (let i = 0; i < p; i++) {
      const e = EG[k * stride.EG + i];
      s[k * p + i] *= e;
      lam[k * p + i] *= c[k] / e;
    }
  }
  return { z, s, lam, nu };
}

/** dℓ/dz̃ = D dℓ/dz for the scaled problem's backward pass. */
export function scaleUpstream(
  scaling: Scaling,
  batch: number,
  n: number,
  dz: Float64Array,
): Float64Array {
  const out = new Float64Array(batch * n);
  const stride = scaling.perMember ? n : 0;
  for (let k = 0; k < batch; k++) {
    for (let j = 0; j < n; j++) {
      const g = dz[k * n + j];
      out[k * n + j] = Number.isFinite(g) ? g * scaling.D[k * stride + j] : g;
    }
  }
  return out;
}

/**
 * The gradients of the user's data from the scaled problem's, in place: ∇Q = c D ∇Q̃ D,
 * ∇q = c D ∇q̃, ∇A = E_A ∇Ã D, ∇b = E_A ∇b̃, ∇G = E_G ∇G̃ D, ∇h = E_G ∇h̃.
 */
export function unscaleGradients(
  scaling: Scaling,
  sizes: { batch: number; n: number; m: number; p: number },
  grads: QPGradients,
): QPGradients {
  const { batch, n, m, p } = sizes;
  const { D, EA, EG, c } = scaling;
  const stride = scalingStride(scaling, n, m, p);
  for (let k = 0; k < batch; k++) {
    const dOff = k * stride.D;
    const ck = c[k];
    if (grads.Q) {
      const off = k * n * n;
      for (let i = 0; i < n; i++) {
        const di = ck * D[dOff + i];
        for (let j = 0; j < n; j++) grads.Q[off + i * n + j] *= di * D[dOff + j];
      }
    }
    if (grads.q) for (let j = 0; j < n; j++) grads.q[k * n + j] *= ck * D[dOff + j];
    if (grads.A) {
      for (let i = 0; i < m; i++) {
        const e = EA[k * stride.EA + i];
        for (let j = 0; j < n; j++) grads.A[k * m * n + i * n + j] *= e * D[dOff + j];
      }
    }
    if (grads.b) for (let i = 0; i < m; i++) grads.b[k * m + i] *= EA[k * stride.EA + i];
    if (grads.G) {
      for (let i = 0; i < p; i++) {
        const e = EG[k * stride.EG + i];
        for (let j = 0; j < n; j++) grads.G[k * p * n + i * n + j] *= e * D[dOff + j];
      }
    }
    if (grads.h) for (let i = 0; i < p; i++) grads.h[k * p + i] *= EG[k * stride.EG + i];
  }
  return grads;
}
