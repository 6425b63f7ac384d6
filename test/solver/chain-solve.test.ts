import { describe, expect, it } from "vitest";
import { findEliminableColumns } from "../../src/solver/kkt/eliminated.js";
import {
  solveBatch,
  typescriptKernels,
  type GradientRequest,
  type QPBatch,
} from "../../src/solver/index.js";
import { createWorkspace } from "../../src/solver/workspace.js";
import { findUnitRows } from "../../src/solver/kkt/plan.js";
import { gradientError, maxAbs } from "./helpers/dense.js";
import { createRandom } from "./helpers/problems.js";

const shared = (data: Float64Array) => ({ data, shared: true });
const batched = (data: Float64Array) => ({ data, shared: false });
const empty = () => shared(new Float64Array(0));

interface TvOptions {
  /** per-member difference weights c (w .* (D z)), drawn in [0.5, 2] */
  weighted?: boolean;
  /** 0 ≤ z ≤ 110 as bound rows */
  bounds?: boolean;
  /** an extra pair of rows on (z_last, z_0): the differences form a cycle */
  cycle?: boolean;
  /** the z columns in a shuffled order */
  shuffled?: boolean;
  /** rows −t_j ≤ 0 too: groups of three rows, one without a z-part */
  nonnegativeT?: boolean;
}

/**
 * Total variation denoising, batch members with their own noisy piecewise-constant signal:
 * min ½‖z − y‖² + λ·1't  s.t.  −t_j ≤ c_j (z_{j+1} − z_j) ≤ t_j.
 */
function totalVariation(len: number, batch: number, seed: number, options: TvOptions = {}) {
  const random = createRandom(seed);
  const pairs = len - 1 + (options.cycle ? 1 : 0);
  const n = len + pairs;
  const bounds = options.bounds ? 2 * len : 0;
  const signRows = options.nonnegativeT ? pairs : 0;
  const p = 2 * pairs + bounds + signRows;
  // z_i sits in column zColumn[i], t_j in column len + j
  const zColumn = Array.from({ length: len }, (_, i) => i);
  if (options.shuffled) {
    for (let i = len - 1; i > 0; i--) {
      const j = Math.floor(random.uniform() * (i + 1));
      [zColumn[i], zColumn[j]] = [zColumn[j], zColumn[i]];
    }
  }
  const members = options.weighted ? batch : 1;
  const G = new Float64Array(members * p * n);
  const h = new Float64Array(p);
  for (let k = 0; k < members; k++) {
    for (let j = 0; j < pairs; j++) {
      const c = options.weighted ? 0.5 + 1.5 * random.uniform() : 1;
      const [from, to] = [zColumn[j], zColumn[(j + 1) % len]];
      for (const [row, sign] of [
        [2 * j, 1],
        [2 * j + 1, -1],
      ]) {
        const offset = k * p * n + row * n;
        G[offset + to] = sign * c;
        G[offset + from] = -sign * c;
        G[offset + len + j] = -1;
      }
    }
  }
  const row = new Int32Array(bounds);
  const column = new Int32Array(bounds);
  const sign = new Float64Array(bounds);
  for (let i = 0; i < bounds / 2; i++) {
    for (const [t, s, bound] of [
      [2 * i, 1, 110],
      [2 * i + 1, -1, 0],
    ]) {
      const r = 2 * pairs + t;
      for (let k = 0; k < members; k++) G[k * p * n + r * n + zColumn[i]] = s;
      h[r] = bound;
      row[t] = r;
      column[t] = zColumn[i];
      sign[t] = s;
    }
  }
  for (let k = 0; k < members; k++) {
    for (let j = 0; j < signRows; j++) G[k * p * n + (2 * pairs + bounds + j) * n + len + j] = -1;
  }
  const Q = new Float64Array(n * n);
  for (let i = 0; i < len; i++) Q[zColumn[i] * n + zColumn[i]] = 1;
  const q = new Float64Array(batch * n);
  for (let k = 0; k < batch; k++) {
    let level = 10 + 89 * random.uniform();
    for (let i = 0; i < len; i++) {
      if (random.uniform() < 0.15) level = 10 + 89 * random.uniform();
      q[k * n + zColumn[i]] = -(level + 3 * random.normal());
    }
    for (let j = 0; j < pairs; j++) q[k * n + len + j] = 4;
  }
  const problem: QPBatch = {
    batch,
    n,
    m: 0,
    p,
    Q: shared(Q),
    q: batched(q),
    A: empty(),
    b: empty(),
    G: options.weighted ? batched(G) : shared(G),
    h: shared(h),
  };
  if (bounds > 0) problem.structure = { boundRows: { row, column, sign } };
  return problem;
}

/** Whether member k of `problem` gets the path factorization (kkt/path-laplacian.ts). */
function chainDetected(problem: QPBatch, k: number): boolean {
  const ws = createWorkspace(problem, typescriptKernels);
  for (let member = 0; member <= k; member++) {
    findUnitRows(ws.data, member);
    findEliminableColumns(ws, member);
  }
  return ws.data.plan.pathFound[k] === 1;
}

