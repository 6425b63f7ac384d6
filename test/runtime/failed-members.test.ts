import { describe, expect, it } from "vitest";
import type { CanonicalQP } from "../../src/canon/index.js";
import { compile, type ParameterValues, type SolveOptions } from "../../src/runtime/index.js";
import { jsonResult } from "../../src/runtime/cli.js";
import { buildOutput } from "../../src/runtime/output.js";
import type { QPBatch, QPBatchSolution } from "../../src/solver/index.js";

/**
 * The objective of a member without a solution, as in CVXPY: +∞ for an infeasible minimize and
 * −∞ for an unbounded one (mirrored for maximize); NaN where the solver stopped without an answer
 * (max_iterations, numerical_error). `--json` prints null for all of them; the status says which.
 */
const cases: {
  name: string;
  source: string;
  params: ParameterValues;
  options?: SolveOptions;
  status: string;
  objective: number;
}[] = [
  {
    name: "an infeasible minimize",
    source: "parameter c\nvariable z\nminimize z^2\ns.t. z >= c, z <= 1",
    params: { c: 2 },
    status: "infeasible",
    objective: Infinity,
  },
  {
    name: "an infeasible maximize",
    source: "parameter c\nvariable z\nmaximize -z^2\ns.t. z >= c, z <= 1",
    params: { c: 2 },
    status: "infeasible",
    objective: -Infinity,
  },
  {
    name: "an unbounded minimize",
    source: "parameter c[2]\nvariable z[2]\nminimize z[0]^2 + c'z\ns.t. z[1] >= 0",
    params: { c: [0, -1] },
    status: "unbounded",
    objective: -Infinity,
  },
  {
    name: "an unbounded maximize",
    source: "parameter c[2]\nvariable z[2]\nmaximize -z[0]^2 - c'z\ns.t. z[1] >= 0",
    params: { c: [0, -1] },
    status: "unbounded",
    objective: Infinity,
  },
  {
    name: "an iteration cap of 1",
    source: "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0, 1'z = 1",
    params: { x: [0.25, 0.5, 0.9] },
    options: { maxIter: 1 },
    status: "max_iterations",
    objective: NaN,
  },
];

describe("the objective of a member that was not solved", () => {
  it.each(cases)("$name: status $status, objective $objective", (c) => {
    const out = compile(c.source).solve(c.params, c.options ?? {});
    expect(out.status).toEqual([c.status]);
    expect(out.objective[0]).toBe(c.objective);
    expect(jsonResult(out).objective).toEqual([null]);
  });

  it("is NaN for numerical_error", () => {
    const canon = compile("variable z\nminimize (z - 1)^2").canonical as CanonicalQP;
    const problem = { batch: 1, n: 1, m: 0, p: 0 } as QPBatch;
    const solution = {
      batch: 1,
      n: 1,
      m: 0,
      p: 0,
      z: new Float64Array(1),
      lam: new Float64Array(0),
      nu: new Float64Array(0),
      status: ["numerical_error"],
      iterations: Int32Array.of(7),
    } as unknown as QPBatchSolution;
    const out = buildOutput(canon, problem, new Float64Array(0), solution, [[]]);
    expect(out.objective).toEqual([NaN]);
    expect(out.iterations).toEqual([7]);
  });
});
