import { describe, expect, it } from "vitest";
import { judge, residuals, type PrimalDualPoint } from "../../bench/maros/judge.js";
import { loadMarosProblem, marosProblem, readMarosFile } from "../../bench/maros/load.js";
import { marosReport } from "../../bench/maros/report.js";
import { summarize, type MarosResults } from "../../bench/maros/results.js";
import { runMaros } from "../../bench/maros/run.js";
import type { QPBatch } from "../../src/solver/index.js";
import { validateStructure } from "../../src/solver/validate-batch.js";

const operand = (values: number[]) => ({ data: Float64Array.from(values), shared: false });
const point = (z: number[], nu: number[], lam: number[]): PrimalDualPoint => ({
  z: Float64Array.from(z),
  nu: Float64Array.from(nu),
  lam: Float64Array.from(lam),
});

/** A seeded z in [−1, 1]^n (a fixed linear congruential sequence). */
function testPoint(n: number): Float64Array {
  let state = 12345;
  return Float64Array.from({ length: n }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (2 * state) / 2 ** 31 - 1;
  });
}

describe("Maros–Meszaros loader", () => {
  it("splits HS21 into one general row and four bound rows, as qpbenchmark does", () => {
    // HS21: min 0.01 x0² + x1² − 100, 10 x0 − x1 ≥ 10, 2 ≤ x0 ≤ 50, −50 ≤ x1 ≤ 50
    const { qp, r, n, rows } = loadMarosProblem("HS21");
    expect([n, rows, qp.n, qp.m, qp.p, r]).toEqual([2, 3, 2, 0, 5, -100]);
    expect(Array.from(qp.Q.data)).toEqual([0.02, 0, 0, 2]);
    expect(Array.from(qp.G.data)).toEqual([-10, 1, 1, 0, -1, 0, 0, 1, 0, -1]);
    expect(Array.from(qp.h.data)).toEqual([-10, 50, -2, 50, 50]);
    const bounds = qp.structure!.boundRows!;
    expect(Array.from(bounds.row)).toEqual([1, 2, 3, 4]);
    expect(Array.from(bounds.column)).toEqual([0, 0, 1, 1]);
    expect(Array.from(bounds.sign)).toEqual([1, -1, 1, -1]);
  });

  it("turns a fixed variable (lb = ub, HS35MOD) into an equality row", () => {
    const { qp } = loadMarosProblem("HS35MOD");
    const file = readMarosFile("HS35MOD");
    const fixed = file.l.findIndex((l, i) => i >= file.m - file.n && l !== null && l === file.u[i]);
    const column = fixed - (file.m - file.n);
    expect(qp.m).toBe(1);
    expect(Array.from(qp.A.data)).toEqual([0, 1, 2].map((j) => (j === column ? 1 : 0)));
    expect(qp.b.data[0]).toBe(file.u[fixed]);
  });

  it.each(["HS21", "HS35", "HS118", "GENHS28", "QAFIRO"])(
    "%s: sizes, rows and bound structure agree with the file",
    (name) => {
      const file = readMarosFile(name);
      const { qp } = marosProblem(file);
      const { n, m: rows } = file;
      const isEquality = (i: number) =>
        file.l[i] !== null && file.u[i] !== null && file.u[i]! - file.l[i]! < 1e-10;
      const finiteSides = (i: number) => Number(file.l[i] !== null) + Number(file.u[i] !== null);
      let equalities = 0;
      let inequalities = 0;
      for (let i = 0; i < rows; i++) {
        if (isEquality(i)) equalities++;
        else inequalities += finiteSides(i);
      }
      expect([qp.n, qp.m, qp.p]).toEqual([n, equalities, inequalities]);
      expect(() => validateStructure(qp)).not.toThrow();

      // At any z, the loaded rows give the same constraint values as the file's l ≤ Az ≤ u.
      const z = testPoint(n);
      const Az = new Float64Array(rows);
      file.A.val.forEach((v, k) => (Az[file.A.row[k]] += v * z[file.A.col[k]]));
      const expectedEq: number[] = [];
      const expectedIneq: number[] = [];
      for (let i = 0; i < rows; i++) {
        if (isEquality(i)) expectedEq.push(Az[i] - file.u[i]!);
        else {
          if (file.u[i] !== null) expectedIneq.push(Az[i] - file.u[i]!);
          if (file.l[i] !== null) expectedIneq.push(file.l[i]! - Az[i]);
        }
      }
      const rowValues = (M: Float64Array, rhs: Float64Array, count: number) =>
        Array.from({ length: count }, (_, i) => {
          let sum = 0;
          for (let j = 0; j < n; j++) sum += M[i * n + j] * z[j];
          return sum - rhs[i];
        });
      const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
      const close = (actual: number[], expected: number[]) => {
        expect(actual.length).toBe(expected.length);
        actual.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 10));
      };
      close(sorted(rowValues(qp.A.data, qp.b.data, qp.m)), sorted(expectedEq));
      close(sorted(rowValues(qp.G.data, qp.h.data, qp.p)), sorted(expectedIneq));

      // ½z'Qz + q'z from the file's triplets
      let expected = 0;
      file.P.val.forEach((v, k) => (expected += 0.5 * z[file.P.row[k]] * v * z[file.P.col[k]]));
      file.q.forEach((v, j) => (expected += v * z[j]));
      let actual = 0;
      for (let i = 0; i < n; i++) {
        actual += qp.q.data[i] * z[i];
        for (let j = 0; j < n; j++) actual += 0.5 * z[i] * qp.Q.data[i * n + j] * z[j];
      }
      expect(actual).toBeCloseTo(expected, 10);
    },
  );
});

