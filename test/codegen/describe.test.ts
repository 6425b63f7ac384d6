import { describe as group, expect, it } from "vitest";
import type { CanonicalQP, CanonParameter } from "../../src/canon/index.js";
import { describe } from "../../src/codegen/index.js";
import { blockEntries } from "../../src/codegen/mapEntries.js";
import { summarizeBlock } from "../../src/codegen/structure.js";
import { nameColumns } from "../../src/codegen/columns.js";
import { MapBuilder, denoiseCanon, parametricEqualityCanon, simplexCanon } from "./handBuilt.js";
import { randomCanon } from "./reference.js";
import { compileExampleOrSkip, exampleNames } from "./examples.js";

/** The line of `text` that starts (after indentation) with `start`, with runs of spaces collapsed. */
function lineStarting(text: string, start: string): string {
  const line = text.split("\n").find((l) => l.trimStart().startsWith(start));
  if (line === undefined) throw new Error(`no line starts with "${start}" in:\n${text}`);
  return line.trim().replace(/ {2,}/g, " | ");
}

group("describe", () => {
  it("shows the simplex program as LANGUAGE.md §4 does", () => {
    const text = describe(simplexCanon());
    expect(text.split("\n")[0]).toBe(
      "simplex.qp: minimize 1/2 z'Qz + q'z  s.t.  A z = b,  G z <= h     n=3  m=1  p=3",
    );
    expect(lineStarting(text, "0..2")).toBe("0..2 | z | [3] | variable z[n] | line 4");
    expect(lineStarting(text, "Q ")).toBe("Q | 3×3 | 2·I | constant");
    expect(lineStarting(text, "q ")).toBe("q | 3 | -2·x | affine in x");
    expect(lineStarting(text, "row 0")).toBe(
      "row 0 | A | [1 1 1] | b | [1] | constant | 1'z = 1, line 8",
    );
    expect(lineStarting(text, "rows 0..2")).toBe(
      "rows 0..2 | G | -I (bounds) | h | 0 | constant | z >= 0, line 7",
    );
    expect(lineStarting(text, "x ")).toBe("x | [3] | θ[0..2] | parameter x[n] | line 3");
  });

  it("names auxiliary columns and the atom rows that define them", () => {
    const text = describe(denoiseCanon());
    expect(lineStarting(text, "4..6")).toBe(
      "4..6 | aux1 | [3] | auxiliary for norm1: ||D z||_1 | line 6",
    );
    expect(lineStarting(text, "Q ")).toBe("Q | 7×7 | I on z | constant");
    expect(lineStarting(text, "q ")).toBe("q | 7 | -x on z + lam on aux1 | affine in x, lam");
    // too long for one line: the source goes on a continuation line
    expect(lineStarting(text, "rows 0..5")).toBe(
      "rows 0..5 | G | affine in D + -1 per row on aux1 | h | 0 | G in D",
    );
    expect(text).toContain("G in D\n      norm1 of ||D z||_1, line 6\n");
    expect(lineStarting(text, "rows 6..9")).toBe(
      "rows 6..9 | G | -I on z (bounds) | h | 0 | constant | 0 <= z, line 7",
    );
    expect(lineStarting(text, "rows 10..13")).toBe(
      "rows 10..13 | G | I on z (bounds) | h | [1 1 1 1] | constant | z <= 1, line 7",
    );
    expect(lineStarting(text, "lam")).toBe("lam | scalar | θ[16] | parameter lam nonneg | line 4");
    expect(text).not.toMatch(/^equalities/m);
  });

  it("recognises parameter blocks placed as they are, transposed, or symmetrised", () => {
    const text = describe(parametricEqualityCanon());
    expect(lineStarting(text, "Q ")).toBe("Q | 3×3 | (P + P') | affine in P");
    expect(lineStarting(text, "rows 0..1")).toBe(
      "rows 0..1 | A | M | b | c | A in M; b in c | M z == c, line 7",
    );
    expect(text).not.toMatch(/^inequalities/m);
  });

  it.each([
    ["simplex", simplexCanon],
    ["denoise", denoiseCanon],
    ["parametric", parametricEqualityCanon],
    ["random", () => randomCanon(3)],
  ])("%s: is deterministic, has no trailing spaces and fits 100 columns", (_, make) => {
    const text = describe(make());
    expect(describe(make())).toBe(text);
    expect(text.endsWith("\n")).toBe(true);
    for (const line of text.split("\n")) {
      expect(line).toBe(line.trimEnd());
      expect([...line].length).toBeLessThanOrEqual(100);
    }
  });

  it("says when the objective was a maximization", () => {
    const canon: CanonicalQP = {
      ...simplexCanon(),
      objective: { ...simplexCanon().objective, sense: "maximize" },
    };
    expect(describe(canon)).toContain(
      "objective  maximize ||z - x||^2  line 5\n  the canonical form minimizes its negation",
    );
  });
});

const x: CanonParameter = {
  name: "x",
  shape: [3],
  size: 3,
  offset: 0,
  nonneg: false,
  nonpos: false,
  psd: false,
  span: { line: 1, column: 1, offset: 0, length: 1 },
};
const lam: CanonParameter = { ...x, name: "lam", shape: [], size: 1, offset: 3 };
const W: CanonParameter = { ...x, name: "W", shape: [2, 3], size: 6, offset: 4 };

