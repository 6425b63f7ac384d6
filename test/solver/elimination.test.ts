import { describe, expect, it } from "vitest";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { gradientError, matVec, maxAbs } from "./helpers/dense.js";
import { kktResiduals } from "./helpers/kkt-residuals.js";
import { writeDifferenceRows } from "../../bench/lib/generator.js";
import { createRandom, type DenseProblem } from "./helpers/problems.js";

const shared = (data: Float64Array) => ({ data, shared: true });
const batched = (data: Float64Array) => ({ data, shared: false });
const empty = () => shared(new Float64Array(0));

/**
 * Total variation denoising of `batch` noisy signals of length len: x ∈ R^len, t ∈ R^(len−1),
 * min ½‖x − y‖² + λ·1't  s.t.  −t ≤ Dx ≤ t, 0 ≤ x ≤ 110 (bound rows).
 */
function totalVariation(len: number, batch: number, seed: number): QPBatch {
  const random = createRandom(seed);
  const n = 2 * len - 1;
  const epigraph = 2 * (len - 1);
  const p = epigraph + 2 * len;
  const Q = new Float64Array(n * n);
  for (let i = 0; i < len; i++) Q[i * n + i] = 1;
  const G = new Float64Array(p * n);
  const h = new Float64Array(p);
  writeDifferenceRows(G, n, len);
  const row = new Int32Array(2 * len);
  const column = new Int32Array(2 * len);
  const sign = new Float64Array(2 * len);
  for (let i = 0; i < len; i++) {
    for (const [t, s, bound] of [
      [2 * i, 1, 110],
      [2 * i + 1, -1, 0],
    ]) {
      const r = epigraph + t;
      G[r * n + i] = s;
      h[r] = bound;
      row[t] = r;
      column[t] = i;
      sign[t] = s;
    }
  }
  const q = new Float64Array(batch * n);
  for (let k = 0; k < batch; k++) {
    let level = 10 + 89 * random.uniform();
    for (let i = 0; i < len; i++) {
      if (random.uniform() < 0.1) level = 10 + 89 * random.uniform();
      q[k * n + i] = -(level + 10 * random.normal());
    }
    for (let j = 0; j < len - 1; j++) q[k * n + len + j] = 21;
  }
  return {
    batch,
    n,
    m: 0,
    p,
    Q: shared(Q),
    q: batched(q),
    A: empty(),
    b: empty(),
    G: shared(G),
    h: shared(h),
    structure: { boundRows: { row, column, sign } },
  };
}

/** Lasso: min ½‖F z − y‖² + λ·1't s.t. −t ≤ z ≤ t, with the columns (z, t); each member its own. */
function lasso(d: number, batch: number, seed: number, lambda = 0.3): QPBatch {
  const random = createRandom(seed);
  const n = 2 * d;
  const p = 2 * d;
  const rowsF = d + 3;
  const Q = new Float64Array(batch * n * n);
  const q = new Float64Array(batch * n);
  const G = new Float64Array(p * n);
  for (let i = 0; i < d; i++) {
    G[2 * i * n + i] = 1;
    G[2 * i * n + d + i] = -1;
    G[(2 * i + 1) * n + i] = -1;
    G[(2 * i + 1) * n + d + i] = -1;
  }
  for (let k = 0; k < batch; k++) {
    const F = Float64Array.from({ length: rowsF * d }, random.normal);
    const y = Float64Array.from({ length: rowsF }, random.normal);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let sum = 0;
        for (let r = 0; r < rowsF; r++) sum += F[r * d + i] * F[r * d + j];
        Q[k * n * n + i * n + j] = sum;
      }
      let fy = 0;
      for (let r = 0; r < rowsF; r++) fy += F[r * d + i] * y[r];
      q[k * n + i] = -fy;
      q[k * n + d + i] = lambda;
    }
  }
  return {
    batch,
    n,
    m: 0,
    p,
    Q: batched(Q),
    q: batched(q),
    A: empty(),
    b: empty(),
    G: shared(G),
    h: shared(new Float64Array(p)),
  };
}

/**
 * Random strictly feasible problems whose auxiliary columns sit between the others: groups of
 * 2 and 3 rows on columns without curvature, one row on a column with curvature, dense rows
 * without any of them, and equalities on the other columns.
 */
