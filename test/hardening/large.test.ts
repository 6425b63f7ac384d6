import { describe, expect, it } from "vitest";
import { compile, solveQP } from "../../src/index.js";
import { compileError } from "./helpers.js";

/**
 * Large programs either compile (and solve) or are refused up front with a message about their
 * size: never an allocation that takes the machine down, never minutes of lowering.
 */

describe("programs too large for a dense layer are refused up front, with the memory they need", () => {
  it("refuses 20,000 variables with a diagonal objective, stating bytes per member and the limit", () => {
    const error = compileError(
      "dim n = 20000\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2",
    );
    expect(error.message).toMatch(
      /the QP is too large: Q would be 20000×20000 = 400000000 entries, 3\.2 GB of float64 for each member of a batch \(a batch of b members needs b times that\); the limit is 50000000 entries \(400 MB\) per dense block/,
    );
    expect(error.diagnostics[0]!.span.line).toBe(4);
  });

  it("counts the solver's (m+p)×(m+p) constraint block: 8,000 bounds on 4,000 variables", () => {
    const error = compileError(
      "dim n = 4000\nvariable z[n]\nminimize sum_squares(z)\ns.t. 0 <= z <= 1",
    );
    expect(error.message).toMatch(/constraint block would be 8000×8000 .* 512 MB/);
  });

  it("refuses a dim override that makes the program too large the same way", () => {
    const error = compileError("dim n = 3\nvariable z[n]\nminimize ||z||_1", { dims: { n: 9000 } });
    expect(error.message).toMatch(/Q would be 9000×9000 = 81000000 entries, 648 MB/);
  });

  it("refuses more than a million parameter entries at the declaration", () => {
    const error = compileError(
      "dim n = 3000\nparameter G[n, n]\nvariable z[n]\nminimize ||z||^2\ns.t. G z <= 1",
    );
    expect(error.message).toMatch(
      /2:11: error: the parameters would have 9000000 entries in all, over the limit of 1000000/,
    );
  });
});

describe("programs whose lowering would take minutes are stopped by the work limit", () => {
  it.each([
    [
      "a 3000×3000 constant times itself",
      "constant B = A * A\nvariable z[n]\nminimize sum(B z)",
      3,
    ],
    [
      "the sum of a dense 3000×3000 constant times z",
      "variable z[n]\nminimize sum(A z) + sum_squares(z)",
      4,
    ],
    ["||A z||^2 with a dense constant A", "variable z[n]\nminimize ||A z||^2", 4],
  ])("%s", (_, body, line) => {
    const error = compileError(`dim n = 3000\nconstant A = ones(n, n)\n${body}`);
    expect(error.message).toMatch(
      /the program is too large to compile: checking and lowering it needs more than 10000000 steps/,
    );
    expect(error.diagnostics[0]!.span.line).toBe(line);
  });
});

describe("large programs within the limits compile and solve", () => {
  it("3,000 inequality constraints on 100 variables, a batch of 2, each member like its own solve", () => {
    const n = 100;
    const m = 3000;
    const layer = compile(
      `dim n = ${n}\ndim m = ${m}\nparameter G[m, n]\nparameter x[n]\nvariable z[n]\n` +
        "minimize ||z - x||^2\ns.t. G z <= 1",
    );
    expect([layer.canonical.n, layer.canonical.p]).toEqual([n, m]);
    const G = Array.from({ length: m }, (_, i) =>
      Array.from({ length: n }, (_, j) => Math.sin(7 * i + 3 * j)),
    );
    const x = [Array<number>(n).fill(1), Array<number>(n).fill(-1)];
    const out = layer.solve({ G, x }, { workers: false });
    expect(out.status).toEqual(["solved", "solved"]);
    // The raw solver on the same data: ||z - x||^2 = 1/2 z'(2I)z - 2x'z + const.
    for (const b of [0, 1]) {
      const alone = solveQP({
        Q: Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => (i === j ? 2 : 0)),
        ),
        q: x[b]!.map((v) => -2 * v),
        G,
        h: Array<number>(m).fill(1),
      });
      expect(alone.status).toEqual(["solved"]);
      const z = out.variables.z![b] as number[];
      z.forEach((v, j) => expect(v).toBeCloseTo(alone.z[0]![j]!, 6));
    }
  });

  it("3,001 constraints on 3,000 variables (bounds and a budget) compile quickly into bound rows", () => {
    const layer = compile(
      "dim n = 3000\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0\nsum(z) <= 1",
    );
    expect([layer.canonical.n, layer.canonical.p]).toEqual([3000, 3001]);
    expect(layer.canonical.inequalityRows[0]!.structure).toBe("bound");
  });

  it("the OptNet benchmark layer (every coefficient a parameter) compiles at n = p = 100", () => {
    const layer = compile(
      "dim n = 100\nparameter Q[n, n] psd\nparameter q[n]\nparameter G[n, n]\nparameter h[n]\n" +
        "variable z[n]\nminimize 1/2 quad_form(z, Q) + q'z\ns.t. G z <= h",
    );
    expect(layer.canonical.parameterSize).toBe(2 * 100 * 100 + 2 * 100);
  });
});
