/**
 * The batched predictor–corrector PDIPM in WGSL (f32). One workgroup of WG threads per batch
 * member: the threads split the rows and columns of every product, the factorization and the
 * triangular solves, and meet at barriers. Each phase of an iteration is its own kernel (entry
 * point), dispatched in order for the whole batch (solve-batch.ts): a software adapter compiles
 * one long kernel with hundreds of barriers in minutes, these in seconds. The sizes, offsets and
 * tolerances come from a uniform block, so the module compiles once per device.
 *
 * Each iteration builds the augmented, quasi-definite KKT matrix at the current point
 *
 *     K = [ Q + rho I   G'               A'       ]
 *         [ G           −s/lam − delta   0        ]
 *         [ A           0                −delta I ]
 *
 * factors it K = L D L' (no pivoting: a quasi-definite matrix has such a factorization for any
 * order, D's first n entries positive and the rest negative), and solves it twice (predictor,
 * corrector), each solve followed by iterative refinement against the unregularized matrix
 * (rho = delta = 0). Not the reduced matrix Q + G' diag(lam/s) G: in f32 its conditioning near
 * the end (lam/s from 1e-4 to 1e4 beside Q's smallest eigenvalues) left directions of no
 * accuracy. The convergence test comes after the factorization, so a member that stops keeps
 * the factors of the point it returns, which the backward pass reuses.
 *
 * Statuses (state[2k]): 0 running, 1 solved, 2 infeasible, 3 unbounded, 4 numerical error
 * (a non-finite iterate or pivot). state[2k+1]: iterations.
 */
import { WORK_SLOTS, type WorkLayout } from "./layout.js";

export const WORKGROUP_SIZE = 64;
/** Columns per block of the blocked factorization (factorPanel). */
export const FACTOR_BLOCK = 16;
/** Side of a tile of the trailing update (factorTrailing). */
export const FACTOR_TILE = 16;

export interface ShaderConstants {
  /** the relative and absolute tolerances the shader stops on (f32 level) */
  eps: number;
  epsAbs: number;
  rho: number;
  delta: number;
  /** certificates of infeasibility and unboundedness, scale free */
  certificate: number;
  maxIter: number;
}

/** Which members a kernel works on (the override constant PHASE, see begin()). */
export const PHASE_ITERATION = 0;
export const PHASE_START = 1;
export const PHASE_BACKWARD = 2;

export const STATUS_RUNNING = 0;
export const STATUS_SOLVED = 1;
export const STATUS_INFEASIBLE = 2;
export const STATUS_UNBOUNDED = 3;
export const STATUS_NUMERICAL = 4;
/** stopped without progress near the tolerance: the float64 check decides (solve-batch.ts) */
export const STATUS_STALLED = 5;

function u32(x: number): string {
  return `${x}u`;
}

/** The uniform block's fields, in order: sizes, operand places, constants, work slots. */
const PARAMETERS: readonly (readonly [name: string, type: "u32" | "f32"])[] = [
  ...["n", "m", "p", "N", "WS"].map((name) => [name, "u32"] as const),
  ...["OQ", "SQ", "Oq", "Sq", "OA", "SA", "Ob", "Sb", "OG", "SG", "Oh", "Sh"].map(
    (name) => [name, "u32"] as const,
  ),
  ...["EPS", "EPS_ABS", "RHO", "DELTA", "CERT"].map((name) => [name, "f32"] as const),
  ["MAX_ITER", "u32"],
  ...WORK_SLOTS.map((slot) => [slotName(slot), "u32"] as const),
];

/** The uniform block of one solve (the struct Params of the shader). */
export function parameterBlock(layout: WorkLayout, c: ShaderConstants): ArrayBuffer {
  const values: Record<string, number> = {
    n: layout.n,
    m: layout.m,
    p: layout.p,
    N: layout.N,
    WS: layout.workStride,
    EPS: c.eps,
    EPS_ABS: c.epsAbs,
    RHO: c.rho,
    DELTA: c.delta,
    CERT: c.certificate,
    MAX_ITER: c.maxIter,
  };
  for (const name of ["Q", "q", "A", "b", "G", "h"] as const) {
    values[`O${name}`] = layout[name].offset;
    values[`S${name}`] = layout[name].stride;
  }
  for (const slot of WORK_SLOTS) values[slotName(slot)] = layout.work[slot];
  // a uniform block's size is a multiple of 16 bytes
  const buffer = new ArrayBuffer(Math.ceil(PARAMETERS.length / 4) * 16);
  const asU32 = new Uint32Array(buffer);
  const asF32 = new Float32Array(buffer);
  PARAMETERS.forEach(([name, type], i) => {
    if (type === "u32") asU32[i] = values[name];
    else asF32[i] = values[name];
  });
  return buffer;
}

