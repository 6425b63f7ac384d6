import { describe as group, expect, it } from "vitest";
import type { AffineMap, CanonicalQP } from "../../src/canon/index.js";
import { canonToJsonText, toJSON } from "../../src/codegen/index.js";
import { denoiseCanon, parametricEqualityCanon, simplexCanon } from "./handBuilt.js";
import { MAP_NAMES, applyMap, randomCanon, randomVector, seededRandom } from "./reference.js";

interface TripletMap {
  rows: number;
  cols: number;
  constant: { row: number[]; col: number[]; value: number[] };
  terms: { row: number[]; col: number[]; param: number[]; coef: number[] };
}

function fromTriplets(map: TripletMap): AffineMap {
  return {
    rows: map.rows,
    cols: map.cols,
    constant: {
      index: map.constant.row.map((r, k) => r * map.cols + map.constant.col[k]!),
      value: map.constant.value,
    },
    terms: {
      index: map.terms.row.map((r, k) => r * map.cols + map.terms.col[k]!),
      param: map.terms.param,
      coef: map.terms.coef,
    },
  };
}

const cases: [string, () => CanonicalQP][] = [
  ["simplex", simplexCanon],
  ["denoise", denoiseCanon],
  ["parametric", parametricEqualityCanon],
  ["random", () => randomCanon(5)],
];

group("toJSON / canonToJsonText", () => {
  it.each(cases)("%s: the text parses back to exactly toJSON's object", (_, make) => {
    const canon = make();
    expect(JSON.parse(canonToJsonText(canon))).toEqual(toJSON(canon));
  });

  it.each(cases)("%s: the sparse triplets rebuild the same QP data", (_, make) => {
    const canon = make();
    const json = JSON.parse(canonToJsonText(canon)) as { maps: Record<string, TripletMap> };
    const theta = randomVector(seededRandom(7), canon.parameterSize);
    for (const name of MAP_NAMES) {
      expect(applyMap(fromTriplets(json.maps[name]!), theta)).toEqual(applyMap(canon[name], theta));
    }
  });

  it("lists keys in a fixed order and columns in column order", () => {
    const json = toJSON(denoiseCanon());
    expect(Object.keys(json)).toEqual([
      "format",
      "version",
      "file",
      "problem",
      "dims",
      "sizes",
      "parameters",
      "columns",
      "maps",
      "rows",
      "constraints",
      "objective",
      "source",
    ]);
    expect(json.sizes).toEqual({ n: 7, m: 0, p: 14, parameterSize: 17 });
    expect(json.columns).toEqual([
      {
        kind: "variable",
        name: "z",
        shape: [4],
        start: 0,
        size: 4,
        output: true,
        line: 5,
        column: 1,
      },
      {
        kind: "auxiliary",
        name: "aux1",
        atom: "norm1",
        text: "||D z||_1",
        start: 4,
        size: 3,
        line: 6,
        column: 34,
      },
    ]);
  });

  it("traces each row block to its source line and column", () => {
    const json = toJSON(simplexCanon()) as { rows: { inequality: Record<string, unknown>[] } };
    expect(json.rows.inequality[0]).toMatchObject({
      start: 0,
      count: 3,
      text: "z >= 0",
      structure: "bound",
      line: 7,
      column: 3,
    });
  });

  it("packs number arrays into lines of at most 100 columns", () => {
    const text = canonToJsonText(randomCanon(2));
    for (const line of text.split("\n")) {
      if (!line.trimStart().startsWith('"source"')) expect(line.length).toBeLessThanOrEqual(100);
    }
    const big = canonToJsonText({
      ...simplexCanon(),
      dims: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`d${i}`, i])),
    });
    expect(big).toContain('"d59": 59');
  });
});
