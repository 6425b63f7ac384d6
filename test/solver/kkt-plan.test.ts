/**
 * The KKT layer's choice (src/solver/kkt/choose.ts): which forms a member's structure plan makes
 * candidates, in which order, that `structure: false` leaves only the dense form, and that a
 * form which cannot factor a member declines it to the next one.
 */
import { describe, expect, it } from "vitest";
import { chooseForms, factorKkt, formOf } from "../../src/solver/kkt/choose.js";
import { FORWARD_SPLIT_WEIGHT, SOLUTION_SPLIT_WEIGHT } from "../../src/solver/kkt/form.js";
import { analyseMember } from "../../src/solver/kkt/plan.js";
import { acceptsSmallMember } from "../../src/solver/kkt/small-wasm.js";
import { typescriptKernels, type QPBatch } from "../../src/solver/index.js";
import { createWorkspace } from "../../src/solver/workspace.js";
import { writeDifferenceRows } from "../../bench/lib/generator.js";
import { createRandom, randomProblem, stackBatch } from "./helpers/problems.js";

const one = (data: Float64Array) => ({ data, shared: false });

/** Member 0's workspace, analysed as the iteration analyses it before its first factorization. */
function analysed(problem: QPBatch, options: { structure?: boolean; eliminate?: boolean } = {}) {
  const ws = createWorkspace(
    problem,
    typescriptKernels,
    options.eliminate ?? true,
    options.structure ?? true,
  );
  analyseMember(ws, 0);
  return ws;
}

function candidates(problem: QPBatch, options: { structure?: boolean; eliminate?: boolean } = {}) {
  const ws = analysed(problem, options);
  return chooseForms(ws.data.plan, 0).map((form) => form.name);
}

/** Interior weights lam/s between 1e-2 and 1e2 on every row of member 0. */
function interior(ws: ReturnType<typeof analysed>, seed: number): void {
  const random = createRandom(seed);
  for (let i = 0; i < ws.data.p; i++) {
    ws.iterate.s[i] = 0.1 + random.uniform();
    ws.iterate.lam[i] = 0.1 + random.uniform();
  }
}

/** min ½ z'diag(d)z + q'z  s.t.  A z = b, z ≥ 0 as rows −e_j (stated bounds), and `denseRows` rows of ones. */
function boundedDiagonal(n: number, m: number, denseRows: number, seed: number): QPBatch {
  const random = createRandom(seed);
  const p = n + denseRows;
  const Q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) Q[j * (n + 1)] = 0.5 + random.uniform();
  const G = new Float64Array(p * n);
  for (let j = 0; j < n; j++) G[j * n + j] = -1;
  for (let r = n; r < p; r++) G.fill(1, r * n, (r + 1) * n);
  const h = new Float64Array(p);
  h.fill(n, n);
  return {
    batch: 1,
    n,
    m,
    p,
    Q: one(Q),
    q: one(Float64Array.from({ length: n }, () => random.normal())),
    A: one(Float64Array.from({ length: m * n }, () => random.uniform())),
    b: one(Float64Array.from({ length: m }, () => 1 + random.uniform())),
    G: one(G),
    h: one(h),
    structure: {
      boundRows: {
        row: Int32Array.from({ length: n }, (_, j) => j),
        column: Int32Array.from({ length: n }, (_, j) => j),
        sign: new Float64Array(n).fill(-1),
      },
    },
  };
}

/** min ½‖z − y‖² + 1't  s.t.  −t_j ≤ z_{j+1} − z_j ≤ t_j (total variation, columns z then t). */
function totalVariation(len: number, seed: number): QPBatch {
  const random = createRandom(seed);
  const n = 2 * len - 1;
  const p = 2 * (len - 1);
  const Q = new Float64Array(n * n);
  for (let i = 0; i < len; i++) Q[i * (n + 1)] = 1;
  const q = new Float64Array(n);
  for (let i = 0; i < len; i++) q[i] = -random.normal();
  for (let j = 0; j < len - 1; j++) q[len + j] = 1;
  const G = new Float64Array(p * n);
  writeDifferenceRows(G, n, len);
  const empty = new Float64Array(0);
  return {
    batch: 1,
    n,
    m: 0,
    p,
    Q: one(Q),
    q: one(q),
    A: one(empty),
    b: one(empty),
    G: one(G),
    h: one(new Float64Array(p)),
  };
}

/** min ½‖z − y‖² + 1't  s.t.  −t ≤ z ≤ t and 1'z ≤ 1: auxiliary columns, but no path. */
function absoluteValues(len: number): QPBatch {
  const n = 2 * len;
  const p = 2 * len + 1;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < len; i++) Q[i * (n + 1)] = 1;
  const G = new Float64Array(p * n);
  for (let j = 0; j < len; j++) {
    G[2 * j * n + j] = 1;
    G[(2 * j + 1) * n + j] = -1;
    G[2 * j * n + len + j] = G[(2 * j + 1) * n + len + j] = -1;
    G[2 * len * n + j] = 1;
  }
  const empty = new Float64Array(0);
  return {
    batch: 1,
    n,
    m: 0,
    p,
    Q: one(Q),
    q: one(new Float64Array(n).fill(1)),
    A: one(empty),
    b: one(empty),
    G: one(G),
    h: one(new Float64Array(p).fill(1)),
  };
}

/** An equality-constrained least squares: Q = C'C singular (rank 4 of 8), no inequalities. */
function equalityOnly(seed: number): QPBatch {
  const random = createRandom(seed);
  const n = 8;
  const m = 2;
  const C = Float64Array.from({ length: 4 * n }, () => random.normal());
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      for (let r = 0; r < 4; r++) Q[i * n + j] += C[r * n + i] * C[r * n + j];
    }
  }
  const empty = new Float64Array(0);
  return {
    batch: 1,
    n,
    m,
    p: 0,
    Q: one(Q),
    q: one(Float64Array.from({ length: n }, () => random.normal())),
    A: one(Float64Array.from({ length: m * n }, () => random.normal())),
    b: one(Float64Array.from({ length: m }, () => random.normal())),
    G: one(empty),
    h: one(empty),
  };
}

