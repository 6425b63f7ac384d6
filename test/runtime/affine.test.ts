import { describe, expect, it } from "vitest";
import type { AffineMap, CanonParameter } from "../../src/canon/index.js";
import {
  accumulateParameterTranspose,
  accumulateTranspose,
  evaluateMap,
  prepareMap,
} from "../../src/runtime/affine.js";
import { evaluate } from "./helpers/dense-qp.js";
import { seededRandom } from "./helpers/random.js";

const span = { line: 1, column: 1, offset: 0, length: 1 };
const parameters: CanonParameter[] = [
  { name: "a", shape: [2], size: 2, offset: 0, nonneg: false, nonpos: false, psd: false, span },
  { name: "b", shape: [], size: 1, offset: 2, nonneg: false, nonpos: false, psd: false, span },
  { name: "c", shape: [2], size: 2, offset: 3, nonneg: false, nonpos: false, psd: false, span },
];
// A 3×2 map with repeated entries (they add up) that touches parameters a and c, not b.
const map: AffineMap = {
  rows: 3,
  cols: 2,
  constant: { index: [0, 0, 5], value: [1, 2, -1] },
  terms: { index: [1, 1, 4, 2], param: [0, 4, 3, 0], coef: [2, -1, 0.5, 3] },
};

describe("prepared affine maps", () => {
  const prepared = prepareMap(map, parameters);

  it("knows which parameters the map depends on", () => {
    expect(prepared.dependsOn).toEqual([0, 2]);
  });

  it("evaluates every member as the map's definition says", () => {
    const rand = seededRandom(2);
    const theta = Float64Array.from({ length: 15 }, () => rand());
    const out = evaluateMap(prepared, theta, 5, 3);
    for (let b = 0; b < 3; b++) {
      expect(Array.from(out.subarray(b * 6, b * 6 + 6))).toEqual(
        Array.from(evaluate(map, theta.subarray(b * 5, b * 5 + 5))),
      );
    }
  });

  it("applies the exact transpose: <map(θ) − map(0), g> = <θ, mapᵀ g>", () => {
    const rand = seededRandom(3);
    const theta = Float64Array.from({ length: 5 }, () => rand() - 0.5);
    const g = Float64Array.from({ length: 6 }, () => rand() - 0.5);
    const linear = evaluateMap(prepared, theta, 5, 1).map((v, i) => v - prepared.constant[i]);
    const dTheta = new Float64Array(5);
    accumulateTranspose(prepared, g, dTheta, 5, 1);
    const left = linear.reduce((s, v, i) => s + v * g[i], 0);
    const right = theta.reduce((s, v, i) => s + v * dTheta[i], 0);
    expect(left).toBeCloseTo(right, 14);
    expect(dTheta[2]).toBe(0);
  });
});

describe("the per-parameter transpose", () => {
  // Parameters M (10×10) and v (10) into a 10×10 map: X = (M + Mᵀ)/2 (a run along the rows and a
  // transpose of single terms, 1 on the diagonal), plus 3·v on the first row (a run with coefficient 3)
  // and a constant.
  const k = 10;
  const params: CanonParameter[] = [
    {
      name: "M",
      shape: [k, k],
      size: k * k,
      offset: 0,
      nonneg: false,
      nonpos: false,
      psd: false,
      span,
    },
    {
      name: "v",
      shape: [k],
      size: k,
      offset: k * k,
      nonneg: false,
      nonpos: false,
      psd: false,
      span,
    },
  ];
  const terms = { index: [] as number[], param: [] as number[], coef: [] as number[] };
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) {
        terms.index.push(i * k + i);
        terms.param.push(i * k + i);
        terms.coef.push(1);
        continue;
      }
      terms.index.push(i * k + j, i * k + j);
      terms.param.push(i * k + j, j * k + i);
      terms.coef.push(0.5, 0.5);
    }
  }
  for (let j = 0; j < k; j++) {
    terms.index.push(j);
    terms.param.push(k * k + j);
    terms.coef.push(3);
  }
  const symmetric: AffineMap = { rows: k, cols: k, constant: { index: [5], value: [2] }, terms };

  it.each([
    ["one row per member", true],
    ["summed over the batch", false],
  ])("gives each parameter's part of mapᵀ dX, %s", (_, perMember) => {
    const prepared = prepareMap(symmetric, params);
    const [mTerms, vTerms] = prepared.byParameter;
    expect(mTerms.runIndex.length).toBeGreaterThan(0);
    expect(mTerms.index.length).toBeGreaterThan(0);
    expect(vTerms.runIndex.length).toBe(1);
    const members = 3;
    const rand = seededRandom(9);
    const dX = Float64Array.from({ length: members * k * k }, () => rand() - 0.5);
    const dTheta = new Float64Array(members * (k * k + k));
    accumulateTranspose(prepared, dX, dTheta, k * k + k, members);
    for (const group of prepared.byParameter) {
      const { offset, size } = params[group.parameter];
      const out = new Float64Array((perMember ? members : 1) * size);
      accumulateParameterTranspose(group, dX, k * k, out, size, members, perMember);
      const expected = new Float64Array(out.length);
      for (let b = 0; b < members; b++) {
        for (let i = 0; i < size; i++) {
          expected[(perMember ? b * size : 0) + i] += dTheta[b * (k * k + k) + offset + i];
        }
      }
      out.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 14));
    }
  });
});