describe("qpbenchmark's judge", () => {
  // minimize ½‖z‖² − 3 z0  s.t.  z0 + z1 = 0,  z0 − z1 ≤ 5,  −3 ≤ z ≤ 1 (bound rows 1–4).
  // Solution z = (1, −1), ν = 1, the upper bound of z0 active with multiplier 1.
  const tiny: QPBatch = {
    batch: 1,
    n: 2,
    m: 1,
    p: 5,
    Q: operand([1, 0, 0, 1]),
    q: operand([-3, 0]),
    A: operand([1, 1]),
    b: operand([0]),
    G: operand([1, -1, 1, 0, -1, 0, 0, 1, 0, -1]),
    h: operand([5, 1, 3, 1, 3]),
    structure: {
      boundRows: {
        row: Int32Array.from([1, 2, 3, 4]),
        column: Int32Array.from([0, 0, 1, 1]),
        sign: Float64Array.from([1, -1, 1, -1]),
      },
    },
  };

  it("gives zero residuals and gap at the exact KKT point", () => {
    expect(residuals(tiny, point([1, -1], [1], [0, 1, 0, 0, 0]))).toEqual({
      primal: 0,
      dual: 0,
      gap: 0,
    });
  });

  it("measures a perturbed point: ‖Az − b‖ and Gz − h, ‖Qz + q + A'ν + G'λ‖, |z'Qz + q'z + b'ν + h'λ|", () => {
    // z0 + 0.25 breaks the equality and the upper bound by 0.25; λ of the general row 0.5
    // leaves stationarity (0.75, −0.5); gap 2.5625 − 3.75 + 0 + 5·0.5 + 1·1 = 2.3125
    expect(residuals(tiny, point([1.25, -1], [1], [0.5, 1, 0, 0, 0]))).toEqual({
      primal: 0.25,
      dual: 0.75,
      gap: 2.3125,
    });
  });

  it("folds a variable's two bound multipliers into qpsolvers' z_box in the gap", () => {
    // λ_upper − λ_lower = 1 as at the solution: qpsolvers' gap counts ub·max(z_box, 0) = 1,
    // where h'λ row by row would count 1·1.25 + 3·0.25 = 2 and a gap of 1
    expect(residuals(tiny, point([1, -1], [1], [0, 1.25, 0.25, 0, 0]))).toEqual({
      primal: 0,
      dual: 0,
      gap: 0,
    });
  });

  it("sums the gap exactly, where a left-to-right float64 sum loses a term beside 1e16", () => {
    // q'z = 1e16 + 1 − 1e16 = 1: left to right, 1e16 + 1 rounds to 1e16 and the gap reads 0
    const lp: QPBatch = {
      batch: 1,
      n: 3,
      m: 0,
      p: 0,
      Q: operand(new Array(9).fill(0)),
      q: operand([1, 1, -1]),
      A: operand([]),
      b: operand([]),
      G: operand([]),
      h: operand([]),
    };
    const z = point([1e16, 1, 1e16], [], []);
    expect(residuals(lp, z).gap).toBe(1);
    expect(residuals(lp, z, "left-to-right").gap).toBe(0);
  });

  it("succeeds only on status solved with every measure strictly below the tolerance", () => {
    const zero = { primal: 0, dual: 0, gap: 0 };
    expect(judge("solved", zero, 1e-9)).toEqual({ success: true, wrongSolved: false });
    expect(judge("solved", { ...zero, gap: 1e-9 }, 1e-9)).toEqual({
      success: false,
      wrongSolved: true,
    });
    expect(judge("solved", { ...zero, dual: Number.NaN }, 1e-3).success).toBe(false);
    expect(judge("max_iterations", zero, 1e-9)).toEqual({ success: false, wrongSolved: false });
  });
});

