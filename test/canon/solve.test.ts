import { describe, expect, it } from "vitest";
import { evaluateObjective } from "../../src/canon/index.js";
import { compile, readExample } from "./helpers/compile.js";
import { solveWithHighs } from "./helpers/highs.js";
import { Evaluator, mat } from "./helpers/evaluate.js";

/**
 * End to end through an independent solver: the canonical QP's solution, restricted to the user
 * variables, is the known closed-form solution of the source problem (so every epigraph is tight
 * at the optimum), and its canonical objective is the user's objective there.
 */
function projectOntoSimplex(x: number[]): number[] {
  const u = [...x].sort((a, b) => b - a);
  let cumulative = 0;
  let tau = 0;
  u.forEach((v, k) => {
    cumulative += v;
    const t = (cumulative - 1) / (k + 1);
    if (v - t > 0) tau = t;
  });
  return x.map((v) => Math.max(v - tau, 0));
}

const CASES: [
  string,
  string,
  Record<string, number[]>,
  (p: Record<string, number[]>) => number[],
][] = [
  [
    "box projection clips x to [0, 1]",
    readExample("box-projection.qp"),
    { x: [-0.5, 0.2, 0.7, 1.4, 3] },
    ({ x }) => x.map((v) => Math.min(1, Math.max(0, v))),
  ],
  [
    "relu is max(x, 0)",
    readExample("relu.qp"),
    { x: [-1, 0.5, -0.2, 2, 0.1] },
    ({ x }) => x.map((v) => Math.max(0, v)),
  ],
  [
    "simplex projection",
    readExample("simplex.qp"),
    { x: [0.2, 0.5, 0.9] },
    ({ x }) => projectOntoSimplex(x),
  ],
  [
    "the l1 penalty soft-thresholds",
    "dim n = 5\nparameter y[n]\nparameter lam nonneg\nvariable z[n]\nminimize 1/2 ||z - y||^2 + lam * ||z||_1",
    { y: [-2, -0.3, 0.1, 0.8, 3], lam: [0.5] },
    ({ y, lam }) => y.map((v) => Math.sign(v) * Math.max(Math.abs(v) - lam[0], 0)),
  ],
  [
    "huber plus a ridge term",
    "dim n = 4\nparameter y[n]\nvariable z[n]\nminimize sum(huber(z - y, 1)) + ||z||^2",
    { y: [-5, -1, 1.5, 4] },
    ({ y }) => y.map((v) => (Math.abs(v) <= 2 ? v / 2 : Math.sign(v))),
  ],
  [
    "maximizing the smallest entry spreads the budget evenly",
    "dim n = 4\nvariable z[n]\nmaximize min(z) s.t. sum(z) == 1, z <= 2",
    {},
    () => [0.25, 0.25, 0.25, 0.25],
  ],
  [
    "a parameter matrix goes through auxiliaries and still fits exactly",
    "dim n = 2\nparameter A[3, n]\nparameter y[3]\nvariable z[n]\nminimize ||A z - y||^2",
    { A: [1, 0, 0, 1, 1, 1], y: [1, 2, 3] },
    () => [1, 2],
  ],
  [
    "a nonneg weight times a squared distance with a parameter target",
    "dim n = 3\nparameter c nonneg\nparameter x[n]\nvariable z[n]\nminimize c * ||z - x||^2 + ||z||^2",
    { c: [3], x: [4, -8, 1] },
    ({ c, x }) => x.map((v) => (c[0] * v) / (c[0] + 1)),
  ],
];

describe("solving the canonical QP with HiGHS", () => {
  it.each(CASES)("%s", async (_what, source, params, expected) => {
    const { canon, program } = compile(source);
    const theta = new Float64Array(canon.parameterSize);
    for (const p of canon.parameters) theta.set(params[p.name], p.offset);
    const z = await solveWithHighs(canon, theta);
    const v = canon.variables[0];
    const want = expected(params);
    const got = [...z.slice(v.column, v.column + v.size)];
    got.forEach((g, i) => expect(g).toBeCloseTo(want[i], 6));
    // the user's objective at the solution, evaluated from the source, equals the canonical one
    const values = new Map(
      canon.parameters.map((p) => [p.name, mat(p.shape[0] ?? 1, p.shape[1] ?? 1, params[p.name])]),
    );
    values.set(v.name, mat(v.size, 1, want));
    const objective = program.statements.find((s) => s.kind === "objective");
    if (objective?.kind !== "objective") throw new Error("no objective");
    const direct = Evaluator.forProgram(program, canon.dims, values).eval(objective.expr).data[0];
    expect(evaluateObjective(canon, theta, z)).toBeCloseTo(direct, 6);
  });
});
