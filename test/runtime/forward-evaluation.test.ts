import { describe, expect, it } from "vitest";
import type { AffineMap, CanonParameter } from "../../src/canon/index.js";
import { ParameterError } from "../../src/runtime/index.js";
import { evaluateMap, prepareMap } from "../../src/runtime/affine.js";
import { readParameters } from "../../src/runtime/parameters.js";
import { evaluate } from "./helpers/dense-qp.js";
import { seededRandom } from "./helpers/random.js";

const span = { line: 1, column: 1, offset: 0, length: 1 };
const k = 13;
// P (13×13) then v (13): X = (P + Pᵀ)/2 as the compiler writes quad_form (½Pᵢⱼ then ½Pⱼᵢ for
// i ≠ j, or the reverse below the diagonal; Pᵢᵢ alone), plus v added onto row 2 (entries with
// three terms), plus a constant everywhere (so
// the order the terms are added in shows in the bits).
const parameters: CanonParameter[] = [
  {
    name: "P",
    shape: [k, k],
    size: k * k,
    offset: 0,
    nonneg: false,
    nonpos: false,
    psd: false,
    span,
  },
  { name: "v", shape: [k], size: k, offset: k * k, nonneg: false, nonpos: false, psd: false, span },
];
function symmetrizedMap(): AffineMap {
  const index: number[] = [];
  const param: number[] = [];
  const coef: number[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const first = i <= j ? i * k + j : j * k + i;
      const second = i <= j ? j * k + i : i * k + j;
      if (i === j) {
        (index.push(i * k + j), param.push(first), coef.push(1));
      } else {
        (index.push(i * k + j, i * k + j), param.push(first, second), coef.push(0.5, 0.5));
      }
    }
  }
  for (let j = 0; j < k; j++) (index.push(2 * k + j), param.push(k * k + j), coef.push(3));
  const all = Array.from({ length: k * k }, (_, i) => i);
  return {
    rows: k,
    cols: k,
    constant: { index: all, value: all.map((i) => Math.sin(i) / 3) },
    terms: { index, param, coef },
  };
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe("the forward evaluation of a map in blocks", () => {
  const map = symmetrizedMap();
  const prepared = prepareMap(map, parameters);

  it("finds blocks in a symmetrized parameter matrix and a copied one", () => {
    expect(prepared.forward.runIndex.length).toBeGreaterThan(0);
    const blockTerms = Array.from(prepared.forward.runLength).reduce(
      (s, length, r) => s + length * prepared.forward.runTerms[r],
      0,
    );
    expect(blockTerms + prepared.forward.index.length).toBe(map.terms.index.length);
  });

  it("gives every member the same bits as adding the terms one by one in their order", () => {
    const rand = seededRandom(11);
    const size = k * k + k;
    const theta = Float64Array.from({ length: 3 * size }, () => rand() - 0.5);
    theta[5] = -0;
    theta[k * k + 1] = 1e300;
    const out = evaluateMap(prepared, theta, size, 3);
    for (let b = 0; b < 3; b++) {
      const reference = evaluate(map, theta.subarray(b * size, (b + 1) * size));
      expect(sameBits(out.subarray(b * k * k, (b + 1) * k * k), reference)).toBe(true);
    }
  });
});

// 13: the TypeScript check alone; 40: the WebAssembly Cholesky first (parameters.ts)
for (const k of [13, 40])
  describe(`the psd check of a ${k}×${k} matrix`, () => {
    const psdParameter: CanonParameter = {
      name: "P",
      shape: [k, k],
      size: k * k,
      offset: 0,
      nonneg: false,
      nonpos: false,
      psd: true,
      span,
    };
    const rand = seededRandom(5);
    // UᵀU − 2·e₉e₉ᵀ scaled small: indefinite, with its first failing pivot at row 9 or later.
    const U = Array.from({ length: k * k }, () => rand() - 0.5);
    const gram = new Float64Array(k * k);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += U[t * k + i] * U[t * k + j];
        gram[i * k + j] = s;
      }
    }

    /** The textbook Cholesky of P + shift·I: the first pivot that is not positive, or null. */
    function firstBadPivot(P: Float64Array, shift: number): [number, number] | null {
      const L = new Float64Array(k * k);
      for (let j = 0; j < k; j++) {
        let d = P[j * k + j] + shift;
        for (let t = 0; t < j; t++) d -= L[j * k + t] * L[j * k + t];
        if (!(d > 0)) return [j, d];
        L[j * k + j] = Math.sqrt(d);
        for (let i = j + 1; i < k; i++) {
          let s = P[i * k + j];
          for (let t = 0; t < j; t++) s -= L[i * k + t] * L[j * k + t];
          L[i * k + j] = s / L[j * k + j];
        }
      }
      return null;
    }

    it("accepts a positive definite matrix and names the textbook pivot of an indefinite one", () => {
      const good = gram.map((v, i) => v + (i % (k + 1) === 0 ? 1e-3 : 0));
      expect(() => readParameters([psdParameter], k * k, { P: good })).not.toThrow();
      const bad = gram.slice();
      bad[9 * k + 9] -= 40;
      const scale = Math.max(1, ...Array.from(bad, Math.abs));
      const pivot = firstBadPivot(bad, 1e-9 * scale * k);
      expect(pivot).not.toBeNull();
      const [j, d] = pivot!;
      let error: unknown;
      try {
        readParameters([psdParameter], k * k, { P: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ParameterError);
      expect((error as Error).message).toBe(
        `parameter P: must be positive semidefinite (attribute psd), but it has a negative ` +
          `eigenvalue (Cholesky pivot ${j} is ${d.toPrecision(3)})`,
      );
    });
  });
