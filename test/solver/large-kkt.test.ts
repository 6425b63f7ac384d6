/**
 * The KKT factorization's savings (kkt/split-rows.ts, kkt/range-space.ts): rows of negligible weight left out of K, and the
 * range-space form on Q's factor. Each is checked against an independent dense solve of
 * the full system, with the path taken asserted, on both kernel sets; then end to end on the
 * paper's problems at a size where both paths run.
 */
import { describe, expect, it } from "vitest";
import { solveWithQuadprog } from "../../bench/lib/quadprog.js";
import { factorKkt, formOf, solveKkt } from "../../src/solver/kkt/choose.js";
import {
  DIRECTION_TOLERANCE,
  FORWARD_SPLIT_WEIGHT,
  GRADIENT_TOLERANCE,
  SOLUTION_SPLIT_WEIGHT,
} from "../../src/solver/kkt/form.js";
import {
  createWasmKernelsSync,
  solveBatch,
  typescriptKernels,
  type DenseKernels,
  type QPBatch,
} from "../../src/solver/index.js";
import { createWorkspace, measureMember, type Workspace } from "../../src/solver/workspace.js";
import { findUnitRows } from "../../src/solver/kkt/plan.js";
import { gaussianSolve, relativeError } from "./helpers/dense.js";
import {
  createRandom,
  member,
  randomProblem,
  stackBatch,
  type DenseProblem,
} from "./helpers/problems.js";

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

const KERNELS: Record<string, () => DenseKernels> = {
  typescript: () => typescriptKernels,
  wasm: () => createWasmKernelsSync(),
};

/**
 * Kernels that record the inner length of every syrkPlus/syrk forming an n×n K, and the number of
 * right-hand sides of every solveLowerRows.
 */
function recordingKernels(base: DenseKernels, n: number) {
  const rowsInK: number[] = [];
  const rowsSolved: number[] = [];
  const kernels: DenseKernels = {
    name: base.name,
    alloc: base.alloc.bind(base),
    syrkWeighted: base.syrkWeighted.bind(base),
    syrk: base.syrk.bind(base),
    scaleColumns: base.scaleColumns?.bind(base),
    gemvPair: base.gemvPair?.bind(base),
    cholesky: base.cholesky.bind(base),
    choleskyGathered: base.choleskyGathered.bind(base),
    solveLower: base.solveLower.bind(base),
    solveLowerTransposed: base.solveLowerTransposed.bind(base),
    solveLowerRows: (L, lOff, size, B, bOff, k) => {
      rowsSolved.push(k);
      base.solveLowerRows(L, lOff, size, B, bOff, k);
    },
    gemv: base.gemv.bind(base),
  };
  kernels.syrk = (X, xOff, k, len, out, outOff) => {
    if (k === n) rowsInK.push(len);
    base.syrk(X, xOff, k, len, out, outOff);
  };
  if (base.syrkPlus) {
    const syrkPlus = base.syrkPlus.bind(base);
    kernels.syrkPlus = (X, xOff, k, len, C, cOff, out, outOff) => {
      if (k === n) rowsInK.push(len);
      syrkPlus(X, xOff, k, len, C, cOff, out, outOff);
    };
  }
  return { kernels, rowsInK, rowsSolved };
}

/** Weights w_i = lam_i / s_i of the three kinds near a solution. */
interface WeightPattern {
  /** w = 1e9: active rows, above every split weight */
  active: number;
  /** w = 1e-20: far below rounding level in K */
  negligible: number;
  /** the remaining rows get w between 0.1 and 10 */
  /** rows in the order the kinds are dealt out (default 0, 1, …, p−1) */
  order?: number[];
}

/**
 * Factors member 0 of `problem` at an iterate with the given weight pattern, solves the reduced
 * KKT system for a random right-hand side, and returns the solution with a dense reference: the
 * augmented system [Q G' A'; G −W⁻¹ 0; A 0 0] [x; λ; ν] = [r1; 0; r2] by Gaussian elimination.
 */
