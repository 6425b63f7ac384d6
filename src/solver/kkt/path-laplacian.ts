/**
 * The reduced KKT system of epigraphs of differences along a path (total variation:
 * ‖D z‖₁ ≤ 1't with rows d_i'z − t_i ≤ 0 and −d_i'z − t_i ≤ 0), factored in O(n) without a split
 * weight or a Schur block.
 *
 * With the auxiliary columns t eliminated (eliminated.ts finds them), a group of rows r on one
 * t (weights w_r, coefficient g_r on t, z-part α_r d with d = e_lo − e_hi the same for the whole
 * group) leaves on the z block the rank-one term ω d d' with, for Σ = q_t + Σ_r w_r g_r²,
 *
 *     ω = (Σ_{r<s} w_r w_s (g_s α_r − g_r α_s)² + Σ_r q_t w_r α_r²) / Σ
 *
 * (TV: ω = 4 w1 w2 / (w1 + w2)), a sum of nonnegative terms. When Q is diagonal, every other row
 * of G is ±e_j (its weight joins the diagonal) and the pairs (lo, hi) form paths, the z block is
 * a weighted path Laplacian plus a positive diagonal excess a. Eliminating node j into j+1 in
 * conductance form adds the series combination a_j ω_j / (a_j + ω_j) to node j+1's excess: every
 * quantity is a sum or product of positive terms, so the factorization is accurate to rounding
 * relative to each of them whatever the size of ω (Demmel–Koev for diagonally dominant matrices
 * given their diagonal excess).
 *
 * An active pair's weights reach ~1e16, so its multipliers cannot be formed as w_r·(g_r'x). They
 * are unknowns instead (the augmented system  [K₀ G_e'; G_e −W_e⁻¹] [x; y] = [r; e_y]  with K₀
 * holding Q and the unit rows), and the solve gets them from balances of moderate terms: the
 * flow F = Σ_r α_r y_r through the edge from the node equations of the path, and Σ_r g_r y_r
 * from t's equation. Iterative refinement runs against this unregularized augmented system.
 */
import { groupsOf } from "./eliminated.js";
import { multiplyG, multiplyGTransposed } from "../g-operator.js";
import { copyInto, multiplyQ, type KktSystem } from "../workspace.js";
import { FORM_ID, MAX_REFINEMENT_STEPS, type KktForm } from "./form.js";
import { columnRegularizations } from "./regularization.js";

/**
 * The path of each member whose eliminated system is a weighted path Laplacian plus a diagonal
 * (plan.pathFound), found by the analysis before its iterations (findChain): ProblemData
 * (`data.chainPath`), read-only during the member's iterations. Per member (n each): the path's
 * z columns in order (`order`), the group on the edge after each position or −1 (`edgeGroup`),
 * each group's edge or −1 (`groupEdge`).
 */
export interface ChainPath {
  readonly order: Int32Array;
  readonly edgeGroup: Int32Array;
  readonly groupEdge: Int32Array;
}

/**
 * The path factorization of each member (factorChain): Factorization (`factorization.chain`),
 * rewritten by every factorization in the path form; the member's last one is what the backward
 * pass solves with. Per member (n each): the accumulated diagonal excess, ρ and σ of each edge,
 * each group's pivot Σ and curvature q_t + reg.
 */
export interface ChainFactor {
  readonly excess: Float64Array;
  readonly rho: Float64Array;
  readonly sigma: Float64Array;
  readonly pivot: Float64Array;
  readonly curvature: Float64Array;
}

/**
 * Scratch of one factorization or solve of the member being solved (`scratch.chain`), read by
 * nothing after it: the multipliers of the group rows, their corrections and residuals (p each),
 * node vectors (n each: φ of each edge, the right-hand side, the nodes' solution or the edges' ω)
 * and each column's position on the path (n, factorChain).
 */
export interface ChainScratch {
  readonly y: Float64Array;
  readonly dy: Float64Array;
  readonly ey: Float64Array;
  readonly phi: Float64Array;
  readonly rhs: Float64Array;
  readonly node: Float64Array;
  readonly position: Int32Array;
}

export function createChainPath(batch: number, n: number): ChainPath {
  return {
    order: new Int32Array(batch * n),
    edgeGroup: new Int32Array(batch * n),
    groupEdge: new Int32Array(batch * n),
  };
}