function withAuxiliaryColumns(batch: number, seed: number): QPBatch {
  const random = createRandom(seed);
  const n = 10;
  const m = 2;
  const aux = [1, 4, 7, 9];
  const groupSizes = [2, 3, 1, 1];
  const auxCurvature = [0, 0, 1.5, 0];
  const plainRows = 4;
  const p = groupSizes.reduce((a, b) => a + b, 0) + plainRows;
  const others = [...Array(n).keys()].filter((j) => !aux.includes(j));
  const data = { Q: [] as number[], q: [] as number[], A: [] as number[], b: [] as number[] };
  const gData: number[] = [];
  const hData: number[] = [];
  for (let k = 0; k < batch; k++) {
    const Q = new Float64Array(n * n);
    const U = Float64Array.from({ length: others.length * others.length }, random.normal);
    others.forEach((i, a) => {
      others.forEach((j, b) => {
        let sum = a === b ? 1e-2 : 0;
        for (let r = 0; r < others.length; r++) {
          sum += U[r * others.length + a] * U[r * others.length + b];
        }
        Q[i * n + j] = sum;
      });
    });
    aux.forEach((t, c) => (Q[t * n + t] = auxCurvature[c]));
    const q = Float64Array.from({ length: n }, random.normal);
    for (const t of aux) q[t] = 0.5 + random.uniform();
    const G = new Float64Array(p * n);
    let row = 0;
    aux.forEach((t, c) => {
      for (let r = 0; r < groupSizes[c]; r++, row++) {
        for (const j of others) G[row * n + j] = random.normal();
        G[row * n + t] = -(0.5 + random.uniform());
      }
    });
    for (; row < p; row++) for (const j of others) G[row * n + j] = random.normal();
    const A = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (const j of others) A[i * n + j] = random.normal();
    const x0 = Float64Array.from({ length: n }, random.normal);
    const h = matVec(G, x0, p, n).map((v) => v + 0.1 + random.uniform());
    data.Q.push(...Q);
    data.q.push(...q);
    data.A.push(...A);
    data.b.push(...matVec(A, x0, m, n));
    gData.push(...G);
    hData.push(...h);
  }
  return {
    batch,
    n,
    m,
    p,
    Q: batched(Float64Array.from(data.Q)),
    q: batched(Float64Array.from(data.q)),
    A: batched(Float64Array.from(data.A)),
    b: batched(Float64Array.from(data.b)),
    G: batched(Float64Array.from(gData)),
    h: batched(Float64Array.from(hData)),
  };
}

function upstream(problem: QPBatch, seed: number): Float64Array {
  return Float64Array.from({ length: problem.batch * problem.n }, createRandom(seed).normal);
}

function compareWithDense(problem: QPBatch, expectedColumns: number) {
  const eliminated = solveBatch(problem);
  const dense = solveBatch(problem, { eliminateAuxiliary: false });
  expect(eliminated.status.every((s) => s === "solved")).toBe(true);
  expect(dense.status).toEqual(eliminated.status);
  expect(Array.from(eliminated.eliminatedColumns!)).toEqual(
    new Array(problem.batch).fill(expectedColumns),
  );
  expect(Array.from(dense.eliminatedColumns!)).toEqual(new Array(problem.batch).fill(0));
  const scale = 1 + maxAbs(dense.z);
  for (let i = 0; i < dense.z.length; i++) {
    expect(Math.abs(eliminated.z[i] - dense.z[i]) / scale).toBeLessThan(1e-9);
  }
  const g = upstream(problem, 5);
  expect(gradientError(eliminated.backward(g), dense.backward(g))).toBeLessThan(1e-8);
}