function solveAtPattern(
  qp: DenseProblem,
  kernels: DenseKernels,
  pattern: WeightPattern,
  splitWeight: number,
  existing?: Workspace,
) {
  const { n, m, p } = qp;
  const ws = existing ?? createWorkspace(stackBatch([qp]), kernels);
  if (!existing) {
    findUnitRows(ws.data, 0);
    measureMember(ws.data, 0);
  }
  const random = createRandom(11);
  const order = pattern.order ?? Array.from({ length: p }, (_, i) => i);
  order.forEach((row, position) => {
    const w =
      position < pattern.active
        ? 1e9
        : position < pattern.active + pattern.negligible
          ? 1e-20
          : 0.1 + 9.9 * random.uniform();
    ws.iterate.s[row] = 1 / Math.sqrt(w);
    ws.iterate.lam[row] = Math.sqrt(w);
  });
  const factored = factorKkt(ws, 0, splitWeight);
  const r1 = Array.from({ length: n }, random.normal);
  const r2 = Array.from({ length: m }, random.normal);
  ws.scratch.r1.set(r1);
  ws.scratch.r2.set(r2);
  const x = kernels.alloc(n);
  const nu = kernels.alloc(m);
  solveKkt(ws, 0, x, 0, nu, 0, GRADIENT_TOLERANCE);

  const size = n + p + m;
  const M = new Float64Array(size * size);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) M[i * size + j] = qp.Q[i * n + j];
    for (let r = 0; r < p; r++) M[i * size + n + r] = qp.G[r * n + i];
    for (let r = 0; r < m; r++) M[i * size + n + p + r] = qp.A[r * n + i];
  }
  for (let r = 0; r < p; r++) {
    for (let j = 0; j < n; j++) M[(n + r) * size + j] = qp.G[r * n + j];
    // W x w.r.t. λ = w∘(G x): G x − λ/w = 0, s λ/w read as s/lam in the iterate's own numbers
    M[(n + r) * size + n + r] = -ws.iterate.s[r] / ws.iterate.lam[r];
  }
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) M[(n + p + r) * size + j] = qp.A[r * n + j];
  }
  const reference = gaussianSolve(M, [...r1, ...new Array<number>(p).fill(0), ...r2], size);
  return {
    ws,
    factored,
    x,
    nu,
    lambda: ws.scratch.yG.slice(0, p),
    expected: {
      x: reference.slice(0, n),
      lambda: reference.slice(n, n + p),
      nu: reference.slice(n + p),
    },
  };
}

