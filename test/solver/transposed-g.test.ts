/**
 * G's dense rows transposed (kkt/transposed-g.ts) are made when a form first reads a member's,
 * not before every member: each read must still see the member asked for, with the dense rows
 * of its own unit-row analysis.
 */
import { describe, expect, it } from "vitest";
import { findUnitRows } from "../../src/solver/kkt/plan.js";
import { transposedG } from "../../src/solver/kkt/transposed-g.js";
import { typescriptKernels } from "../../src/solver/index.js";
import { createWorkspace } from "../../src/solver/workspace.js";
import { randomProblem, stackBatch } from "./helpers/problems.js";

const n = 4;
const p = 3;

/** Two members with their own G; member 1's row 1 is the unit row −e_2, so it has 2 dense rows. */
function twoMembers() {
  const first = randomProblem(n, 0, p, 1);
  const second = randomProblem(n, 0, p, 2);
  second.G.set([0, 0, -1, 0], n);
  return { batch: stackBatch([first, second]), G: [first.G, second.G] };
}

/** The expected Gt: the given rows of G, transposed (n×rows.length). */
function transposed(G: Float64Array, rows: number[]): number[] {
  const out: number[] = [];
  for (let j = 0; j < n; j++) for (const i of rows) out.push(G[i * n + j]);
  return out;
}

describe("G's dense rows, transposed on a form's first read", () => {
  it("are the member's own, made once per member and again after its unit rows change", () => {
    const { batch, G } = twoMembers();
    const { data } = createWorkspace(batch, typescriptKernels);
    expect(data.transposedOf[0]).toBe(-1);

    findUnitRows(data, 1);
    expect(Array.from(data.denseRows.subarray(0, data.denseCount[0]))).toEqual([0, 2]);
    expect(Array.from(transposedG(data, 1).subarray(0, 2 * n))).toEqual(transposed(G[1], [0, 2]));
    expect(data.transposedOf[0]).toBe(1);
    // a second read of the same member reuses the transposition
    data.Gt[0] = 99;
    expect(transposedG(data, 1)[0]).toBe(99);

    findUnitRows(data, 0);
    expect(data.transposedOf[0]).toBe(-1);
    expect(Array.from(transposedG(data, 0).subarray(0, 3 * n))).toEqual(
      transposed(G[0], [0, 1, 2]),
    );
  });

  it("of a G shared by the batch are made once, with the workspace", () => {
    const { batch, G } = twoMembers();
    const shared = { ...batch, G: { data: G[0], shared: true } };
    const { data } = createWorkspace(shared, typescriptKernels);
    expect(data.transposedOf[0]).toBe(0);
    expect(Array.from(transposedG(data, 1).subarray(0, 3 * n))).toEqual(
      transposed(G[0], [0, 1, 2]),
    );
  });
});