function summary(builder: MapBuilder, boundRows = true): string {
  const map = builder.build();
  const axis = map.cols === 1 ? map.rows : map.cols;
  return summarizeBlock(blockEntries(map), {
    parameters: [x, lam, W],
    place: (start, count) =>
      start === 0 && count === axis ? "" : ` on ${start}..${start + count - 1}`,
    boundRows,
  }).text;
}

function fill(rows: number, cols: number, value: (i: number, j: number) => number): MapBuilder {
  const map = new MapBuilder(rows, cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) if (value(i, j) !== 0) map.constant(i, j, value(i, j));
  return map;
}

group("structure summaries", () => {
  it.each<[string, () => MapBuilder, string]>([
    ["an empty block", () => new MapBuilder(3, 3), "0"],
    ["a scaled identity", () => fill(3, 3, (i, j) => (i === j ? 0.5 : 0)), "0.5·I"],
    ["a diagonal", () => fill(3, 3, (i, j) => (i === j ? i + 1 : 0)), "diag(1, 2, 3)"],
    ["a long diagonal", () => fill(8, 8, (i, j) => (i === j ? i + 1 : 0)), "diagonal"],
    [
      "a diagonal in runs",
      () => fill(8, 8, (i, j) => (i === j ? (i < 5 ? 0.2 : 2) : 0)),
      "0.2·I on 0..4, 2·I on 5..7",
    ],
    [
      "bound rows of mixed sign",
      () => new MapBuilder(2, 3).constant(0, 2, 1).constant(1, 0, -1),
      "±1 in one column per row (bounds)",
    ],
    [
      "a small matrix",
      () => fill(2, 3, (i, j) => (j === i ? 1 : j === i + 1 ? -1 : 0)),
      "[1 -1 0; 0 1 -1]",
    ],
    ["a dense matrix", () => fill(40, 64, (i, j) => 1 + i + j), "dense 40×64"],
    [
      "a sparse matrix",
      () => fill(10, 12, (i, j) => (j === i || j === i + 2 ? 1 : 0)),
      "sparse, 2 nonzeros per row",
    ],
    ["a long constant vector", () => fill(9, 1, () => 2), "all 2"],
    [
      "a sparse vector",
      () => new MapBuilder(9, 1).constant(1, 0, 3).constant(7, 0, 1),
      "sparse, 2 nonzeros",
    ],
    [
      "a scaled vector parameter",
      () => new MapBuilder(3, 1).term(0, 0, 0, 3).term(1, 0, 1, 3).term(2, 0, 2, 3),
      "3·x",
    ],
    [
      "a transposed vector parameter",
      () => new MapBuilder(1, 3).term(0, 0, 0, 1).term(0, 1, 1, 1).term(0, 2, 2, 1),
      "x'",
    ],
    [
      "a matrix parameter beside constants",
      () => {
        const map = new MapBuilder(2, 5).constant(0, 3, 1).constant(1, 4, 1);
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) map.term(i, j, 4 + 3 * i + j, -1);
        return map;
      },
      "-W on 0..2 + I on 3..4",
    ],
    [
      "a scalar parameter times identity",
      () => new MapBuilder(2, 2).term(0, 0, 3, 2).term(1, 1, 3, 2),
      "lam·(2·I)",
    ],
    [
      "a parameter used irregularly",
      () => new MapBuilder(2, 2).term(0, 0, 0, 1).term(1, 1, 0, 1),
      "affine in x",
    ],
  ])("summarises %s", (_, make, expected) => {
    expect(summary(make())).toBe(expected);
  });

  it("calls unit rows bounds only in inequality blocks", () => {
    const identity = () => fill(3, 3, (i, j) => (i === j ? -1 : 0));
    expect(summary(identity(), true)).toBe("-I (bounds)");
    expect(summary(identity(), false)).toBe("-I");
  });

  it("sums repeated entries before recognising structure", () => {
    const map = new MapBuilder(2, 2)
      .constant(0, 0, 1)
      .constant(0, 0, 1)
      .constant(1, 1, 2)
      .constant(0, 1, 0);
    expect(summary(map, false)).toBe("2·I");
  });
});

group("structure summaries of single rows", () => {
  it("names the column a one-entry row selects", () => {
    const owners = [{ name: "x", start: 0, size: 3 }];
    const map = new MapBuilder(1, 3).constant(0, 1, -1).build();
    const text = (boundRows: boolean) =>
      summarizeBlock(blockEntries(map), {
        parameters: [],
        place: (start, count) => ` on ${nameColumns(owners, start, count)}`,
        boundRows,
      }).text;
    expect(text(true)).toBe("-x[1] (bound)");
    expect(text(false)).toBe("-x[1]");
  });
});

group("describe on the example programs", () => {
  const examples = exampleNames();
  it.skipIf(examples.length === 0).for(examples)(
    "%s: no trailing spaces and at most 100 columns",
    (name, context) => {
      const text = describe(compileExampleOrSkip(name, context));
      for (const line of text.split("\n")) {
        expect(line).toBe(line.trimEnd());
        expect([...line].length).toBeLessThanOrEqual(100);
      }
    },
  );
});

group("rows the compiler left without an origin", () => {
  it("are still described, marked as having no recorded origin", () => {
    const text = describe({ ...simplexCanon(), inequalityRows: [] });
    expect(lineStarting(text, "rows 0..2")).toBe(
      "rows 0..2 | G | -I (bounds) | h | 0 | constant | no recorded origin",
    );
  });
});
