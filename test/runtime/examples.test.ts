import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile } from "../../src/runtime/index.js";
import { solutionOf } from "../../src/runtime/layer.js";
import { canonicalObjective, instantiate, kktViolation, thetaOf } from "./helpers/dense-qp.js";
import {
  CLOSED_FORMS,
  EXAMPLES_DIR,
  EXAMPLE_PARAMS,
  OBJECTIVES,
  exampleSource,
} from "./helpers/examples.js";
import { solveWithHighs } from "./helpers/highs.js";

const files = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith(".qp"))
  .sort();

function flatVariables(
  values: Record<string, unknown[]>,
  member: number,
): Record<string, number[]> {
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => [name, [v[member]].flat(2) as number[]]),
  );
}

function expectClose(actual: readonly number[], expected: readonly number[], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(
    0,
    ...actual.map((v, i) => Math.abs(v - expected[i]) / (1 + Math.abs(expected[i]))),
  );
  expect(worst).toBeLessThanOrEqual(tolerance);
}

it("has test parameters for every example program", () => {
  expect(Object.keys(EXAMPLE_PARAMS).sort()).toEqual(files);
});

describe.each(files)("examples/%s", (file) => {
  it.each([1, 2])(
    "solves (seed %i) to the KKT conditions, highs and the objective written out",
    async (seed) => {
      const layer = compile(exampleSource(file), { file });
      const params = EXAMPLE_PARAMS[file](seed);
      const out = layer.solve(params);
      expect(out.status).toEqual(["solved"]);
      const solution = solutionOf(out)!;
      const theta = thetaOf(layer.canonical, params);
      const qp = instantiate(layer.canonical, theta);
      expect(kktViolation(qp, solution.z, solution.lam, solution.nu)).toBeLessThan(1e-7);

      const reference = await solveWithHighs(qp);
      expect(reference.status).toBe("solved");
      const ours = canonicalObjective(qp, solution.z);
      expect(Math.abs(ours - reference.objective)).toBeLessThanOrEqual(
        1e-6 * (1 + Math.abs(reference.objective)),
      );
      for (const v of layer.canonical.variables.filter((v) => v.output)) {
        const columns = (z: Float64Array) => Array.from(z.subarray(v.column, v.column + v.size));
        // highs's own accuracy is the limit here (ANCHORS.md); the KKT check above is the tight one.
        expectClose(columns(solution.z), columns(reference.z), 1e-5);
      }

      const variables = flatVariables(out.variables, 0);
      const objective = OBJECTIVES[file];
      if (objective !== undefined) {
        const direct = objective(params, variables);
        expect(Math.abs(out.objective[0] - direct)).toBeLessThanOrEqual(
          1e-6 * (1 + Math.abs(direct)),
        );
      }
      const closedForm = CLOSED_FORMS[file];
      if (closedForm !== undefined) {
        for (const [name, expected] of Object.entries(closedForm(params))) {
          expectClose(variables[name], expected, 1e-6);
        }
      }
    },
  );
});