export function createChainFactor(batch: number, n: number): ChainFactor {
  const perMember = () => new Float64Array(batch * n);
  return {
    excess: perMember(),
    rho: perMember(),
    sigma: perMember(),
    pivot: perMember(),
    curvature: perMember(),
  };
}

export function createChainScratch(n: number, p: number): ChainScratch {
  return {
    y: new Float64Array(p),
    dy: new Float64Array(p),
    ey: new Float64Array(p),
    phi: new Float64Array(n),
    rhs: new Float64Array(n),
    node: new Float64Array(n),
    position: new Int32Array(n),
  };
}

/**
 * plan.pathFound[k] and the path of member k (data.chainPath), after findEliminableColumns.
 * Requires unitColumn and the elimination scratch (elimRowAux, elimSparse) of member k.
 */
export function findChain(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { n, m, p, Q, unitColumn } = data;
  const { elimOrder, elimRowAux } = data.elimination;
  data.plan.pathFound[k] = 0;
  const nt = data.plan.elimCount[k];
  if (nt === 0 || m !== 0) return;
  const nz = n - nt;
  const oOff = k * n;
  const qOff = k * data.stride.Q;
  const zColumn = (a: number) => elimOrder[oOff + a];
  // Q diagonal among the z columns (elimination already requires it of the t columns)
  for (let a = 0; a < nz; a++) {
    const row = qOff + zColumn(a) * n;
    for (let b = 0; b < nz; b++) if (b !== a && Q[row + zColumn(b)] !== 0) return;
  }
  // every row outside the groups is ±e_j on a z column
  const isZ = new Uint8Array(n);
  for (let a = 0; a < nz; a++) isZ[zColumn(a)] = 1;
  for (let i = 0; i < p; i++) {
    if (elimRowAux[i] < 0 && (unitColumn[i] < 0 || !isZ[unitColumn[i]])) return;
  }
  // each group's z-parts: all multiples of one e_lo − e_hi (z positions), or all empty
  const { start, index, value } = data.elimination.elimSparse;
  const { elimGroupStart, elimGroupRows } = groupsOf(ws, k);
  const pairLo = new Int32Array(nt).fill(-1);
  const pairHi = new Int32Array(nt).fill(-1);
  for (let c = 0; c < nt; c++) {
    for (let j = elimGroupStart[c]; j < elimGroupStart[c + 1]; j++) {
      const r = elimGroupRows[j];
      const count = start[r + 1] - start[r];
      if (count === 0) continue;
      if (count !== 2) return;
      const e = start[r];
      if (value[e] + value[e + 1] !== 0) return;
      const lo = Math.min(index[e], index[e + 1]);
      const hi = Math.max(index[e], index[e + 1]);
      if (pairLo[c] < 0) {
        pairLo[c] = lo;
        pairHi[c] = hi;
      } else if (pairLo[c] !== lo || pairHi[c] !== hi) return;
    }
  }
  if (!orderPath(ws, k, nz, pairLo, pairHi)) return;
  data.plan.pathFound[k] = 1;
}

/**
 * chainPath.order, edgeGroup and groupEdge of member k from the groups' node pairs; false when a
 * node has three neighbours, two groups join the same pair, or the graph has a cycle.
 */
