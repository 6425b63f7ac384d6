import { describe, expect, it } from "vitest";
import { compile } from "../../src/runtime/index.js";
import { readParameters } from "../../src/runtime/parameters.js";
import { buildBatch, prepareProblem } from "../../src/runtime/problem.js";
import { solveBatch } from "../../src/solver/index.js";
import { simplexCanon } from "./helpers/simplex-canon.js";

describe("preparing the solver's input from a CanonicalQP", () => {
  it("marks parameter-free operands as shared and requests gradients only of the others", () => {
    const prepared = prepareProblem(simplexCanon(3));
    expect(Object.keys(prepared.fixed).sort()).toEqual(["A", "G", "Q", "b", "h"]);
    expect(prepared.request).toEqual({ Q: false, q: true, A: false, b: false, G: false, h: false });
  });

  it("finds the bound rows of G (−z <= 0) and passes them to the solver", () => {
    const { boundRows } = prepareProblem(simplexCanon(3)).structure;
    expect(Array.from(boundRows!.row)).toEqual([0, 1, 2]);
    expect(Array.from(boundRows!.column)).toEqual([0, 1, 2]);
    expect(Array.from(boundRows!.sign)).toEqual([-1, -1, -1]);
  });

  it("does not take a row with a parameter, or more than one entry, for a bound", () => {
    const layer = compile(
      "dim n = 2\nparameter x[n]\nparameter c\nvariable z[n]\nminimize ||z - x||^2\ns.t. c * z[0] <= 1, z[0] + z[1] <= 1, z[1] >= -1",
    );
    const prepared = prepareProblem(layer.canonical);
    const rows = Array.from(prepared.structure.boundRows?.row ?? []);
    expect(rows).toHaveLength(1);
    // The bound row is −z[1] <= 1.
    const G = prepared.maps.G.constant;
    expect(G[rows[0] * 2 + 1]).toBe(-1);
  });

  it("solves to the same answer with and without the structure", () => {
    const canon = simplexCanon(6);
    const prepared = prepareProblem(canon);
    const params = readParameters(canon.parameters, canon.parameterSize, {
      x: [
        [0.3, -0.2, 0.9, 0.1, 0.5, -1],
        [2, 0.1, 0.2, 0.3, -0.4, 0.05],
      ],
    });
    const problem = buildBatch(prepared, params);
    const structured = solveBatch(problem, {});
    const dense = solveBatch({ ...problem, structure: {} }, {});
    Array.from(structured.z).forEach((v, i) => expect(v).toBeCloseTo(dense.z[i], 8));
  });
});
