/**
 * Scale invariance (issue 12): multiplying all data by 10^k must not change what the solver
 * reports. At the solver level every operand Q, q, A, b, G, h is multiplied by 10^k — the same
 * problem (z, ν and λ unchanged, the objective ×10^k) — for each example program (a batch of
 * four seeded parameter sets, the QPBatch built by the layer) and the paper's random QPs. At the
 * user level A and b (and the lasso's weight, by 10^2k, so that the minimizer stays the same)
 * are scaled in three programs of the issue. Every k in −4…4 must give each member the status it
 * has at k = 0, which must be "solved", in at most 5 more iterations, and a solved member the z
 * it has at k = 0 (within 1e-5 relative).
 */

import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { randomBatch } from "../../bench/lib/generator.js";
import { compile } from "../../src/runtime/index.js";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { EXAMPLES_DIR, exampleBatch } from "../runtime/helpers/examples.js";
import { matrix, seededRandom, vector } from "../runtime/helpers/random.js";

const EXPONENTS = [-4, -3, -2, -1, 1, 2, 3, 4];
const EXTRA_ITERATIONS = 5;
/** The seeds of each example's four parameter sets. */
const SEEDS = [1, 2, 3, 4];

interface Outcome {
  status: string[];
  iterations: number[];
  /** batch×n, every column of the solver's z */
  z: Float64Array;
}

/** How far a solved member's z may move when the data is scaled (relative to 1 + |z|). */
const Z_TOLERANCE = 1e-5;

/**
 * Every operand times `factor`. Bound rows stated in `structure` would no longer be unit rows,
 * so the structure is dropped, at k = 0 too, so that every k is solved the same way.
 */
function scaled(qp: QPBatch, factor: number): QPBatch {
  const times = (operand: QPBatch["Q"]) => ({
    data: operand.data.map((v) => v * factor),
    shared: operand.shared,
  });
  return {
    batch: qp.batch,
    n: qp.n,
    m: qp.m,
    p: qp.p,
    Q: times(qp.Q),
    q: times(qp.q),
    A: times(qp.A),
    b: times(qp.b),
    G: times(qp.G),
    h: times(qp.h),
  };
}

function solveScaled(qp: QPBatch, k: number): Outcome {
  const solution = solveBatch(scaled(qp, 10 ** k));
  return { status: solution.status, iterations: Array.from(solution.iterations), z: solution.z };
}

/**
 * Each member's differences from the reference: a status that changed, iterations beyond +5, a
 * solved member's z that moved.
 */
function differences(reference: Outcome, outcome: Outcome): string[] {
  const n = reference.z.length / reference.status.length;
  return reference.status.flatMap((status, member) => {
    const found: string[] = [];
    if (outcome.status[member] !== status) {
      found.push(`member ${member}: ${outcome.status[member]} (k = 0: ${status})`);
    }
    if (outcome.iterations[member] > reference.iterations[member] + EXTRA_ITERATIONS) {
      found.push(
        `member ${member}: ${outcome.iterations[member]} iterations (k = 0: ${reference.iterations[member]})`,
      );
    }
    if (status === "solved" && outcome.status[member] === "solved") {
      let moved = 0;
      for (let j = member * n; j < (member + 1) * n; j++) {
        moved = Math.max(
          moved,
          Math.abs(outcome.z[j] - reference.z[j]) / (1 + Math.abs(reference.z[j])),
        );
      }
      if (!(moved <= Z_TOLERANCE))
        found.push(`member ${member}: z moved by ${moved.toExponential(1)}`);
    }
    return found;
  });
}

/**
 * Cells that fail today (docs/SOLVER.md, "Limits that remain"): each is run and must still fail, so that a
 * fix shows up here and the cell is taken off the list.
 */
const KNOWN_FAILURES: Record<string, number[]> = {};

/** A case solved at k = 0 once and compared with every other k. */
function scaleCases(name: string, solveAt: (k: number) => Outcome) {
  describe(name, () => {
    let cached: Outcome | undefined;
    const reference = () => (cached ??= solveAt(0));
    it("solves every member at k = 0", () => {
      expect(reference().status.filter((s) => s !== "solved")).toEqual([]);
    });
    const known = KNOWN_FAILURES[name] ?? [];
    const check = (k: number) => expect(differences(reference(), solveAt(k))).toEqual([]);
    const passing = EXPONENTS.filter((k) => !known.includes(k));
    const failing = EXPONENTS.filter((k) => known.includes(k));
    if (passing.length > 0) {
      it.each(passing)("data ×1e%i: the same statuses, at most 5 more iterations", check);
    }
    if (failing.length > 0) {
      it.fails.each(failing)("data ×1e%i: known to fail (docs/SOLVER.md)", check);
    }
  });
}

describe("all data ×10^k at the solver", () => {
  const files = readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".qp"))
    .sort();
  for (const file of files) {
    const qp = exampleBatch(file, SEEDS);
    scaleCases(`examples/${file}`, (k) => solveScaled(qp, k));
  }
  const paper = randomBatch(SEEDS.length, 20, 30, 7);
  scaleCases("the paper's random QPs (n 20, p 30)", (k) => solveScaled(paper, k));
  const withEqualities = randomBatch(SEEDS.length, 30, 40, 8, { m: 10 });
  scaleCases("the paper's random QPs with equalities (n 30, m 10, p 40)", (k) =>
    solveScaled(withEqualities, k),
  );
});

describe("A and b ×10^k in a user's program", () => {
  const rows = 50;
  const columns = 20;
  const batch = 8;
  const random = seededRandom(12);
  const A = Array.from({ length: batch }, () => matrix(random, rows, columns));
  const b = Array.from({ length: batch }, () => vector(random, rows));
  const times = (factor: number) => ({
    A: A.map((member) => member.map((row) => row.map((v) => v * factor))),
    b: b.map((member) => member.map((v) => v * factor)),
  });
  const userCase = (
    name: string,
    source: string,
    extra: (k: number) => Record<string, number> = () => ({}),
  ) => {
    const layer = compile(source);
    scaleCases(name, (k) => {
      const out = layer.solve({ ...times(10 ** k), ...extra(k) }, { workers: false });
      // only x: the auxiliary columns of the lowering (A x − b) scale with the data
      const x = Float64Array.from((out.variables.x as number[][]).flat());
      return { status: out.status, iterations: Array.from(out.iterations), z: x };
    });
  };
  const header = `dim m = ${rows}\ndim n = ${columns}\nparameter A[m, n]\nparameter b[m]\nvariable x[n]\n`;
  userCase(
    "minimize sum_squares(A x - b) s.t. sum(x) == 1",
    `${header}minimize sum_squares(A x - b)\nsubject to\n  sum(x) == 1\n`,
  );
  userCase(
    "nonnegative least squares: s.t. x >= 0",
    `${header}minimize sum_squares(A x - b)\nsubject to\n  x >= 0\n`,
  );
  userCase(
    "lasso: + lam ||x||_1 (lam ×10^2k)",
    `${header}parameter lam nonneg\nminimize sum_squares(A x - b) + lam * norm1(x)\n`,
    (k) => ({ lam: 5 * 10 ** (2 * k) }),
  );
});
