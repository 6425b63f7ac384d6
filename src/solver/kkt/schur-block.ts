/**
 * What the forms that factor K share: the Schur block of the rows K does not hold, the solve
 * through it, and the refinement against the unregularized system.
 *
 * Near the solution w_i grows without bound on active rows, and folding those weights into the
 * n×n block would bury the rest of it under rounding error (the gradients would be wrong by
 * ~1e-4). So a row whose weight exceeds a split weight T keeps only T in the n×n block, and its
 * excess w_i − T joins the equalities as an unknown t_i = (w_i − T) g_i'x with the equation
 * g_i'x − t_i/(w_i − T) = 0. Keeping T (rather than nothing) keeps the n×n block well
 * conditioned when Q is singular along g_i. With Ã = [A; G_moved], D = diag(delta, 1/(w − T))
 * and wK = min(w, T):
 *
 *     [ K  Ã' ] [x]   [r1]      K = Q + rho·I + G' diag(wK) G
 *     [ Ã  −D ] [t] = [r2; 0]
 *
 * factored as K + diag(reg) = L L' (by the form) and the Schur complement
 * (Y Y' + D)(I + regS) = S S' with Y = Ã L⁻ᵀ (here). Rows ±e_j never move: their weight sits on
 * one diagonal entry of K, which buries nothing (Cholesky is invariant under diagonal scaling).
 */
import { multiplyG, multiplyGPair, multiplyGTransposed } from "../g-operator.js";
import { copyInto, multiplyQ, type KktSystem } from "../workspace.js";
import { settleHeaviestRows } from "./eliminated.js";
import {
  EXACT_REFINEMENT_STEPS,
  MAX_REFINEMENT_STEPS,
  SOLUTION_SPLIT_WEIGHT,
  type FactorRequest,
} from "./form.js";
import { BASE_REGULARIZATION_S, REGULARIZATION_RETRIES } from "./regularization.js";

/** v ← L⁻¹v and v ← L⁻ᵀv with member k's factor of K, as its form stores it. */
export interface LowerFactor {
  forward(ws: KktSystem, k: number, v: Float64Array, vOff: number): void;
  backward(ws: KktSystem, k: number, v: Float64Array, vOff: number): void;
}

/** L as the Cholesky kernel leaves it: n×n per member. */
export const KERNEL_LOWER: LowerFactor = {
  forward(ws, k, v, vOff) {
    const { kernels, n } = ws.data;
    kernels.solveLower(ws.factorization.L, k * n * n, n, v, vOff);
  },
  backward(ws, k, v, vOff) {
    const { kernels, n } = ws.data;
    kernels.solveLowerTransposed(ws.factorization.L, k * n * n, n, v, vOff);
  },
};

/** Where member k's Y and S are (Factorization.schurPlace): its own buffers, or scratch. */
export const SCHUR_OWN = 0;
export const SCHUR_RANGE_CACHE = 1;
export const SCHUR_SCRATCH = 2;

export function schurY(ws: KktSystem, k: number): Float64Array {
  const { factorization, scratch } = ws;
  const place = factorization.schurPlace[k];
  return place === SCHUR_OWN
    ? factorization.Y
    : place === SCHUR_RANGE_CACHE
      ? factorization.rangeCache.Y
      : scratch.scratchY;
}

export function schurYOffset(ws: KktSystem, k: number): number {
  const { data, factorization } = ws;
  return factorization.schurPlace[k] === SCHUR_OWN ? k * (data.m + data.p) * data.n : 0;
}

function schurS(ws: KktSystem, k: number): Float64Array {
  const { factorization, scratch } = ws;
  return factorization.schurPlace[k] === SCHUR_OWN ? factorization.S : scratch.scratchS;
}

function schurSOffset(ws: KktSystem, k: number): number {
  const { data, factorization } = ws;
  return factorization.schurPlace[k] === SCHUR_OWN ? k * (data.m + data.p) * (data.m + data.p) : 0;
}

