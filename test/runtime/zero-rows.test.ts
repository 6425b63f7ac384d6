import { describe, expect, it } from "vitest";
import { compile } from "../../src/runtime/index.js";

// minimize (z - 1)^2: without the constraint z = 1.
const scaled = compile("parameter p\nvariable z\nminimize (z - 1)^2\ns.t. p * z <= 0.5\n");

describe("constraints that a member's parameters leave without variables", () => {
  it("reports `p * z <= 0.5` at p = 0 for that member only, and still solves it", () => {
    const out = scaled.solve({ p: [0, 2] });
    expect(out.status).toEqual(["solved", "solved"]);
    expect(out.variables.z[0]).toBeCloseTo(1, 7);
    expect(out.variables.z[1]).toBeCloseTo(0.25, 7);
    expect(out.warnings[1]).toEqual([]);
    expect(out.warnings[0]).toEqual([
      {
        constraint: 0,
        text: "p * z <= 0.5",
        line: 4,
        entries: [[]],
        holds: true,
        message:
          "line 4: `p * z <= 0.5` has only zero coefficients on the variables for this member's " +
          "parameter values: it reads 0 <= 0.5, which always holds (the constraint restricts nothing)",
      },
    ]);
  });

  it("says when the emptied constraint cannot hold, and the member is infeasible", () => {
    const layer = compile("parameter p\nvariable z\nminimize (z - 1)^2\ns.t. p z >= 1\n");
    const out = layer.solve({ p: 0 });
    expect(out.status).toEqual(["infeasible"]);
    expect(out.warnings[0].map((w) => w.message)).toEqual([
      "line 4: `p z >= 1` has only zero coefficients on the variables for this member's " +
        "parameter values: it reads 0 >= 1, which never holds (the member is infeasible)",
    ]);
  });

  it("reads an equality as 0 = b", () => {
    const layer = compile("parameter p\nvariable z\nminimize (z - 1)^2\ns.t. p z == 0\n");
    const out = layer.solve({ p: [0, 1] });
    expect(out.warnings[0].map((w) => w.message)).toEqual([
      "line 4: `p z == 0` has only zero coefficients on the variables for this member's " +
        "parameter values: it reads 0 = 0, which always holds (the constraint restricts nothing)",
    ]);
    expect(out.warnings[1]).toEqual([]);
  });

  it("finds coefficients that cancel exactly: (1 - p) z <= 0.5 at p = 1", () => {
    const layer = compile("parameter p\nvariable z\nminimize (z - 1)^2\ns.t. (1 - p) z <= 0.5\n");
    const out = layer.solve({ p: [1, 0.5] });
    expect(out.warnings.map((list) => list.length)).toEqual([1, 0]);
    expect(out.variables.z[0]).toBeCloseTo(1, 7);
  });

  it("names the entries of a vector constraint that lost their variables", () => {
    const layer = compile(
      "parameter p[3]\nparameter c[3]\nvariable z[3]\nminimize ||z - 1||^2\ns.t. p .* z <= c\n",
    );
    const out = layer.solve({ p: [0, 1, 0], c: [1, -1, 2] });
    expect(out.status).toEqual(["solved"]);
    expect(out.warnings[0]).toHaveLength(1);
    expect(out.warnings[0][0].entries).toEqual([[0], [2]]);
    expect(out.warnings[0][0].message).toBe(
      "line 5: `p .* z <= c` has only zero coefficients on the variables in entries " +
        "[0], [2] for this member's parameter values: they read 0 <= 1, 0 <= 2, which all hold " +
        "(these entries restrict nothing)",
    );
  });

  it("reports every member when the coefficient is shared and the bound varies", () => {
    const layer = compile(
      "parameter p\nparameter c\nvariable z\nminimize (z - 1)^2\ns.t. p z <= c\n",
    );
    const out = layer.solve({ p: 0, c: [1, -1] });
    expect(out.status).toEqual(["solved", "infeasible"]);
    expect(out.warnings.map((list) => list.map((w) => w.holds))).toEqual([[true], [false]]);
  });

  it("has no warnings for a program whose constraints keep their variables", () => {
    const out = scaled.solve({ p: [1, -1, 3] });
    expect(out.warnings).toEqual([[], [], []]);
  });
});