function orderPath(
  ws: KktSystem,
  k: number,
  nz: number,
  pairLo: Int32Array,
  pairHi: Int32Array,
): boolean {
  const { data } = ws;
  const { n, chainPath } = data;
  const { elimOrder } = data.elimination;
  const nt = pairLo.length;
  const oOff = k * n;
  // up to two neighbours per node, with the group joining them
  const neighbour = new Int32Array(2 * nz).fill(-1);
  const via = new Int32Array(2 * nz).fill(-1);
  const link = (a: number, b: number, c: number) => {
    const slot = neighbour[2 * a] < 0 ? 2 * a : neighbour[2 * a + 1] < 0 ? 2 * a + 1 : -1;
    if (slot < 0 || neighbour[2 * a] === b) return false;
    neighbour[slot] = b;
    via[slot] = c;
    return true;
  };
  for (let c = 0; c < nt; c++) {
    if (pairLo[c] < 0) continue;
    if (!link(pairLo[c], pairHi[c], c) || !link(pairHi[c], pairLo[c], c)) return false;
  }
  const visited = new Uint8Array(nz);
  const positionOf = new Int32Array(nz);
  let position = 0;
  for (let first = 0; first < nz; first++) {
    if (visited[first] || (neighbour[2 * first] >= 0 && neighbour[2 * first + 1] >= 0)) continue;
    // walk from an end of this path
    let previous = -1;
    let node = first;
    while (node >= 0) {
      visited[node] = 1;
      positionOf[node] = position;
      chainPath.order[oOff + position] = elimOrder[oOff + node];
      chainPath.edgeGroup[oOff + position] = -1;
      let next = -1;
      for (const slot of [2 * node, 2 * node + 1]) {
        const b = neighbour[slot];
        if (b >= 0 && b !== previous && !visited[b]) {
          next = b;
          chainPath.edgeGroup[oOff + position] = via[slot];
        }
      }
      previous = node;
      node = next;
      position++;
    }
  }
  if (position < nz) return false;
  for (let c = 0; c < nt; c++) {
    if (pairLo[c] < 0) {
      chainPath.groupEdge[oOff + c] = -1;
      continue;
    }
    // the edge sits at the lower of its nodes' positions
    const a = positionOf[pairLo[c]];
    const b = positionOf[pairHi[c]];
    chainPath.groupEdge[oOff + c] = Math.min(a, b);
  }
  return true;
}

/**
 * Factors member k's system with the weights w and static regularization `regularization[j]` on
 * each column's diagonal. Returns false (the dense path takes over) when a weight or a pivot is
 * not positive and finite.
 */
export function factorChain(ws: KktSystem, k: number, regularization: Float64Array): boolean {
  const { data } = ws;
  const { n, p, Q, G, unitColumn } = data;
  const { w, chain } = ws.factorization;
  const { elimOrder } = data.elimination;
  const { order, groupEdge } = data.chainPath;
  const { excess, rho, sigma, pivot, curvature } = chain;
  const { position, node } = ws.scratch.chain;
  const nt = data.plan.elimCount[k];
  const nz = n - nt;
  const oOff = k * n;
  const qOff = k * data.stride.Q;
  const gOff = k * data.stride.G;
  const pOff = k * p;
  const { elimGroupStart, elimGroupRows } = groupsOf(ws, k);

  position.fill(-1);
  for (let i = 0; i < nz; i++) {
    const column = order[oOff + i];
    position[column] = i;
    excess[oOff + i] = Q[qOff + column * (n + 1)] + regularization[column];
  }
  for (let i = 0; i < p; i++) {
    const unit = unitColumn[i];
    if (unit >= 0 && position[unit] >= 0) excess[oOff + position[unit]] += w[pOff + i];
  }

  // each group's pivot Σ and curvature q_t + reg; ω of its edge into `node`
  node.fill(0, 0, nz);
  for (let c = 0; c < nt; c++) {
    const tColumn = elimOrder[oOff + nz + c];
    const edge = groupEdge[oOff + c];
    const lo = edge >= 0 ? order[oOff + edge] : -1;
    const qt = Q[qOff + tColumn * (n + 1)] + regularization[tColumn];
    let sum = qt;
    let numerator = 0;
    for (let j = elimGroupStart[c]; j < elimGroupStart[c + 1]; j++) {
      const r = elimGroupRows[j];
      const wr = w[pOff + r];
      if (!(wr > 0) || !Number.isFinite(wr)) return false;
      const gr = G[gOff + r * n + tColumn];
      sum += wr * gr * gr;
      if (lo < 0) continue;
      const ar = G[gOff + r * n + lo];
      numerator += qt * wr * ar * ar;
      for (let jj = j + 1; jj < elimGroupStart[c + 1]; jj++) {
        const s = elimGroupRows[jj];
        const cross = G[gOff + s * n + tColumn] * ar - gr * G[gOff + s * n + lo];
        numerator += wr * w[pOff + s] * cross * cross;
      }
    }
    if (!(sum > 0) || !Number.isFinite(sum)) return false;
    pivot[oOff + c] = sum;
    curvature[oOff + c] = qt;
    if (edge >= 0) node[edge] = numerator / sum;
  }

  return factorPath(excess, node, rho, sigma, oOff, nz);
}