describe.each(Object.keys(KERNELS))("KKT factorization at given weights (%s kernels)", (name) => {
  const base = KERNELS[name]();

  it("uses Q's factor with every non-negligible row in the Schur block, and solves the full system", () => {
    const qp = randomProblem(40, 3, 60, 5);
    const { kernels, rowsInK } = recordingKernels(base, qp.n);
    const result = solveAtPattern(
      qp,
      kernels,
      { active: 20, negligible: 30 },
      FORWARD_SPLIT_WEIGHT,
    );
    expect(result.factored).toBe(true);
    expect(formOf(result.ws, 0)).toBe("range-space");
    // 20 active + 10 moderate rows; no syrk formed K
    expect(result.ws.factorization.schurCount[0]).toBe(30);
    expect(rowsInK).toEqual([]);
    expect(relativeError(result.x, result.expected.x)).toBeLessThan(1e-10);
    expect(relativeError(result.nu, result.expected.nu)).toBeLessThan(1e-10);
    expect(relativeError(result.lambda, result.expected.lambda)).toBeLessThan(1e-10);
  });

  it("keeps Q's factor across factorizations of one member and solves exactly with it again", () => {
    const qp = randomProblem(40, 0, 60, 6);
    const first = solveAtPattern(qp, base, { active: 25, negligible: 30 }, FORWARD_SPLIT_WEIGHT);
    expect(formOf(first.ws, 0)).toBe("range-space");
    // the solution's factorization (split weight 1e3) reuses L as it stands
    const { ws } = first;
    const L = ws.factorization.L.slice(0, qp.n * qp.n);
    expect(factorKkt(ws, 0, SOLUTION_SPLIT_WEIGHT)).toBe(true);
    expect(formOf(ws, 0)).toBe("range-space");
    expect(Array.from(ws.factorization.L.subarray(0, qp.n * qp.n))).toEqual(Array.from(L));
  });

  it("solves for the rows of Y once per member and gathers each factorization's rows from them", () => {
    const qp = randomProblem(40, 3, 60, 9);
    const { kernels, rowsSolved } = recordingKernels(base, qp.n);
    const first = solveAtPattern(qp, kernels, { active: 20, negligible: 30 }, FORWARD_SPLIT_WEIGHT);
    expect(formOf(first.ws, 0)).toBe("range-space");
    // every row of A and G, negligible or not
    expect(rowsSolved).toEqual([3 + 60]);
    // rows 0–4 fall to negligible weights, rows 20–24 rise to active ones; 50–59 stay moderate
    const order = [...range(5, 25), ...range(0, 5), ...range(25, 60)];
    const second = solveAtPattern(
      qp,
      kernels,
      { active: 20, negligible: 30, order },
      FORWARD_SPLIT_WEIGHT,
      first.ws,
    );
    expect(formOf(second.ws, 0)).toBe("range-space");
    expect(Array.from(second.ws.factorization.schurRows.subarray(0, 30))).toEqual([
      ...range(5, 25),
      ...range(50, 60),
    ]);
    expect(rowsSolved).toEqual([63]);
    expect(relativeError(second.x, second.expected.x)).toBeLessThan(1e-10);
    expect(relativeError(second.nu, second.expected.nu)).toBeLessThan(1e-10);
    expect(relativeError(second.lambda, second.expected.lambda)).toBeLessThan(1e-10);
  });

  it("leaves negligible rows out of K where K must be formed, and still solves the full system", () => {
    // few active rows and many moderate ones: forming K is cheaper than the range-space form
    const qp = randomProblem(30, 2, 90, 7);
    const { kernels, rowsInK } = recordingKernels(base, qp.n);
    const result = solveAtPattern(qp, kernels, { active: 5, negligible: 40 }, FORWARD_SPLIT_WEIGHT);
    expect(result.factored).toBe(true);
    expect(formOf(result.ws, 0)).not.toBe("range-space");
    // 90 rows less the 40 negligible ones; the 5 active ones sit in K at the split weight
    expect(rowsInK).toEqual([50]);
    expect(result.ws.factorization.schurCount[0]).toBe(5);
    expect(relativeError(result.x, result.expected.x)).toBeLessThan(1e-10);
    expect(relativeError(result.nu, result.expected.nu)).toBeLessThan(1e-10);
    expect(relativeError(result.lambda, result.expected.lambda)).toBeLessThan(1e-10);
  });

  it("solves a forward direction once, unchecked, after the same factorization's first solve met the tolerance", () => {
    // n = p = 60: with no row above the split weight, the range-space form is the cheaper one
    const qp = randomProblem(60, 2, 60, 12);
    // every residual check of the range-space form multiplies by G and Gᵀ in one gemvPair
    let residualChecks = 0;
    const kernels: DenseKernels = {
      ...recordingKernels(base, qp.n).kernels,
      gemvPair: (...args) => {
        residualChecks++;
        base.gemvPair!(...args);
      },
    };
    const random = createRandom(21);
    const solveFor = (ws: Workspace, tolerance: number) => {
      const r1 = Array.from({ length: qp.n }, random.normal);
      ws.scratch.r1.set(r1);
      ws.scratch.r2.set(Array.from({ length: qp.m }, random.normal));
      const x = kernels.alloc(qp.n);
      const checksBefore = residualChecks;
      solveKkt(ws, 0, x, 0, kernels.alloc(qp.m), 0, tolerance);
      return { checks: residualChecks - checksBefore, x };
    };
    // moderate weights only: no row above the split weight
    const { ws } = solveAtPattern(qp, kernels, { active: 0, negligible: 0 }, FORWARD_SPLIT_WEIGHT);
    expect(formOf(ws, 0)).toBe("range-space");
    expect(ws.factorization.rangeSpace.tight[0]).toBe(0);
    const first = solveFor(ws, DIRECTION_TOLERANCE);
    expect(first.checks).toBe(1);
    expect(ws.factorization.rangeSpace.trusted[0]).toBe(1);
    const second = solveFor(ws, DIRECTION_TOLERANCE);
    expect(second.checks).toBe(0);
    // the unchecked solve against a refined one for the same right-hand side
    const refined = kernels.alloc(qp.n);
    solveKkt(ws, 0, refined, 0, kernels.alloc(qp.m), 0, GRADIENT_TOLERANCE);
    expect(relativeError(second.x, refined)).toBeLessThan(DIRECTION_TOLERANCE);
    // the backward pass's tolerance is always checked, and a new factorization is not trusted
    expect(solveFor(ws, GRADIENT_TOLERANCE).checks).toBeGreaterThan(0);
    expect(factorKkt(ws, 0, FORWARD_SPLIT_WEIGHT)).toBe(true);
    expect(ws.factorization.rangeSpace.trusted[0]).toBe(0);
    expect(solveFor(ws, DIRECTION_TOLERANCE).checks).toBe(1);

    // rows above the split weight: every forward solve is refined to EXACT_STEP_TOLERANCE
    const tight = solveAtPattern(qp, kernels, { active: 20, negligible: 0 }, FORWARD_SPLIT_WEIGHT);
    expect(formOf(tight.ws, 0)).toBe("range-space");
    expect(tight.ws.factorization.rangeSpace.tight[0]).toBe(1);
    for (let solve = 0; solve < 2; solve++) {
      expect(solveFor(tight.ws, DIRECTION_TOLERANCE).checks).toBeGreaterThan(0);
      expect(tight.ws.factorization.rangeSpace.trusted[0]).toBe(0);
    }
  });

  it("refuses Q's factor when Q is singular, forms K with the split weight, and solves exactly", () => {
    const qp = randomProblem(30, 0, 45, 8);
    // Q = U'U with U 10×30: rank 10, positive diagonal
    const random = createRandom(3);
    const U = Array.from({ length: 10 * 30 }, random.uniform);
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 30; j++) {
        let sum = 0;
        for (let r = 0; r < 10; r++) sum += U[r * 30 + i] * U[r * 30 + j];
        qp.Q[i * 30 + j] = sum;
      }
    }
    const { kernels, rowsInK } = recordingKernels(base, qp.n);
    // 20 active, 20 negligible, 5 moderate: the range-space form would be cheaper, so it is tried
    const result = solveAtPattern(
      qp,
      kernels,
      { active: 20, negligible: 20 },
      FORWARD_SPLIT_WEIGHT,
    );
    expect(result.factored).toBe(true);
    expect(result.ws.factorization.rangeSpace.refused[0]).toBe(1);
    expect(formOf(result.ws, 0)).not.toBe("range-space");
    expect(rowsInK).toEqual([25]);
    expect(relativeError(result.x, result.expected.x)).toBeLessThan(1e-8);
    expect(relativeError(result.lambda, result.expected.lambda)).toBeLessThan(1e-8);
  });
});