describe("the forms a member's structure plan makes candidates", () => {
  it("gives a small dense member the dense Schur form alone, a large one the range-space form first", () => {
    expect(candidates(stackBatch([randomProblem(10, 0, 10, 1)]))).toEqual(["dense Schur"]);
    expect(candidates(stackBatch([randomProblem(40, 3, 40, 2)]))).toEqual([
      "range-space",
      "dense Schur",
    ]);
  });

  it("gives a diagonal Q with bound rows the diagonal form", () => {
    expect(candidates(boundedDiagonal(12, 3, 0, 3))).toEqual(["diagonal", "dense Schur"]);
  });

  it("gives total variation the path Laplacian, then the eliminated columns, and neither without elimination", () => {
    expect(candidates(totalVariation(8, 4))).toEqual([
      "path Laplacian",
      "eliminated auxiliary columns",
      "diagonal",
      "dense Schur",
    ]);
    expect(candidates(totalVariation(8, 4), { eliminate: false })).toEqual([
      "diagonal",
      "dense Schur",
    ]);
  });

  it("refuses the path Laplacian where the auxiliary columns form no path", () => {
    expect(candidates(absoluteValues(5))).toEqual([
      "eliminated auxiliary columns",
      "diagonal",
      "dense Schur",
    ]);
  });

  it("gives equality-only members the equalities in K", () => {
    expect(candidates(equalityOnly(5))).toEqual(["equalities in K", "dense Schur"]);
  });

  it("plans the dense form for every member with structure: false", () => {
    expect(candidates(stackBatch([randomProblem(40, 3, 40, 2)]), { structure: false })).toEqual([
      "dense Schur",
    ]);
    expect(candidates(boundedDiagonal(12, 3, 0, 3), { structure: false })).toEqual(["dense Schur"]);
    expect(candidates(totalVariation(8, 4), { structure: false })).toEqual(["dense Schur"]);
    // the equalities in K are a regularization of the dense form, not a structure
    expect(candidates(equalityOnly(5), { structure: false })).toEqual([
      "equalities in K",
      "dense Schur",
    ]);
  });
});

describe("the small-member engine", () => {
  it("accepts small dense members only, and none with structure: false", () => {
    const dense = stackBatch([randomProblem(10, 0, 10, 1)]);
    const ws = analysed(dense);
    expect(acceptsSmallMember(ws.data.plan, ws, 0)).toBe(true);
    const unstructured = analysed(dense, { structure: false });
    expect(acceptsSmallMember(unstructured.data.plan, unstructured, 0)).toBe(false);
    const tv = analysed(totalVariation(6, 4));
    expect(acceptsSmallMember(tv.data.plan, tv, 0)).toBe(false);
    const bounded = analysed(boundedDiagonal(8, 0, 1, 3));
    expect(acceptsSmallMember(bounded.data.plan, bounded, 0)).toBe(false);
  });
});

describe("a factorization takes the first candidate that factors it", () => {
  it("factors total variation as a path Laplacian", () => {
    const ws = analysed(totalVariation(8, 4));
    interior(ws, 6);
    expect(factorKkt(ws, 0, FORWARD_SPLIT_WEIGHT, 1e-6, 1e-6)).toBe(true);
    expect(formOf(ws, 0)).toBe("path Laplacian");
  });

  it("leaves a member with a dense row to the dense form although its Q is diagonal", () => {
    const ws = analysed(boundedDiagonal(12, 3, 1, 7));
    expect(chooseForms(ws.data.plan, 0).map((form) => form.name)).toContain("diagonal");
    interior(ws, 8);
    expect(factorKkt(ws, 0, FORWARD_SPLIT_WEIGHT, 1e-6, 1e-6)).toBe(true);
    expect(formOf(ws, 0)).toBe("dense Schur");
    const bounded = analysed(boundedDiagonal(12, 3, 0, 7));
    interior(bounded, 8);
    expect(factorKkt(bounded, 0, FORWARD_SPLIT_WEIGHT, 1e-6, 1e-6)).toBe(true);
    expect(formOf(bounded, 0)).toBe("diagonal");
  });

  it("holds regularized equalities in K, and leaves the unregularized system to the dense form", () => {
    const ws = analysed(equalityOnly(5));
    expect(factorKkt(ws, 0, FORWARD_SPLIT_WEIGHT, 1e-8, 1e-8)).toBe(true);
    expect(formOf(ws, 0)).toBe("equalities in K");
    expect(factorKkt(ws, 0, SOLUTION_SPLIT_WEIGHT)).toBe(true);
    expect(formOf(ws, 0)).toBe("dense Schur");
  });

  it("falls back from the range-space form to the dense form where Q's factor is refused", () => {
    const qp = randomProblem(40, 0, 40, 9);
    // column 0 without curvature: Q is singular, its factor refused
    for (let j = 0; j < 40; j++) qp.Q[j] = qp.Q[j * 40] = 0;
    const ws = analysed(stackBatch([qp]));
    expect(chooseForms(ws.data.plan, 0)[0].name).toBe("range-space");
    interior(ws, 10);
    expect(factorKkt(ws, 0, FORWARD_SPLIT_WEIGHT, 1e-6, 1e-6)).toBe(true);
    expect(formOf(ws, 0)).toBe("dense Schur");
    expect(ws.factorization.rangeSpace.refused[0]).toBe(1);
  });
});