/** Y (rows×n at yOff) ← Ã L⁻ᵀ for member k, as its form computes it. */
export type SchurRows = (ws: KktSystem, k: number, Y: Float64Array, yOff: number) => void;
/**
 * Where a form has the Schur block's Gram matrix Y Y' already (range-space: its cache's, lower
 * triangle, stride m + dense): writes the numbers of its `rows` rows there into `index` (float64,
 * ascending) and returns true, or returns false where they are its first `rows` rows in order.
 */
export type SchurGramRows = (
  ws: KktSystem,
  k: number,
  rows: number,
  index: Float64Array,
) => boolean;

/** Y ← [A; moved rows of G] of member k, unsolved. */
export function copySchurRows(ws: KktSystem, k: number, Y: Float64Array, yOff: number): void {
  const { data, factorization } = ws;
  const { n, m, p, A, G } = data;
  const { schurRows } = factorization;
  const aOff = k * data.stride.A;
  const gOff = k * data.stride.G;
  const pOff = k * p;
  copyInto(A, aOff, Y, yOff, m * n);
  for (let j = 0; j < factorization.schurCount[k]; j++) {
    copyInto(G, gOff + schurRows[pOff + j] * n, Y, yOff + (m + j) * n, n);
  }
}

/**
 * Member k's Schur block over A and the moved rows (schurRows, schurCount), with K's factor
 * already in place: Y by `rows` (skipped where the range-space cache is Y itself, `inCache`) and
 * S from Y Y', retried with a hundredfold regS on a failed pivot. Y Y' is formed in S by syrk, or,
 * where the form has it already (`gramRows`), read by the Cholesky where it lies. Only the
 * factorization at a solution is read after the member's next one (by the backward pass): the
 * others keep Y and S in scratch shared by the batch, which stays in cache and spares the member's
 * own buffers (fresh memory, whose first touch costs a page fault per 4 KiB).
 */
export function factorSchurBlock(
  ws: KktSystem,
  k: number,
  request: FactorRequest,
  rows: SchurRows,
  inCache = false,
  gramRows: SchurGramRows | null = null,
): boolean {
  const { factorization, scratch } = ws;
  const { kernels, m, p } = ws.data;
  const { w, wK, schurRows } = factorization;
  const moved = factorization.schurCount[k];
  const count = m + moved;
  if (count === 0) return true;
  const pOff = k * p;
  const mOff = k * m;
  const { delta } = request;
  factorization.schurPlace[k] =
    request.splitWeight <= SOLUTION_SPLIT_WEIGHT
      ? SCHUR_OWN
      : inCache
        ? SCHUR_RANGE_CACHE
        : SCHUR_SCRATCH;
  const Y = schurY(ws, k);
  const yOff = schurYOffset(ws, k);
  if (factorization.schurPlace[k] !== SCHUR_RANGE_CACHE) rows(ws, k, Y, yOff);
  const S = schurS(ws, k);
  const sOff = schurSOffset(ws, k);
  const { schurDiagonal: diagonal } = scratch;
  // where the form has Y Y' (gramRows): the range-space cache's Gram matrix, and the rows of it
  // the block takes (null: its first `count`)
  const gram = factorization.rangeCache.gram;
  const gramStride = m + ws.data.denseCount[0];
  const gathered = gramRows !== null && gramRows(ws, k, count, scratch.gramRows);
  const index = gathered ? scratch.gramRows : null;
  // regS is relative to each diagonal entry: Cholesky's rounding is too (it is invariant under
  // diagonal scaling), and the equality rows' entries can be orders of magnitude above the
  // moved rows' when K is nearly singular along A.
  let regS = BASE_REGULARIZATION_S;
  // delta on the equality rows is part of the system solved (refinement keeps it); regS, relative
  // to each diagonal entry, is static and refined away
  factorization.deltaEq.fill(delta, mOff, mOff + m);
  let factored = false;
  for (let attempt = 0; attempt <= REGULARIZATION_RETRIES && !factored; attempt++) {
    // S ← Y Y' + D + regS·diag(Y Y' + D), then its Cholesky factor
    if (gramRows === null) {
      kernels.syrk(Y, yOff, count, ws.data.n, S, sOff);
      for (let i = 0; i < count; i++) diagonal[i] = S[sOff + i * count + i];
    } else {
      for (let i = 0; i < count; i++) {
        const row = index === null ? i : index[i];
        diagonal[i] = gram[row * gramStride + row];
      }
    }
    for (let j = 0; j < moved; j++) {
      const i = pOff + schurRows[pOff + j];
      diagonal[m + j] += 1 / (w[i] - wK[i]);
    }
    for (let i = 0; i < m; i++) diagonal[i] += delta;
    for (let i = 0; i < count; i++) {
      const d = diagonal[i];
      diagonal[i] = d + regS * (d > 0 ? d : 1);
    }
    if (gramRows === null) {
      for (let i = 0; i < count; i++) S[sOff + i * count + i] = diagonal[i];
      factored = kernels.cholesky(S, sOff, count);
    } else {
      factored = kernels.choleskyGathered(
        gram,
        0,
        gramStride,
        index,
        0,
        diagonal,
        0,
        S,
        sOff,
        count,
      );
    }
    if (!factored) regS *= 100;
  }
  factorization.regS[k] = regS;
  return factored;
}