/**
 * Factors diag(a) + Σ_i ω_i (e_i − e_{i+1})(e_i − e_{i+1})' over `count` nodes in conductance
 * form: a (at excess[off..]) becomes the accumulated excess a'_{i+1} = a_{i+1} + a'_i ω_i/(a'_i + ω_i),
 * with ρ_i = ω_i/(a'_i + ω_i) and σ_i = a'_i/(a'_i + ω_i) of each edge (ω_i at omega[i]).
 * Returns false when a pivot is not positive and finite.
 */
export function factorPath(
  excess: Float64Array,
  omega: Float64Array,
  rho: Float64Array,
  sigma: Float64Array,
  off: number,
  count: number,
): boolean {
  let accumulated = excess[off];
  if (!(accumulated > 0) || !Number.isFinite(accumulated)) return false;
  for (let i = 0; i + 1 < count; i++) {
    const denominator = accumulated + omega[i];
    if (!Number.isFinite(denominator)) return false;
    rho[off + i] = omega[i] / denominator;
    sigma[off + i] = accumulated / denominator;
    accumulated = excess[off + i + 1] + omega[i] * sigma[off + i];
    if (!(accumulated > 0) || !Number.isFinite(accumulated)) return false;
    excess[off + i + 1] = accumulated;
  }
  return true;
}

/**
 * node ← the solution of the factored path system (factorPath) whose edge laws carry an offset:
 * node equations a_i x_i + F_i − F_{i−1} = rhs_i with F_i = ω_i (x_i − x_{i+1}) + φ_i. rhs
 * (count entries from 0) is overwritten by the forward sweep's accumulated right-hand sides, which
 * edgeFlow then reads.
 */
export function solvePath(
  excess: Float64Array,
  rho: Float64Array,
  sigma: Float64Array,
  off: number,
  count: number,
  phi: Float64Array,
  rhs: Float64Array,
  node: Float64Array,
): void {
  for (let i = 0; i + 1 < count; i++) {
    rhs[i + 1] += rho[off + i] * rhs[i] + sigma[off + i] * phi[i];
  }
  node[count - 1] = rhs[count - 1] / excess[off + count - 1];
  for (let i = count - 2; i >= 0; i--) {
    node[i] = (sigma[off + i] * (rhs[i] - phi[i])) / excess[off + i] + rho[off + i] * node[i + 1];
  }
}

/** The flow F_i through edge i after solvePath, from node i's balance (no cancellation in ω). */
function edgeFlow(
  excess: Float64Array,
  rho: Float64Array,
  off: number,
  i: number,
  phi: Float64Array,
  rhs: Float64Array,
  node: Float64Array,
): number {
  return phi[i] + rho[off + i] * (rhs[i] - phi[i] - excess[off + i] * node[i + 1]);
}

/**
 * (scratch.c1, scratch.chain.dy) ← the regularized augmented system's solution for the
 * right-hand side (scratch.e1, scratch.chain.ey): e1 on the columns, ey on the group rows'
 * equations g_r'x − y_r/w_r = ey_r.
 */