describe("the solver on the smallest problems", () => {
  // Optimal objectives as published with the test set (Maros & Meszaros 1999)
  it.each([
    ["HS21", -99.96],
    ["HS35", 1 / 9],
    ["HS118", 664.82045],
    ["GENHS28", 0.9271736932],
  ])("%s with { eps: 1e-9 } passes the judge at 1e-6 (objective %s)", (name, objective) => {
    const run = runMaros(loadMarosProblem(name), 1e-6, { eps: 1e-9 });
    expect(run.status).toBe("solved");
    expect(run.success).toBe(true);
    expect(Math.abs(run.objective - objective)).toBeLessThan(1e-6 * (1 + Math.abs(objective)));
  });
});

describe("the solver where its regularization and stopping rules were fixed", () => {
  // Optimal objectives as published with the test set (Maros & Meszaros 1999)
  it("QCAPRI at qpbenchmark's 1e-3: rho's floor rises once its directions lose the equality rows (the primal residual stalled at 2.5)", () => {
    const run = runMaros(loadMarosProblem("QCAPRI"), 1e-3, { eps: 0, epsAbs: 1e-3 });
    expect(run.status).toBe("solved");
    expect(run.success).toBe(true);
    expect(Math.abs(run.objective - 6.6793293e7)).toBeLessThan(1e-6 * 6.6793293e7);
  });

  it("QSCAGR7, QSHARE1B and QSCFXM1 at qpbenchmark's 1e-9: the gap of the returned point summed exactly decides (float64 sums of its 1e6–1e8 terms refused)", () => {
    for (const name of ["QSCAGR7", "QSHARE1B", "QSCFXM1"]) {
      const run = runMaros(loadMarosProblem(name), 1e-9, { eps: 0, epsAbs: 1e-9 });
      expect([name, run.status, run.success]).toEqual([name, "solved", true]);
    }
  });

  it("QBEACONF at 1e-9 is not claimed where its dual residual, summed exactly, is 1.4e-9 (its terms of 5.5e6 cancel)", () => {
    const run = runMaros(loadMarosProblem("QBEACONF"), 1e-9, { eps: 0, epsAbs: 1e-9 });
    expect(run.wrongSolved).toBe(false);
  });

  it("QPCBOEI1 with structure: false at 1e-6: a slack's move within the direction's error (ds −5e-13 at s 6e-32) no longer freezes the step", () => {
    const run = runMaros(loadMarosProblem("QPCBOEI1"), 1e-6, {
      eps: 0,
      epsAbs: 1e-6,
      structure: false,
    });
    expect([run.status, run.success]).toEqual(["solved", true]);
  });

  it("structure: false at 1e-9 ends as the default path: QSCAGR7 (dense form on both) at the same point, QISRAEL solved", () => {
    // Unit rows are found and the sparse products used on both paths: only the form differs.
    const options = { eps: 0, epsAbs: 1e-9 };
    const structured = runMaros(loadMarosProblem("QSCAGR7"), 1e-9, options);
    const dense = runMaros(loadMarosProblem("QSCAGR7"), 1e-9, { ...options, structure: false });
    expect([dense.status, dense.success]).toEqual(["solved", true]);
    expect([dense.iterations, dense.objective]).toEqual([
      structured.iterations,
      structured.objective,
    ]);
    const israel = runMaros(loadMarosProblem("QISRAEL"), 1e-9, { ...options, structure: false });
    expect([israel.status, israel.success]).toEqual(["solved", true]);
  });

  it("QADLITTL at qpbenchmark's 1e-9: the gap's rounding room counted term by term (the coarse estimate kept 1.35e-9)", () => {
    const run = runMaros(loadMarosProblem("QADLITTL"), 1e-9, { eps: 0, epsAbs: 1e-9 });
    expect(run.status).toBe("solved");
    expect(run.success).toBe(true);
    expect(Math.abs(run.objective - 4.8031886e5)).toBeLessThan(1e-7 * 4.8031886e5);
  });
});