/**
 * The shader, the same for every problem: sizes, offsets and tolerances come from the uniform
 * block, so it compiles once per device (a software adapter takes minutes to compile it).
 */
export function pdipmShader(): string {
  const names = new RegExp(`\\b(${PARAMETERS.map(([name]) => name).join("|")})\\b`, "g");
  const struct = PARAMETERS.map(([name, type]) => `  ${name}: ${type},`).join("\n");
  const body = SHADER_BODY.replace(names, "P.$1");
  return `struct Params {\n${struct}\n}\n@group(0) @binding(6) var<uniform> P: Params;\n${body}`;
}

const SHADER_BODY = /* wgsl */ `
const WG: u32 = ${u32(WORKGROUP_SIZE)};

override PHASE: u32 = ${u32(PHASE_ITERATION)};
const PHASE_ITERATION: u32 = ${u32(PHASE_ITERATION)};
const PHASE_START: u32 = ${u32(PHASE_START)};
const PHASE_BACKWARD: u32 = ${u32(PHASE_BACKWARD)};

const SUM: u32 = 0u;
const MAX: u32 = 1u;
const MIN: u32 = 2u;
const BIG: f32 = 3.0e38f;
const PIVOT_FLOOR: f32 = 1e-6f;
const FB: u32 = ${u32(FACTOR_BLOCK)};
const TILE: u32 = ${u32(FACTOR_TILE)};
const TINY: f32 = 1e-30f;
const STALL_ITERATIONS: f32 = 3.0f;
const STALL_PROGRESS: f32 = 20.0f;

@group(0) @binding(0) var<storage, read> data: array<f32>;
@group(0) @binding(1) var<storage, read_write> work: array<f32>;
@group(0) @binding(2) var<storage, read_write> K: array<f32>;
@group(0) @binding(3) var<storage, read_write> state: array<u32>;
@group(0) @binding(4) var<storage, read_write> running: atomic<u32>;
@group(0) @binding(5) var<storage, read> upstream: array<f32>;

var<private> t: u32;
var<private> member: u32;
var<private> wb: u32;
var<private> kb: u32;
var<private> oQ: u32;
var<private> oq: u32;
var<private> oA: u32;
var<private> ob: u32;
var<private> oG: u32;
var<private> oh: u32;

var<workgroup> red: array<f32, ${WORKGROUP_SIZE}>;
var<workgroup> wgStatus: u32;
var<workgroup> wgIter: u32;
var<workgroup> wgBad: u32;
var<workgroup> wgBlock: u32;
var<workgroup> tileRows: array<f32, ${FACTOR_TILE * FACTOR_BLOCK}>;
var<workgroup> tileCols: array<f32, ${FACTOR_TILE * FACTOR_BLOCK}>;

fn sync() {
  storageBarrier();
  workgroupBarrier();
}

fn finite(x: f32) -> bool {
  // by the bits: a compiler may assume that floating-point comparisons never see NaN or ∞
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

fn Qs(i: u32, j: u32) -> f32 { return 0.5f * (data[oQ + i * n + j] + data[oQ + j * n + i]); }
fn Aat(i: u32, j: u32) -> f32 { return data[oA + i * n + j]; }
fn Gat(i: u32, j: u32) -> f32 { return data[oG + i * n + j]; }
fn qv(j: u32) -> f32 { return data[oq + j]; }
fn bv(i: u32) -> f32 { return data[ob + i]; }
fn hv(i: u32) -> f32 { return data[oh + i]; }
fn W(slot: u32, i: u32) -> f32 { return work[wb + slot + i]; }
fn setW(slot: u32, i: u32, v: f32) { work[wb + slot + i] = v; }

fn reduce(v: f32, op: u32) -> f32 {
  red[t] = v;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half / 2u) {
    if (t < half) {
      let a = red[t];
      let b = red[t + half];
      red[t] = select(select(min(a, b), max(a, b), op == MAX), a + b, op == SUM);
    }
    workgroupBarrier();
  }
  let r = workgroupUniformLoad(&red[0]);
  workgroupBarrier();
  return r;
}

/* a / b as a measure of progress: 0 when a is, BIG when b is 0 and a is not. */
fn ratio(a: f32, b: f32) -> f32 {
  if (a == 0.0f) { return 0.0f; }
  if (!(b > 0.0f)) { return BIG; }
  return a / b;
}

fn setStatus(status: u32) {
  if (t == 0u) { wgStatus = status; }
  workgroupBarrier();
}

/*
 * K at the current point, in the order (z, lam, nu); only the lower triangle is written and
 * read. The lam block's diagonal is −s/lam = −1/w.
 */
fn buildK() {
  for (var e = t; e < N * N; e += WG) {
    let i = e / N;
    let j = e % N;
    if (j > i) { continue; }
    var v = 0.0f;
    if (i < n) {
      v = Qs(i, j);
      if (i == j) { v += RHO; }
    } else if (i < n + p) {
      if (j < n) {
        v = Gat(i - n, j);
      } else if (i == j) {
        v = -1.0f / W(SW, i - n) - DELTA;
      }
    } else if (j < n) {
      v = Aat(i - n - p, j);
    } else if (i == j) {
      v = -DELTA;
    }
    K[kb + e] = v;
  }
  sync();
}

/*
 * K = L D L' in place (right-looking, one column per step). In exact arithmetic D's first n
 * entries are at least rho and the last m at most −delta; in f32 a pivot whose cancellation
 * leaves less than PIVOT_FLOOR of its diagonal entry before elimination (kept in diag) is
 * rounding noise, and is raised to that (QDLDL's and Clarabel's dynamic regularization; the
 * refinement against K0 then corrects the solves). wgBad = 1 on a non-finite pivot.
 */
fn factor() {
  if (t == 0u) { wgBad = 0u; }
  saveDiagonal();
  eliminateColumns(0u, N);
  scaleBelowDiagonal();
}

fn saveDiagonal() {
  for (var j = t; j < N; j += WG) { setW(SDIAG, j, K[kb + j * N + j]); }
  sync();
}

/* Column j's pivot, regularized as factor() says, written to K's diagonal. */
fn pivot(j: u32) -> f32 {
  let d0 = W(SDIAG, j);
  let raw = K[kb + j * N + j];
  var d = 0.0f;
  if (j < n) {
    d = max(raw, max(RHO, PIVOT_FLOOR * d0));
  } else {
    d = min(raw, -max(DELTA, PIVOT_FLOOR * abs(d0)));
  }
  if (t == 0u) {
    K[kb + j * N + j] = d;
    if (!finite(raw)) { wgBad = 1u; }
  }
  return d;
}

/*
 * Columns [first, to) eliminated from every row below them, updating only the columns before
 * "to" (all of them when to = N; the panel of a block otherwise, the trailing matrix being
 * factorTrailing's). Entries below the diagonal stay L·D until scaleBelowDiagonal.
 */
fn eliminateColumns(first: u32, to: u32) {
  for (var j = first; j < to; j++) {
    let d = pivot(j);
    for (var i = j + 1u + t; i < N; i += WG) {
      let lij = K[kb + i * N + j] / d;
      let last = min(i, to - 1u);
      for (var c = j + 1u; c <= last; c++) { K[kb + i * N + c] -= lij * K[kb + c * N + j]; }
    }
    sync();
  }
}

fn scaleBelowDiagonal() {
  for (var e = t; e < N * N; e += WG) {
    let i = e / N;
    let j = e % N;
    if (j < i) { K[kb + e] = K[kb + e] / K[kb + j * N + j]; }
  }
  sync();
}

/* x = (L D L')⁻¹ x for the slot x. */
fn solveFactored(x: u32) {
  for (var j = 0u; j < N; j++) {
    let xj = W(x, j);
    for (var i = j + 1u + t; i < N; i += WG) { setW(x, i, W(x, i) - K[kb + i * N + j] * xj); }
    sync();
  }
  for (var i = t; i < N; i += WG) { setW(x, i, W(x, i) / K[kb + i * N + i]); }
  sync();
  for (var jj = 0u; jj < N; jj++) {
    let j = N - 1u - jj;
    let xj = W(x, j);
    for (var i = t; i < j; i += WG) { setW(x, i, W(x, i) - K[kb + j * N + i] * xj); }
    sync();
  }
}

/* y = K0 x, K0 the unregularized KKT matrix at the current point. */
fn applyK0(x: u32, y: u32) {
  for (var j = t; j < n; j += WG) {
    var acc = 0.0f;
    for (var c = 0u; c < n; c++) { acc += Qs(j, c) * W(x, c); }
    for (var i = 0u; i < p; i++) { acc += Gat(i, j) * W(x, n + i); }
    for (var i = 0u; i < m; i++) { acc += Aat(i, j) * W(x, n + p + i); }
    setW(y, j, acc);
  }
  for (var i = t; i < p; i += WG) {
    var acc = 0.0f;
    for (var j = 0u; j < n; j++) { acc += Gat(i, j) * W(x, j); }
    setW(y, n + i, acc - W(x, n + i) / W(SW, i));
  }
  for (var i = t; i < m; i += WG) {
    var acc = 0.0f;
    for (var j = 0u; j < n; j++) { acc += Aat(i, j) * W(x, j); }
    setW(y, n + p + i, acc);
  }
  sync();
}

/*
 * The Newton direction for the complementarity target goal (with second = dsAff∘dlamAff when
 * corrected), from the augmented system
 *   [Q  G'    A'] [dz  ]   [−rd                          ]
 *   [G  −1/w  0 ] [dlam] = [−rpi + s − (goal − second)/lam]
 *   [A  0     0 ] [dnu ]   [−rpe                         ]
 * and ds = −rpi − G dz (then lam∘ds + s∘dlam = goal − second − s∘lam).
 */
fn directionRhs(corrected: bool, goal: f32) {
  for (var j = t; j < n; j += WG) { setW(SRHS, j, -W(SRD, j)); }
  for (var i = t; i < p; i += WG) {
    let second = select(0.0f, W(SDS_AFF, i) * W(SDLAM_AFF, i), corrected);
    setW(SRHS, n + i, -W(SRPI, i) + W(SS, i) - (goal - second) / W(SLAM, i));
  }
  for (var i = t; i < m; i += WG) { setW(SRHS, n + p + i, -W(SRPE, i)); }
}

/* dz, dlam, dnu from the solve's x; ds from dz. */
fn directionFinish() {
  for (var j = t; j < n; j += WG) { setW(SDZ, j, W(SX, j)); }
  for (var i = t; i < p; i += WG) { setW(SDLAM, i, W(SX, n + i)); }
  for (var i = t; i < m; i += WG) { setW(SDNU, i, W(SX, n + p + i)); }
  sync();
  for (var i = t; i < p; i += WG) {
    var gdz = 0.0f;
    for (var j = 0u; j < n; j++) { gdz += Gat(i, j) * W(SDZ, j); }
    setW(SDS, i, -W(SRPI, i) - gdz);
  }
}

/* Largest alpha with s + alpha ds >= 0 and lam + alpha dlam >= 0 (BIG when nothing blocks). */
fn stepToBoundary() -> f32 {
  var alpha = BIG;
  for (var i = t; i < p; i += WG) {
    let ds = W(SDS, i);
    let dl = W(SDLAM, i);
    if (ds < 0.0f) { alpha = min(alpha, -W(SS, i) / ds); }
    if (dl < 0.0f) { alpha = min(alpha, -W(SLAM, i) / dl); }
  }
  return reduce(alpha, MIN);
}

struct Measured {
  /** 0 to go on, or the member's final status */
  status: u32,
  mu: f32,
}

/*
 * Residuals (kept in rd, rpe, rpi for the directions), the stopping test as SolverOptions.eps
 * states it (each residual row and the gap against EPS_ABS + EPS times its largest term), and the
 * primal infeasibility certificate (certificates.ts) on (nu, lam).
 */
fn measure() -> Measured {
  var violation = 0.0f;
  var zQz = 0.0f;
  var qz = 0.0f;
  var bnu = 0.0f;
  var hlam = 0.0f;
  var slam = 0.0f;
  var farkas = 0.0f;
  var normY = 0.0f;
  var normData = 0.0f;
  var nonfinite = 0.0f;
  for (var j = t; j < n; j += WG) {
    var qzj = 0.0f;
    for (var c = 0u; c < n; c++) { qzj += Qs(j, c) * W(SZ, c); }
    var gl = 0.0f;
    for (var i = 0u; i < p; i++) { gl += Gat(i, j) * W(SLAM, i); }
    var an = 0.0f;
    for (var i = 0u; i < m; i++) { an += Aat(i, j) * W(SNU, i); }
    let r = qzj + qv(j) + gl + an;
    setW(SRD, j, r);
    let scale = max(max(abs(qzj), abs(qv(j))), max(abs(gl), abs(an)));
    violation = max(violation, ratio(abs(r), EPS_ABS + EPS * scale));
    zQz += W(SZ, j) * qzj;
    qz += qv(j) * W(SZ, j);
    farkas = max(farkas, abs(gl + an));
    if (!finite(W(SZ, j)) || !finite(r)) { nonfinite = 1.0f; }
  }
  for (var i = t; i < m; i += WG) {
    var az = 0.0f;
    for (var j = 0u; j < n; j++) { az += Aat(i, j) * W(SZ, j); }
    let r = az - bv(i);
    setW(SRPE, i, r);
    violation = max(violation, ratio(abs(r), EPS_ABS + EPS * max(abs(az), abs(bv(i)))));
    bnu += bv(i) * W(SNU, i);
    normY = max(normY, abs(W(SNU, i)));
    normData = max(normData, abs(bv(i)));
    if (!finite(W(SNU, i))) { nonfinite = 1.0f; }
  }
  for (var i = t; i < p; i += WG) {
    var gz = 0.0f;
    for (var j = 0u; j < n; j++) { gz += Gat(i, j) * W(SZ, j); }
    setW(SRPI, i, gz + W(SS, i) - hv(i));
    let excess = max(gz - hv(i), 0.0f);
    violation = max(violation, ratio(excess, EPS_ABS + EPS * max(abs(gz), abs(hv(i)))));
    hlam += hv(i) * W(SLAM, i);
    slam += W(SS, i) * W(SLAM, i);
    normY = max(normY, W(SLAM, i));
    normData = max(normData, abs(hv(i)));
    if (!finite(W(SS, i)) || !finite(W(SLAM, i))) { nonfinite = 1.0f; }
  }
  sync();
  let bad = reduce(nonfinite, MAX);
  let worst = reduce(violation, MAX);
  let zQzAll = reduce(zQz, SUM);
  let qzAll = reduce(qz, SUM);
  let bnuAll = reduce(bnu, SUM);
  let hlamAll = reduce(hlam, SUM);
  let mu = select(0.0f, reduce(slam, SUM) / f32(p), p > 0u);
  let farkasAll = reduce(farkas, MAX);
  let normYAll = reduce(normY, MAX);
  let normDataAll = reduce(normData, MAX);
  // through a reduction: a value read from storage is not uniform for WGSL
  let radius = reduce(W(SRADIUS, 0u), MAX);
  if (bad > 0.0f) { return Measured(${STATUS_NUMERICAL}u, mu); }
  let gap = abs(zQzAll + qzAll + bnuAll + hlamAll);
  let gapScale = max(max(abs(zQzAll), abs(qzAll)), max(abs(bnuAll), abs(hlamAll)));
  let progress = max(worst, ratio(gap, EPS_ABS + EPS * gapScale));
  if (progress <= 1.0f) { return Measured(${STATUS_SOLVED}u, mu); }
  // f32's floor: no 10% gain in STALL_ITERATIONS iterations close to the tolerance ends the
  // member; the float64 check then decides between solved and numerical_error
  let best = reduce(W(SBEST, 0u), MAX);
  let stalled = reduce(W(SSTALL, 0u), MAX) + 1.0f;
  workgroupBarrier();
  let improved = progress < 0.9f * best;
  if (t == 0u) {
    setW(SBEST, 0u, select(best, progress, improved));
    setW(SSTALL, 0u, select(stalled, 0.0f, improved));
  }
  if (!improved && stalled >= STALL_ITERATIONS && progress <= STALL_PROGRESS) {
    return Measured(${STATUS_STALLED}u, mu);
  }
  let certificate = -(bnuAll + hlamAll);
  if (certificate > CERT * normYAll * normDataAll &&
      farkasAll <= CERT * certificate / radius) {
    return Measured(${STATUS_INFEASIBLE}u, mu);
  }
  return Measured(${STATUS_RUNNING}u, mu);
}

/*
 * Unboundedness (OSQP's test) on the step dz normalized to ‖d‖∞ = 1: q'd <= −CERT·max(1, ‖q‖∞)
 * while ‖Qd‖∞, ‖Ad‖∞ and max(Gd, 0) are at most CERT times the descent −q'd.
 */
fn isUnbounded() -> bool {
  var size = 0.0f;
  for (var j = t; j < n; j += WG) { size = max(size, abs(W(SDZ, j))); }
  let dn = reduce(size, MAX);
  if (!(dn > 0.0f)) { return false; }
  var descent = 0.0f;
  var normQ = 0.0f;
  var curvature = 0.0f;
  var normq = 0.0f;
  for (var j = t; j < n; j += WG) {
    var acc = 0.0f;
    for (var c = 0u; c < n; c++) { acc += Qs(j, c) * W(SDZ, c); }
    curvature = max(curvature, abs(acc) / dn);
    descent -= qv(j) * W(SDZ, j) / dn;
    normq = max(normq, abs(qv(j)));
  }
  for (var i = t; i < m; i += WG) {
    var acc = 0.0f;
    for (var j = 0u; j < n; j++) { acc += Aat(i, j) * W(SDZ, j); }
    curvature = max(curvature, abs(acc) / dn);
  }
  for (var i = t; i < p; i += WG) {
    var acc = 0.0f;
    for (var j = 0u; j < n; j++) { acc += Gat(i, j) * W(SDZ, j); }
    curvature = max(curvature, max(acc, 0.0f) / dn);
  }
  let descentAll = reduce(descent, SUM);
  let curvatureAll = reduce(curvature, MAX);
  let normqAll = reduce(normq, MAX);
  return descentAll > CERT * max(1.0f, normqAll) && curvatureAll <= CERT * descentAll;
}

fn setup(lid: u32, k: u32) {
  t = lid;
  member = k;
  wb = k * WS;
  kb = k * N * N;
  oQ = OQ + k * SQ;
  oq = Oq + k * Sq;
  oA = OA + k * SA;
  ob = Ob + k * Sb;
  oG = OG + k * SG;
  oh = Oh + k * Sh;
}

/* The data's size for the infeasibility certificate: max(1, ‖h‖∞/max|G|, ‖b‖∞/max|A|). */
fn dataRadius() -> f32 {
  var gMax = 0.0f;
  var hMax = 0.0f;
  var aMax = 0.0f;
  var bMax = 0.0f;
  for (var e = t; e < p * n; e += WG) { gMax = max(gMax, abs(data[oG + e])); }
  for (var e = t; e < m * n; e += WG) { aMax = max(aMax, abs(data[oA + e])); }
  for (var i = t; i < p; i += WG) { hMax = max(hMax, abs(hv(i))); }
  for (var i = t; i < m; i += WG) { bMax = max(bMax, abs(bv(i))); }
  let g = reduce(gMax, MAX);
  let h = reduce(hMax, MAX);
  let a = reduce(aMax, MAX);
  let b = reduce(bMax, MAX);
  var radius = 1.0f;
  if (g > 0.0f) { radius = max(radius, h / g); }
  if (a > 0.0f) { radius = max(radius, b / a); }
  return radius;
}


/*
 * Whether this member takes part in the dispatch: running (and below MAX_ITER in the
 * iteration's kernels), or solved in the backward pass. PHASE is set per pipeline.
 */
fn begin(lid: u32, k: u32) -> bool {
  setup(lid, k);
  if (t == 0u) {
    wgStatus = state[2u * member];
    wgIter = state[2u * member + 1u];
  }
  let status = workgroupUniformLoad(&wgStatus);
  let done = workgroupUniformLoad(&wgIter);
  // a stalled member reaches the backward pass only from resident.ts, which has no float64
  // check to settle it (solve-batch.ts rewrites every status first)
  if (PHASE == PHASE_BACKWARD) { return status == ${STATUS_SOLVED}u || status == ${STATUS_STALLED}u; }
  if (PHASE == PHASE_START) { return status == ${STATUS_RUNNING}u; }
  return status == ${STATUS_RUNNING}u && done < MAX_ITER;
}

fn finishWith(status: u32) {
  if (t == 0u) { state[2u * member] = status; }
}

/* Every member starts running, with w = 1 (the starting point's system). */
@compute @workgroup_size(WG)
fn init(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  setup(lid, gid.x);
  let radius = dataRadius();
  for (var i = t; i < p; i += WG) { setW(SW, i, 1.0f); }
  if (t == 0u) {
    setW(SRADIUS, 0u, radius);
    setW(SBEST, 0u, BIG);
    setW(SSTALL, 0u, 0.0f);
    state[2u * member] = ${STATUS_RUNNING}u;
    state[2u * member + 1u] = 0u;
  }
}

@compute @workgroup_size(WG)
fn build(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  buildK();
  // the blocked factorization starts at its first panel
  if (t == 0u) {
    setW(SFNEXT, 0u, 0.0f);
    setW(SFBAD, 0u, 0.0f);
  }
}

@compute @workgroup_size(WG)
fn factorize(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  factor();
  if (workgroupUniformLoad(&wgBad) != 0u) { finishWith(${STATUS_NUMERICAL}u); }
}

/*
 * The same factorization in blocks of FB columns for larger members (pipelines.ts chooses):
 * factorPanel eliminates a block's columns from the rows below them, one workgroup per member;
 * factorTrailing then subtracts the block's contribution from the rest of the lower triangle,
 * one workgroup per TILE×TILE tile of it (the dispatch's second dimension), with the tile's
 * block rows in workgroup memory; factorFinish scales L once all blocks are done. The same
 * operations as factor(), each entry's products subtracted in the same order.
 */
@compute @workgroup_size(WG)
fn factorPanel(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  if (t == 0u) {
    wgBlock = u32(W(SFNEXT, 0u));
    wgBad = 0u;
  }
  let start = workgroupUniformLoad(&wgBlock);
  let end = min(start + FB, N);
  if (start == 0u) { saveDiagonal(); }
  eliminateColumns(start, end);
  let bad = workgroupUniformLoad(&wgBad);
  if (t == 0u) {
    setW(SFBLOCK, 0u, f32(start));
    setW(SFNEXT, 0u, f32(end));
    if (bad != 0u) { setW(SFBAD, 0u, 1.0f); }
  }
}

@compute @workgroup_size(WG)
fn factorTrailing(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  if (t == 0u) { wgBlock = u32(W(SFBLOCK, 0u)); }
  let start = workgroupUniformLoad(&wgBlock);
  let end = min(start + FB, N);
  let width = end - start;
  // tile (ti, tc), tc <= ti, numbered row by row over the lower triangle of tiles
  var ti = u32((sqrt(8.0f * f32(gid.y) + 1.0f) - 1.0f) / 2.0f);
  while ((ti + 1u) * (ti + 2u) / 2u <= gid.y) { ti++; }
  while (ti * (ti + 1u) / 2u > gid.y) { ti--; }
  let tc = gid.y - ti * (ti + 1u) / 2u;
  let row0 = end + ti * TILE;
  let col0 = end + tc * TILE;
  for (var e = t; e < TILE * FB; e += WG) {
    let r = e / FB;
    let j = e % FB;
    var l = 0.0f;
    var c = 0.0f;
    if (j < width) {
      let pivotAt = kb + (start + j) * N + start + j;
      if (row0 + r < N) { l = K[kb + (row0 + r) * N + start + j] / K[pivotAt]; }
      if (col0 + r < N) { c = K[kb + (col0 + r) * N + start + j]; }
    }
    tileRows[e] = l;
    tileCols[e] = c;
  }
  workgroupBarrier();
  for (var e = t; e < TILE * TILE; e += WG) {
    let r = e / TILE;
    let q = e % TILE;
    let i = row0 + r;
    let c = col0 + q;
    if (i < N && c <= i) {
      // one product at a time, in column order, as factor() subtracts them: the same roundings
      var entry = K[kb + i * N + c];
      for (var j = 0u; j < width; j++) { entry -= tileRows[r * FB + j] * tileCols[q * FB + j]; }
      K[kb + i * N + c] = entry;
    }
  }
}

@compute @workgroup_size(WG)
fn factorFinish(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  scaleBelowDiagonal();
  if (t == 0u) { wgBad = u32(W(SFBAD, 0u)); }
  if (workgroupUniformLoad(&wgBad) != 0u) { finishWith(${STATUS_NUMERICAL}u); }
}

/*
 * The three kernels of one solve K0 x = rhs: x = (LDL')⁻¹ rhs, then (solve-batch.ts dispatches
 * them REFINEMENT_STEPS times) r = rhs − K0 x and x += (LDL')⁻¹ r.
 */
@compute @workgroup_size(WG)
fn solveFirst(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  for (var i = t; i < N; i += WG) { setW(SX, i, W(SRHS, i)); }
  if (t == 0u) { setW(SRNORM, 0u, BIG); }
  sync();
  solveFactored(SX);
}

@compute @workgroup_size(WG)
fn refineResidual(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  applyK0(SX, SR);
  var size = 0.0f;
  for (var i = t; i < N; i += WG) {
    let r = W(SRHS, i) - W(SR, i);
    setW(SR, i, r);
    size = max(size, select(BIG, abs(r), finite(r)));
  }
  // f32 refinement with poor factors can diverge: a step that did not shrink the residual is
  // undone, and the refinement stops (r = 0)
  let rnorm = reduce(size, MAX);
  let previous = reduce(W(SRNORM, 0u), MAX);
  if (rnorm < previous) {
    for (var i = t; i < N; i += WG) { setW(SX_PREV, i, W(SX, i)); }
    if (t == 0u) { setW(SRNORM, 0u, rnorm); }
  } else {
    for (var i = t; i < N; i += WG) {
      setW(SX, i, W(SX_PREV, i));
      setW(SR, i, 0.0f);
    }
    if (t == 0u) { setW(SRNORM, 0u, 0.0f); }
  }
}

@compute @workgroup_size(WG)
fn refineSolve(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  solveFactored(SR);
  for (var i = t; i < N; i += WG) { setW(SX, i, W(SX, i) + W(SR, i)); }
}

/* CVXOPT's starting point: (z, nu) solve the KKT system with w = 1 for [−q + G'h; b]. */
@compute @workgroup_size(WG)
fn startRhs(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  for (var j = t; j < n; j += WG) { setW(SRHS, j, -qv(j)); }
  for (var i = t; i < p; i += WG) { setW(SRHS, n + i, hv(i)); }
  for (var i = t; i < m; i += WG) { setW(SRHS, n + p + i, bv(i)); }
}

/* then s = h − Gz and lam = −s, each shifted by 1 − its least entry where that is not positive. */
@compute @workgroup_size(WG)
fn startFinish(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  for (var j = t; j < n; j += WG) { setW(SZ, j, W(SX, j)); }
  for (var i = t; i < m; i += WG) { setW(SNU, i, W(SX, n + p + i)); }
  sync();
  var least = BIG;
  var most = -BIG;
  for (var i = t; i < p; i += WG) {
    var gz = 0.0f;
    for (var j = 0u; j < n; j++) { gz += Gat(i, j) * W(SZ, j); }
    let slack = hv(i) - gz;
    setW(STP, i, slack);
    least = min(least, slack);
    most = max(most, slack);
  }
  let sMin = reduce(least, MIN);
  let lamMin = -reduce(most, MAX);
  let sShift = select(0.0f, 1.0f - sMin, sMin <= 0.0f);
  let lamShift = select(0.0f, 1.0f - lamMin, lamMin <= 0.0f);
  for (var i = t; i < p; i += WG) {
    let s = W(STP, i) + sShift;
    let lam = -W(STP, i) + lamShift;
    setW(SS, i, s);
    setW(SLAM, i, lam);
    setW(SW, i, lam / s);
  }
}

/* The stopping test and certificates at the point whose factors were just made. */
@compute @workgroup_size(WG)
fn measurePoint(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  let measured = measure();
  if (measured.status != ${STATUS_RUNNING}u) { finishWith(measured.status); }
  if (t == 0u) { setW(SMU, 0u, measured.mu); }
}

@compute @workgroup_size(WG)
fn predictorRhs(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  directionRhs(false, 0.0f);
}

/* The affine direction's step and complementarity give sigma = (muAff/mu)³: the corrector's rhs. */
@compute @workgroup_size(WG)
fn correctorRhs(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  directionFinish();
  sync();
  let alphaAff = min(1.0f, stepToBoundary());
  var gapAff = 0.0f;
  for (var i = t; i < p; i += WG) {
    gapAff += (W(SS, i) + alphaAff * W(SDS, i)) * (W(SLAM, i) + alphaAff * W(SDLAM, i));
    setW(SDS_AFF, i, W(SDS, i));
    setW(SDLAM_AFF, i, W(SDLAM, i));
  }
  let muAff = reduce(gapAff, SUM) / f32(max(p, 1u));
  let mu = W(SMU, 0u);
  let ratio = select(0.0f, clamp(muAff / mu, 0.0f, 1.0f), mu > 0.0f);
  directionRhs(p > 0u, ratio * ratio * ratio * mu);
}

/* The step: 0.99 of the way to the boundary, at most 1; then w at the new point. */
@compute @workgroup_size(WG)
fn takeStep(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  directionFinish();
  sync();
  let alpha = min(1.0f, 0.99f * stepToBoundary());
  for (var j = t; j < n; j += WG) { setW(SZ, j, W(SZ, j) + alpha * W(SDZ, j)); }
  for (var i = t; i < m; i += WG) { setW(SNU, i, W(SNU, i) + alpha * W(SDNU, i)); }
  for (var i = t; i < p; i += WG) {
    // kept above f32's underflow: s/lam must stay finite in K
    let s = max(W(SS, i) + alpha * W(SDS, i), TINY);
    let lam = max(W(SLAM, i) + alpha * W(SDLAM, i), TINY);
    setW(SS, i, s);
    setW(SLAM, i, lam);
    setW(SW, i, lam / s);
  }
  sync();
  let unbounded = isUnbounded();
  let done = workgroupUniformLoad(&wgIter) + 1u;
  if (t == 0u) {
    state[2u * member + 1u] = done;
    if (unbounded) {
      state[2u * member] = ${STATUS_UNBOUNDED}u;
    } else if (done < MAX_ITER) {
      atomicAdd(&running, 1u);
    }
  }
}

/*
 * The backward pass of a solved member: (Q + G'WG) d_z + A'd_nu = −g, A d_z = 0 with the final
 * factors (backward.ts); the solve leaves d_z in dz, d_nu in dnu and D(lam)d_lam = w∘(G d_z) in yG.
 */
@compute @workgroup_size(WG)
fn backwardRhs(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  for (var j = t; j < n; j += WG) { setW(SRHS, j, -upstream[member * n + j]); }
  for (var i = t; i < p + m; i += WG) { setW(SRHS, n + i, 0.0f); }
}

@compute @workgroup_size(WG)
fn backwardFinish(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) gid: vec3<u32>) {
  if (!begin(lid, gid.x)) { return; }
  for (var j = t; j < n; j += WG) { setW(SDZ, j, W(SX, j)); }
  for (var i = t; i < p; i += WG) { setW(SY_G, i, W(SX, n + i)); }
  for (var i = t; i < m; i += WG) { setW(SDNU, i, W(SX, n + p + i)); }
}
`;

/** WGSL constant naming a work slot: z → SZ, dsAff → SDS_AFF. */
function slotName(slot: string): string {
  return "S" + slot.replace(/[A-Z]/g, (ch) => `_${ch}`).toUpperCase();
}