describe("the paper's problems at n = p = 80 (both factorization paths run)", () => {
  const n = 80;
  const problems = [21, 22, 23].map((seed) => randomProblem(n, 0, n, seed));
  const batch: QPBatch = stackBatch(problems);

  it.each(["typescript", "wasm"] as const)(
    "agrees with quadprog, and each member alone is bitwise as in the batch, gradients too (%s kernels)",
    (kernels) => {
      const together = solveBatch(batch, { kernels });
      const random = createRandom(5);
      const g = Float64Array.from({ length: problems.length * n }, random.normal);
      // the backward pass runs after every member's forward factorizations: each member's own
      // factorization at its solution must have survived the others' (which share scratch)
      const gradients = together.backward(g);
      problems.forEach((qp, k) => {
        expect(together.status[k]).toBe("solved");
        const reference = solveWithQuadprog(qp);
        expect(relativeError(member(together.z, k, n), reference.z)).toBeLessThan(1e-7);
        const alone = solveBatch(stackBatch([qp]), { kernels });
        expect(Array.from(alone.z)).toEqual(Array.from(member(together.z, k, n)));
        expect(Array.from(alone.lam)).toEqual(Array.from(member(together.lam, k, n)));
        const aloneGradients = alone.backward(member(g, k, n).slice());
        expect(Array.from(aloneGradients.q!)).toEqual(Array.from(member(gradients.q!, k, n)));
        expect(Array.from(aloneGradients.h!)).toEqual(Array.from(member(gradients.h!, k, n)));
      });
    },
  );

  it("gives gradients of g'z* in q and h that match central differences", () => {
    const qp = problems[0];
    const solve = (data: DenseProblem) =>
      solveBatch(stackBatch([data]), { kernels: "wasm", eps: 1e-12, maxIter: 80 });
    const random = createRandom(4);
    const g = Float64Array.from({ length: n }, random.normal);
    const loss = (data: DenseProblem) => {
      const z = solve(data).z;
      return z.reduce((sum, zi, i) => sum + g[i] * zi, 0);
    };
    const grads = solve(qp).backward(g);
    const step = 1e-5;
    for (const j of [0, 17, 53]) {
      const plus = { ...qp, q: qp.q.slice() };
      const minus = { ...qp, q: qp.q.slice() };
      plus.q[j] += step;
      minus.q[j] -= step;
      const difference = (loss(plus) - loss(minus)) / (2 * step);
      expect(Math.abs(grads.q![j] - difference)).toBeLessThan(
        1e-6 * Math.max(1, Math.abs(difference)),
      );
    }
    for (const i of [3, 40, 77]) {
      const plus = { ...qp, h: qp.h.slice() };
      const minus = { ...qp, h: qp.h.slice() };
      plus.h[i] += step;
      minus.h[i] -= step;
      const difference = (loss(plus) - loss(minus)) / (2 * step);
      expect(Math.abs(grads.h![i] - difference)).toBeLessThan(
        1e-6 * Math.max(1, Math.abs(difference)),
      );
    }
  });
});