/**
 * The chain path's solution and gradients against the dense factorization's. `unique` lists the
 * gradients to compare: where more rows are active than the solution needs (degenerate), λ and
 * with it the gradients of h and G are not unique, while z's and those of q and Q are.
 */
function expectAgreementWithDense(
  problem: QPBatch,
  unique: GradientRequest = { Q: true, q: true, G: true, h: true },
) {
  const chain = solveBatch(problem);
  const dense = solveBatch(problem, { eliminateAuxiliary: false });
  expect(chain.status.every((s) => s === "solved")).toBe(true);
  expect(dense.status).toEqual(chain.status);
  const zScale = 1 + maxAbs(dense.z);
  const lamScale = 1 + maxAbs(dense.lam);
  for (let i = 0; i < dense.z.length; i++) {
    expect(Math.abs(chain.z[i] - dense.z[i]) / zScale).toBeLessThan(1e-8);
  }
  for (let i = 0; i < dense.lam.length && unique.h; i++) {
    expect(Math.abs(chain.lam[i] - dense.lam[i]) / lamScale).toBeLessThan(1e-6);
  }
  const upstream = Float64Array.from({ length: problem.batch * problem.n }, createRandom(5).normal);
  expect(
    gradientError(chain.backward(upstream, unique), dense.backward(upstream, unique)),
  ).toBeLessThan(1e-7);
}

describe("total variation through the path factorization", () => {
  it("detects the path of TV differences, with bounds, in any column order", () => {
    expect(chainDetected(totalVariation(12, 1, 1), 0)).toBe(true);
    expect(chainDetected(totalVariation(12, 1, 2, { bounds: true }), 0)).toBe(true);
    expect(chainDetected(totalVariation(12, 1, 3, { shuffled: true }), 0)).toBe(true);
    expect(chainDetected(totalVariation(12, 3, 4, { weighted: true }), 2)).toBe(true);
  });

  it("solves TV as the dense factorization does: z, λ and every gradient", () => {
    expectAgreementWithDense(totalVariation(40, 4, 11));
  });

  it("solves TV with bound rows and shuffled columns as the dense factorization does", () => {
    expectAgreementWithDense(totalVariation(30, 3, 12, { bounds: true, shuffled: true }));
  });

  it("solves weighted differences that vary per member as the dense factorization does", () => {
    expectAgreementWithDense(totalVariation(30, 3, 13, { weighted: true, bounds: true }));
  });

  it("solves TV whose t also carry t ≥ 0 rows (groups of three) as the dense factorization does", () => {
    const problem = totalVariation(25, 3, 17, { nonnegativeT: true, weighted: true });
    expect(chainDetected(problem, 2)).toBe(true);
    // a zero difference has all three rows active: only z and the gradients of q, Q are unique
    expectAgreementWithDense(problem, { Q: true, q: true, G: false, h: false, A: false, b: false });
  });

  it("falls back to the dense elimination when the differences form a cycle", () => {
    const problem = totalVariation(15, 2, 14, { cycle: true });
    expect(chainDetected(problem, 0)).toBe(false);
    expectAgreementWithDense(problem);
  });

  it("gives the gradients of weighted TV that central finite differences give", () => {
    const problem = totalVariation(8, 1, 15, { weighted: true, bounds: true });
    expect(chainDetected(problem, 0)).toBe(true);
    const { n, p } = problem;
    const c = Float64Array.from({ length: n }, createRandom(16).normal);
    const solve = (q: Float64Array, h: Float64Array, G: Float64Array) =>
      solveBatch({ ...problem, q: batched(q), h: shared(h), G: batched(G) }, { eps: 1e-12 });
    const loss = (q: Float64Array, h: Float64Array, G: Float64Array) =>
      solve(q, h, G).z.reduce((sum, zi, i) => sum + c[i] * zi, 0);
    const q0 = problem.q.data;
    const h0 = problem.h.data;
    const G0 = problem.G.data;
    const solution = solve(q0, h0, G0);
    expect(solution.status[0]).toBe("solved");
    const grads = solution.backward(c);
    const step = 1e-6;
    const central = (operand: Float64Array, i: number, evaluate: (v: Float64Array) => number) => {
      const plus = Float64Array.from(operand);
      const minus = Float64Array.from(operand);
      plus[i] += step;
      minus[i] -= step;
      return (evaluate(plus) - evaluate(minus)) / (2 * step);
    };
    for (let i = 0; i < n; i++) {
      const fd = central(q0, i, (q) => loss(q, h0, G0));
      expect(Math.abs(grads.q![i] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
    for (let i = 0; i < p; i++) {
      const fd = central(h0, i, (h) => loss(q0, h, G0));
      expect(Math.abs(grads.h![i] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
    // the nonzero entries of the difference rows (the bound rows must stay unit rows)
    for (let i = 0; i < 2 * 7 * n; i++) {
      if (G0[i] === 0) continue;
      const fd = central(G0, i, (G) => loss(q0, h0, G));
      expect(Math.abs(grads.G![i] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
  });
});