/** (c1, c2) ← the regularized system's solution for right-hand side (e1, e2), through S. */
export function solveThroughSchur(
  ws: KktSystem,
  k: number,
  rows: number,
  lower: LowerFactor,
): void {
  const { kernels, n, m, p } = ws.data;
  const { e1, e2, c1, c2 } = ws.scratch;
  const nOff = k * n;
  const rOff = k * (m + p);
  copyInto(e1, nOff, c1, nOff, n);
  // u = L⁻¹ e1
  lower.forward(ws, k, c1, nOff);
  if (rows > 0) {
    const Y = schurY(ws, k);
    const yOff = schurYOffset(ws, k);
    const S = schurS(ws, k);
    const sOff = schurSOffset(ws, k);
    // t = S⁻ᵀS⁻¹ (Y u − e2)
    kernels.gemv(Y, yOff, rows, n, false, 1, c1, nOff, 0, c2, rOff);
    for (let i = 0; i < rows; i++) c2[rOff + i] -= e2[rOff + i];
    kernels.solveLower(S, sOff, rows, c2, rOff);
    kernels.solveLowerTransposed(S, sOff, rows, c2, rOff);
    // x = L⁻ᵀ (u − Y' t)
    kernels.gemv(Y, yOff, rows, n, true, -1, c2, rOff, 1, c1, nOff);
  }
  lower.backward(ws, k, c1, nOff);
}

/**
 * (e1, e2) ← (r1, [r2; 0]) − [K Ã'; Ã −D] (x, t), the unregularized system; returns ‖e‖∞.
 * `grouped`: K is the eliminated form's, whose groups' heaviest rows are settled exactly
 * (eliminated.ts, settleHeaviestRows).
 */