describe("auxiliary columns eliminated in closed form", () => {
  it("solves total variation denoising as the dense factorization does, gradients included", () => {
    compareWithDense(totalVariation(30, 3, 11), 29);
  });

  it("solves lasso (‖z‖₁ epigraph) as the dense factorization does, gradients included", () => {
    compareWithDense(lasso(8, 3, 21), 8);
  });

  it("eliminates interleaved auxiliary columns beside equalities, curvature and dense rows", () => {
    compareWithDense(withAuxiliaryColumns(4, 31), 4);
  });

  it.each([
    ["total variation", totalVariation(25, 2, 61)],
    ["lasso", lasso(10, 2, 62)],
    ["interleaved auxiliary columns", withAuxiliaryColumns(2, 63)],
  ])("meets the KKT conditions, checked independently, on %s", (_, problem) => {
    const { n, m, p } = problem;
    const solution = solveBatch(problem);
    for (let k = 0; k < problem.batch; k++) {
      const slice = (operand: QPBatch["Q"], size: number) =>
        operand.shared ? operand.data : operand.data.slice(k * size, (k + 1) * size);
      const dense: DenseProblem = {
        n,
        m,
        p,
        Q: slice(problem.Q, n * n),
        q: slice(problem.q, n),
        A: slice(problem.A, m * n),
        b: slice(problem.b, m),
        G: slice(problem.G, p * n),
        h: slice(problem.h, p),
      };
      const z = solution.z.subarray(k * n, (k + 1) * n);
      const lam = solution.lam.subarray(k * p, (k + 1) * p);
      const r = kktResiduals(dense, z, lam, solution.nu.subarray(k * m, (k + 1) * m));
      const scale = 1 + maxAbs(dense.q) + maxAbs(dense.h);
      expect(solution.status[k]).toBe("solved");
      expect(r.stationarity).toBeLessThan(1e-8 * scale);
      expect(r.equality).toBeLessThan(1e-8 * scale);
      expect(r.inequality).toBeLessThan(1e-8 * scale);
      expect(r.dualSign).toBe(0);
      expect(r.complementarity).toBeLessThan(1e-6 * scale);
    }
  });

  it("considers only the columns the compiler states (structure.auxiliaryColumns)", () => {
    // lasso's columns are (z, t): its t are columns 5…9
    const problem = lasso(5, 2, 71);
    const stated = (columns: number[]) =>
      solveBatch({ ...problem, structure: { auxiliaryColumns: Int32Array.from(columns) } });
    const found = solveBatch(problem);
    const all = stated([5, 6, 7, 8, 9]);
    const some = stated([0, 6, 8]);
    const none = stated([]);
    expect(Array.from(found.eliminatedColumns!)).toEqual([5, 5]);
    expect(Array.from(all.eliminatedColumns!)).toEqual([5, 5]);
    // column 0 has curvature coupled to the others: stated or not, it stays
    expect(Array.from(some.eliminatedColumns!)).toEqual([2, 2]);
    expect(Array.from(none.eliminatedColumns!)).toEqual([0, 0]);
    expect(Array.from(all.z)).toEqual(Array.from(found.z));
    for (const solution of [some, none]) {
      expect(solution.status).toEqual(["solved", "solved"]);
      expect(maxAbs(solution.z.map((v, i) => v - found.z[i]))).toBeLessThan(1e-7);
    }
  });

  it("refuses stated auxiliary columns out of range, repeated or out of order", () => {
    const problem = lasso(3, 1, 72);
    for (const columns of [[6], [-1], [2, 2], [4, 3]]) {
      expect(() =>
        solveBatch({ ...problem, structure: { auxiliaryColumns: Int32Array.from(columns) } }),
      ).toThrow(/structure\.auxiliaryColumns must be ascending distinct columns in \[0, 6\)/);
    }
  });

  it("solves a member alone bitwise as in its batch", () => {
    const problem = totalVariation(20, 3, 41);
    const n = problem.n;
    const together = solveBatch(problem);
    const alone = solveBatch({
      ...problem,
      batch: 1,
      q: batched(problem.q.data.slice(2 * n, 3 * n)),
    });
    expect(Array.from(alone.z)).toEqual(Array.from(together.z.subarray(2 * n, 3 * n)));
    const g = upstream(problem, 6);
    const gradTogether = together.backward(g).q!;
    const gradAlone = alone.backward(g.slice(2 * n, 3 * n)).q!;
    expect(Array.from(gradAlone)).toEqual(Array.from(gradTogether.subarray(2 * n, 3 * n)));
  });

  it("gives the gradient of a lasso layer that central finite differences give", () => {
    const problem = lasso(5, 1, 51, 0.05);
    const { n, p } = problem;
    const c = Float64Array.from({ length: n }, createRandom(52).normal);
    const loss = (q: Float64Array, h: Float64Array) => {
      const z = solveBatch({ ...problem, q: batched(q), h: shared(h) }, { eps: 1e-12 }).z;
      return z.reduce((sum, zi, i) => sum + c[i] * zi, 0);
    };
    const solution = solveBatch(problem, { eps: 1e-12 });
    expect(solution.eliminatedColumns![0]).toBe(5);
    const grads = solution.backward(c);
    const q0 = problem.q.data;
    const h0 = problem.h.data;
    const step = 1e-6;
    for (let i = 0; i < n; i++) {
      const plus = Float64Array.from(q0);
      const minus = Float64Array.from(q0);
      plus[i] += step;
      minus[i] -= step;
      const fd = (loss(plus, h0) - loss(minus, h0)) / (2 * step);
      expect(Math.abs(grads.q![i] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
    for (let i = 0; i < p; i++) {
      const plus = Float64Array.from(h0);
      const minus = Float64Array.from(h0);
      plus[i] += step;
      minus[i] -= step;
      const fd = (loss(q0, plus) - loss(q0, minus)) / (2 * step);
      expect(Math.abs(grads.h![i] - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
    }
  });
});