function solveRegularized(ws: KktSystem, k: number): void {
  const { data } = ws;
  const { n, p, G } = data;
  const { w, chain } = ws.factorization;
  const { e1, c1 } = ws.scratch;
  const { elimOrder } = data.elimination;
  const { order, groupEdge } = data.chainPath;
  const { excess, rho, sigma, pivot, curvature } = chain;
  const { phi, rhs, node, ey, dy } = ws.scratch.chain;
  const nt = data.plan.elimCount[k];
  const nz = n - nt;
  const oOff = k * n;
  const nOff = k * n;
  const gOff = k * data.stride.G;
  const pOff = k * p;
  const { elimGroupStart, elimGroupRows } = groupsOf(ws, k);

  // φ of each edge: the flow F = ω δ + φ once t and the group's y are eliminated
  phi.fill(0, 0, nz);
  for (let c = 0; c < nt; c++) {
    const edge = groupEdge[oOff + c];
    if (edge < 0) continue;
    const tColumn = elimOrder[oOff + nz + c];
    const lo = order[oOff + edge];
    const sum = pivot[oOff + c];
    const qt = curvature[oOff + c];
    let beta = 0;
    let flow = 0;
    for (let j = elimGroupStart[c]; j < elimGroupStart[c + 1]; j++) {
      const r = elimGroupRows[j];
      const wr = w[pOff + r];
      const gr = G[gOff + r * n + tColumn];
      const ar = G[gOff + r * n + lo];
      beta += wr * gr * ar;
      if (ey[r] === 0) continue;
      // κ_r = β g_r/Σ − α_r, without its cancellation
      let kappa = -qt * ar;
      for (let jj = elimGroupStart[c]; jj < elimGroupStart[c + 1]; jj++) {
        const s = elimGroupRows[jj];
        if (s === r) continue;
        const gs = G[gOff + s * n + tColumn];
        kappa += w[pOff + s] * gs * (gr * G[gOff + s * n + lo] - gs * ar);
      }
      flow += ((wr * ey[r]) / sum) * kappa;
    }
    phi[edge] = flow + (beta / sum) * e1[nOff + tColumn];
  }

  for (let i = 0; i < nz; i++) rhs[i] = e1[nOff + order[oOff + i]];
  solvePath(excess, rho, sigma, oOff, nz, phi, rhs, node);
  for (let i = 0; i < nz; i++) c1[nOff + order[oOff + i]] = node[i];

  // each group's t and multipliers
  for (let c = 0; c < nt; c++) {
    const edge = groupEdge[oOff + c];
    const tColumn = gOff + elimOrder[oOff + nz + c];
    // α_r = G[r, lo] (0 without an edge: `lo` then points at t's column, masked by `onEdge`)
    const onEdge = edge >= 0 ? 1 : 0;
    const lo = edge >= 0 ? gOff + order[oOff + edge] : tColumn;
    const delta = edge >= 0 ? node[edge] - node[edge + 1] : 0;
    const sum = pivot[oOff + c];
    const qt = curvature[oOff + c];
    const first = elimGroupStart[c];
    const last = elimGroupStart[c + 1];
    const et = e1[nOff + elimOrder[oOff + nz + c]];
    let xt = et / sum;
    for (let j = first; j < last; j++) {
      const r = elimGroupRows[j];
      const ar = onEdge * G[lo + r * n];
      xt += ((w[pOff + r] * G[tColumn + r * n]) / sum) * (ey[r] - ar * delta);
    }
    c1[nOff + elimOrder[oOff + nz + c]] = xt;
    let heaviest = -1;
    let second = -1;
    for (let j = first; j < last; j++) {
      const r = elimGroupRows[j];
      const wr = w[pOff + r];
      dy[r] = wr * (onEdge * G[lo + r * n] * delta + G[tColumn + r * n] * xt - ey[r]);
      if (heaviest < 0 || wr > w[pOff + heaviest]) {
        second = heaviest;
        heaviest = r;
      } else if (second < 0 || wr > w[pOff + second]) second = r;
    }
    // Heavy rows' multipliers from balances of moderate terms: t's equation Σ_r g_r y_r = T and
    // the flow through the edge Σ_r α_r y_r = F, less the other rows' parts.
    let balanceT = et - qt * xt;
    let balanceF = 0;
    if (edge >= 0) balanceF = edgeFlow(excess, rho, oOff, edge, phi, rhs, node);
    let others = qt;
    for (let j = first; j < last; j++) {
      const r = elimGroupRows[j];
      if (r === heaviest || r === second) continue;
      const gr = G[tColumn + r * n];
      balanceT -= gr * dy[r];
      balanceF -= onEdge * G[lo + r * n] * dy[r];
      others += w[pOff + r] * gr * gr;
    }
    if (second >= 0 && edge >= 0) {
      const g1 = G[tColumn + heaviest * n];
      const g2 = G[tColumn + second * n];
      const a1 = G[lo + heaviest * n];
      const a2 = G[lo + second * n];
      const det = g1 * a2 - g2 * a1;
      const heavy = w[pOff + second] * (a2 * a2 + g2 * g2) > excess[oOff + edge] + qt;
      if (heavy && Math.abs(det) > 1e-8 * (Math.abs(g1 * a2) + Math.abs(g2 * a1))) {
        dy[heaviest] = (a2 * balanceT - g2 * balanceF) / det;
        dy[second] = (g1 * balanceF - a1 * balanceT) / det;
        continue;
      }
    }
    if (second >= 0) {
      const g2 = G[tColumn + second * n];
      balanceT -= g2 * dy[second];
      others += w[pOff + second] * g2 * g2;
    }
    const gh = G[tColumn + heaviest * n];
    if (w[pOff + heaviest] * gh * gh > others) dy[heaviest] = balanceT / gh;
  }
}