function residual(
  ws: KktSystem,
  k: number,
  x: Float64Array,
  xOff: number,
  grouped: boolean,
  regularized = true,
): number {
  const { data, factorization } = ws;
  const { kernels, n, m, p, A } = data;
  const { w, wK, schurRows } = factorization;
  const { r1, r2, e1, e2, yt, yG, gx, tDense } = ws.scratch;
  const nOff = k * n;
  const mOff = k * m;
  const pOff = k * p;
  const rOff = k * (m + p);
  const aOff = k * data.stride.A;
  const moved = factorization.schurCount[k];
  let norm = 0;
  // e1 = Q x + G' yG with gx = G x and yG = wK∘gx + t (t on the moved rows), in one pass over G
  multiplyQ(data, k, x, xOff, e1, nOff);
  tDense.fill(0, pOff, pOff + p);
  for (let j = 0; j < moved; j++) tDense[pOff + schurRows[pOff + j]] = yt[rOff + m + j];
  if (grouped) {
    multiplyG(ws, k, 1, x, xOff, 0, gx, pOff);
    for (let i = pOff; i < pOff + p; i++) yG[i] = wK[i] * gx[i] + tDense[i];
    settleHeaviestRows(ws, k, x, xOff, r1, nOff, yG);
    multiplyGTransposed(ws, k, 1, yG, pOff, 1, e1, nOff);
  } else multiplyGPair(ws, k, x, xOff, gx, wK, tDense, yG, pOff, 1, e1, nOff);
  // e2 = −g_i'x + t_i/(w_i − wK_i) on the moved rows
  for (let j = 0; j < moved; j++) {
    const i = pOff + schurRows[pOff + j];
    const e = yt[rOff + m + j] / (w[i] - wK[i]) - gx[i];
    e2[rOff + m + j] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  // e1 = r1 − (Q + rho·I) x − G' yG − A't_A
  if (m > 0) kernels.gemv(A, aOff, m, n, true, 1, yt, rOff, 1, e1, nOff);
  const rho = regularized ? factorization.rho[k] : 0;
  for (let i = 0; i < n; i++) {
    const e = r1[nOff + i] - e1[nOff + i] - rho * x[xOff + i];
    e1[nOff + i] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  // e2 = r2 − A x + deltaEq∘t_A on the equality rows
  if (m > 0) kernels.gemv(A, aOff, m, n, false, 1, x, xOff, 0, e2, rOff);
  const { deltaEq } = factorization;
  for (let i = 0; i < m; i++) {
    const proximal = regularized ? deltaEq[mOff + i] * yt[rOff + i] : 0;
    const e = r2[mOff + i] - e2[rOff + i] + proximal;
    e2[rOff + i] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  return norm;
}

/** (c1, c2) ← a form's regularized solution for (e1, e2) over `rows` Schur rows. */
export type RegularizedSolve = (ws: KktSystem, k: number, rows: number) => void;

/**
 * Solves member k's reduced KKT system for the right-hand side in (r1, r2), writing x at
 * (x, xOff) and y at (y, yOff): the regularized solve, refined against the unregularized system
 * while the residual shrinks, until `target` relative to the right-hand side. Also leaves
 * w∘(G x) in scratch.yG and G x in scratch.gx. Returns the number of regularized solves it took
 * (1: the first one met `target`).
 *
 * `proximalRemoved`: refine against the system without the proximal rho and delta too, so that
 * an equality-only member's Newton step is the exact solution of [Q A'; A 0]. Refinement with
 * the regularized factor as preconditioner contracts by ~rho/(rho + λ) per step, about ½ where
 * the curvature λ is as small as rho (least squares with data ×1e-4), hence up to
 * EXACT_REFINEMENT_STEPS steps; it stops when a step no longer shrinks the residual and keeps
 * the best iterate (a singular [Q A'; A 0] has no exact solution to converge to).
 */
export function refine(
  ws: KktSystem,
  k: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  target: number,
  regularizedSolve: RegularizedSolve,
  grouped: boolean,
  proximalRemoved = false,
): number {
  const { factorization } = ws;
  const { n, m, p } = ws.data;
  const { r1, r2, e1, e2, c1, c2, yt } = ws.scratch;
  const nOff = k * n;
  const mOff = k * m;
  const rOff = k * (m + p);
  const rows = m + factorization.schurCount[k];
  let rhsNorm = 0;
  for (let i = 0; i < n; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r1[nOff + i]));
  for (let i = 0; i < m; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r2[mOff + i]));
  copyInto(r1, nOff, e1, nOff, n);
  copyInto(r2, mOff, e2, rOff, m);
  e2.fill(0, rOff + m, rOff + rows);
  x.fill(0, xOff, xOff + n);
  yt.fill(0, rOff, rOff + rows);
  const maxSteps = proximalRemoved ? EXACT_REFINEMENT_STEPS : MAX_REFINEMENT_STEPS;
  const bestX = proximalRemoved ? new Float64Array(n) : null;
  const bestY = proximalRemoved ? new Float64Array(rows) : null;
  let previous = Infinity;
  let solves = 0;
  for (let step = 0; ; step++) {
    regularizedSolve(ws, k, rows);
    solves++;
    // (x, t) += (c1, c2)
    for (let i = 0; i < n; i++) x[xOff + i] += c1[nOff + i];
    for (let i = 0; i < rows; i++) yt[rOff + i] += c2[rOff + i];
    // The residual also leaves yG = w∘(G x) for this x.
    const norm = residual(ws, k, x, xOff, grouped, !proximalRemoved);
    if (bestX && bestY) {
      if (norm < previous) {
        bestX.set(x.subarray(xOff, xOff + n));
        bestY.set(yt.subarray(rOff, rOff + rows));
      }
      if (step === maxSteps || norm <= target * rhsNorm || !(norm < previous)) {
        x.set(bestX, xOff);
        yt.set(bestY, rOff);
        if (!(norm < previous)) residual(ws, k, x, xOff, grouped, false);
        break;
      }
    } else {
      if (step === maxSteps) break;
      // Refinement stops when the residual is at rounding level or no longer shrinks.
      if (norm <= target * rhsNorm || norm > 0.25 * previous) break;
    }
    previous = norm;
  }
  copyInto(yt, rOff, y, yOff, m);
  return solves;
}

/**
 * A Newton direction of a forward iteration (DIRECTION_TOLERANCE) with K's factor as the
 * Cholesky kernel or the diagonal form leave it: the regularized solve, without the residual pass
 * that would check it. On the paper's problems (n = 10 and 20, m = 0 and 3, batch 128) that first
 * solve's residual is ~3e-12 of the right-hand side (median; 99% under 4e-10, the largest 1.5e-9):
 * the refinement would almost always have stopped there with the same x, so mostly only the check
 * is skipped (~13% of the solve at n = 10), and the iteration counts stay the same. Its error is
 * the static regularizations' (relative ~1e-11 of K's diagonal, 1e-13 of S's), and the stopping
 * test measures the exact residuals of the iterate, so an inexact direction could cost an
 * iteration, never accuracy. The range-space form, whose first solve is ~100× less exact, takes
 * it only for a factorization whose first solve met the tolerance unrefined (range-space.ts).
 * Leaves gx = G x and yG = wK∘gx + t (t on the moved rows) as the refinement would.
 */
export function solveDirectionOnce(
  ws: KktSystem,
  k: number,
  x: Float64Array,
  xOff: number,
  y: Float64Array,
  yOff: number,
  lower: LowerFactor,
): void {
  const { factorization } = ws;
  const { n, m, p } = ws.data;
  const { wK, schurRows } = factorization;
  const { r1, r2, e1, e2, c1, c2, gx, yG } = ws.scratch;
  const nOff = k * n;
  const pOff = k * p;
  const rOff = k * (m + p);
  const rows = m + factorization.schurCount[k];
  if (rows === 0) {
    // K alone: solve in place
    copyInto(r1, nOff, x, xOff, n);
    lower.forward(ws, k, x, xOff);
    lower.backward(ws, k, x, xOff);
  } else {
    copyInto(r1, nOff, e1, nOff, n);
    copyInto(r2, k * m, e2, rOff, m);
    for (let i = rOff + m; i < rOff + rows; i++) e2[i] = 0;
    solveThroughSchur(ws, k, rows, lower);
    copyInto(c1, nOff, x, xOff, n);
    copyInto(c2, rOff, y, yOff, m);
  }
  multiplyG(ws, k, 1, x, xOff, 0, gx, pOff);
  for (let i = pOff; i < pOff + p; i++) yG[i] = wK[i] * gx[i];
  for (let j = 0; j < rows - m; j++) yG[pOff + schurRows[pOff + j]] += c2[rOff + m + j];
}