describe("a member stalled at rounding level", () => {
  it("QSCAGR7 at 1e-12 with maxIter 200 ends max_iterations at its point, not numerical_error when a collapsed slack underflows", () => {
    // (at 1e-9 it now solves: its gap, summed exactly, is 8e-10)
    const run = runMaros(loadMarosProblem("QSCAGR7"), 1e-12, {
      eps: 0,
      epsAbs: 1e-12,
      maxIter: 200,
    });
    expect(run.status).toBe("max_iterations");
    expect(run.iterations).toBe(200);
    expect(Math.max(run.primal, run.dual)).toBeLessThan(1e-10);
  });
});

describe("the report", () => {
  const run = (tolerance: number, success: boolean, status: string, iterations: number) => ({
    tolerance,
    status,
    iterations,
    primal: 0,
    dual: success ? 0 : null,
    gap: 0,
    objective: 1,
    success,
    wrongSolved: status === "solved" && !success,
    leftToRightGap: 0,
    leftToRightSuccess: success,
    seconds: iterations / 10,
  });
  const results: MarosResults = {
    machine: { cpuModel: "CPU", cores: 2, node: "v20", platform: "linux", date: "d", commit: "c" },
    command: "npm run bench:maros -- --tol 1e-9",
    mode: "absolute",
    options: [{ eps: 0, epsAbs: 1e-9 }],
    maxIter: null,
    tolerances: [1e-9],
    skipped: [],
    problems: [
      { name: "ONE", n: 2, m: 0, p: 1, runs: [run(1e-9, true, "solved", 4)] },
      { name: "TWO", n: 3, m: 1, p: 0, runs: [run(1e-9, false, "solved", 120)] },
      { name: "SIX", n: 3, m: 1, p: 0, runs: [run(1e-9, false, "max_iterations", 50)] },
    ],
    wallSeconds: 17,
  };

  it("summarizes a setting: successes, wrong solved, median and max iterations, times", () => {
    expect(summarize(results, 1e-9)).toEqual({
      tolerance: 1e-9,
      problems: 3,
      successes: 1,
      wrongSolved: 1,
      medianIterations: 50,
      maxIterations: 120,
      totalSeconds: 17.4,
      maxSeconds: 12,
      slowest: "TWO",
    });
  });

  it("writes the rate beside the published ones and flags a problem over 10 s", () => {
    const page = marosReport(results);
    expect(page).toContain("| high | 1e-9 | 1/3 | 33% | 1 | 50 | 120 | 17.4 s | 12.0 s (TWO) |");
    expect(page).toContain("| **optnet (this run)** | **33%** |");
    expect(page).toContain("| PIQP | 81% |");
    expect(page).toContain("- TWO at 1e-9: 12.0 s");
  });
});