/**
 * (e1, ey) ← the residual of (x, scratch.chain.y) in the unregularized augmented system; leaves
 * G x in gx and the multipliers w∘(G x), with the group rows' from scratch.chain.y, in yG.
 * Returns ‖e‖∞.
 */
function residual(ws: KktSystem, k: number, x: Float64Array, xOff: number): number {
  const { data } = ws;
  const { n, p } = data;
  const { w } = ws.factorization;
  const { r1, e1, gx, yG } = ws.scratch;
  const { y, ey } = ws.scratch.chain;
  const nt = data.plan.elimCount[k];
  const nOff = k * n;
  const pOff = k * p;
  const { elimGroupStart, elimGroupRows } = groupsOf(ws, k);
  multiplyQ(data, k, x, xOff, e1, nOff);
  multiplyG(ws, k, 1, x, xOff, 0, gx, pOff);
  for (let i = pOff; i < pOff + p; i++) yG[i] = w[i] * gx[i];
  let norm = 0;
  for (let j = elimGroupStart[0]; j < elimGroupStart[nt]; j++) {
    const r = elimGroupRows[j];
    yG[pOff + r] = y[r];
    const e = gx[pOff + r] - y[r] / w[pOff + r];
    ey[r] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  multiplyGTransposed(ws, k, 1, yG, pOff, 1, e1, nOff);
  for (let i = nOff; i < nOff + n; i++) {
    const e = r1[i] - e1[i];
    e1[i] = e;
    norm = Math.max(norm, Math.abs(e));
  }
  return norm;
}

/**
 * Solves member k's reduced KKT system (no equalities) for the right-hand side scratch.r1 with the
 * chain factorization, refining against the unregularized system while the residual shrinks:
 * writes x at (x, xOff) and leaves G x in scratch.gx and the multipliers w∘(G x) in scratch.yG.
 */
export function solveChainKkt(
  ws: KktSystem,
  k: number,
  x: Float64Array,
  xOff: number,
  tolerance: number,
  maxSteps: number,
): void {
  const { n } = ws.data;
  const { r1, e1, c1 } = ws.scratch;
  const { y, dy, ey } = ws.scratch.chain;
  const nOff = k * n;
  let rhsNorm = 0;
  for (let i = nOff; i < nOff + n; i++) rhsNorm = Math.max(rhsNorm, Math.abs(r1[i]));
  copyInto(r1, nOff, e1, nOff, n);
  ey.fill(0);
  y.fill(0);
  dy.fill(0);
  x.fill(0, xOff, xOff + n);
  let previous = Infinity;
  for (let step = 0; ; step++) {
    solveRegularized(ws, k);
    for (let i = 0; i < n; i++) x[xOff + i] += c1[nOff + i];
    for (let i = 0; i < y.length; i++) y[i] += dy[i];
    const norm = residual(ws, k, x, xOff);
    if (step === maxSteps) break;
    if (norm <= tolerance * rhsNorm || norm > 0.25 * previous) break;
    previous = norm;
  }
}

/**
 * The path Laplacian form. accepts: the member's eliminated system was found to be a weighted
 * path Laplacian plus a diagonal (plan.pathFound, from the pattern). Declines a factorization
 * with a pivot that is not positive and finite: the forms after it take the member. It refines
 * against Q + G' diag(w) G: rho is its preconditioner, not its system; no split weight, no Schur
 * block.
 */
export const pathLaplacian: KktForm = {
  id: FORM_ID.pathLaplacian,
  name: "path Laplacian",
  accepts: (plan, k) => plan.structure && plan.pathFound[k] === 1,
  factor(ws, k, request) {
    const { factorization } = ws;
    if (!factorChain(ws, k, columnRegularizations(ws, k))) return "declined";
    const { p } = ws.data;
    factorization.rho[k] = 0;
    factorization.schurCount[k] = 0;
    copyInto(factorization.w, k * p, factorization.wK, k * p, p);
    factorization.regK[k] = request.globalRegularization;
    return "factored";
  },
  solve(ws, k, x, xOff, _y, _yOff, tolerance) {
    solveChainKkt(ws, k, x, xOff, tolerance, MAX_REFINEMENT_STEPS);
  },
};
