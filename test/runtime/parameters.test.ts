import { describe, expect, it } from "vitest";
import type { CanonParameter } from "../../src/canon/index.js";
import { ParameterError } from "../../src/runtime/index.js";
import { readParameters } from "../../src/runtime/parameters.js";

const span = { line: 1, column: 1, offset: 0, length: 1 };

function parameter(
  name: string,
  shape: number[],
  offset: number,
  attributes: Partial<Pick<CanonParameter, "nonneg" | "nonpos" | "psd">> = {},
): CanonParameter {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    name,
    shape,
    size,
    offset,
    nonneg: false,
    nonpos: false,
    psd: false,
    span,
    ...attributes,
  };
}

// x[3], lam (scalar, nonneg), P[2,2] psd: θ = [x0 x1 x2 lam P00 P01 P10 P11]
const parameters = [
  parameter("x", [3], 0),
  parameter("lam", [], 3, { nonneg: true }),
  parameter("P", [2, 2], 4, { psd: true }),
];
const read = (values: unknown) => readParameters(parameters, 8, values);
const identity = [
  [1, 0],
  [0, 1],
];

function errorOf(values: unknown): ParameterError {
  try {
    read(values);
  } catch (error) {
    if (error instanceof ParameterError) return error;
    throw error;
  }
  throw new Error("expected a ParameterError");
}

describe("readParameters", () => {
  it("reads unbatched values as a batch of one", () => {
    const batch = read({ x: [1, 2, 3], lam: 0.5, P: identity });
    expect(batch.batch).toBe(1);
    expect(Array.from(batch.theta)).toEqual([1, 2, 3, 0.5, 1, 0, 0, 1]);
    expect(batch.given.map((g) => g.batch)).toEqual([null, null, null]);
  });

  it("shares unbatched parameters across the members of a batched one", () => {
    const batch = read({
      x: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      lam: 0.5,
      P: identity,
    });
    expect(batch.batch).toBe(2);
    expect(Array.from(batch.theta)).toEqual([1, 2, 3, 0.5, 1, 0, 0, 1, 4, 5, 6, 0.5, 1, 0, 0, 1]);
  });

  it("reads a scalar parameter given as a list as a batch of scalars", () => {
    const batch = read({ x: [1, 2, 3], lam: [0.1, 0.2, 0.3], P: identity });
    expect(batch.batch).toBe(3);
    expect(batch.theta[3 + 8 * 2]).toBe(0.3);
  });

  it("reads flat typed arrays as one member or a whole batch", () => {
    const batch = read({
      x: Float64Array.of(1, 2, 3, 4, 5, 6),
      lam: Float32Array.of(2),
      P: identity,
    });
    expect(batch.batch).toBe(2);
    expect(batch.given[0].form).toBe("typed");
    expect(batch.given[1].batch).toBeNull();
    expect(Array.from(batch.theta.subarray(8, 12))).toEqual([4, 5, 6, 2]);
  });

  it("broadcasts a batch axis of length one", () => {
    const batch = read({
      x: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      lam: [0.5],
      P: identity,
    });
    expect(batch.batch).toBe(2);
    expect(batch.given[1].batch).toBe(1);
    expect(batch.theta[8 + 3]).toBe(0.5);
  });

  it("treats __proto__ and constructor as plain parameter names", () => {
    const tricky = [parameter("__proto__", [], 0), parameter("constructor", [2], 1)];
    const values = JSON.parse('{"__proto__": 4, "constructor": [5, 6]}') as unknown;
    const batch = readParameters(tricky, 3, values);
    expect(Array.from(batch.theta)).toEqual([4, 5, 6]);
    expect(() => readParameters(tricky, 3, { constructor: [5, 6] })).toThrow(
      /missing value for parameter __proto__/,
    );
  });

  it.each([
    [
      "a missing parameter",
      { x: [1, 2, 3], P: identity },
      /missing value for parameter lam/,
      "lam",
    ],
    [
      "a misspelled parameter, with a suggestion",
      { x: [1, 2, 3], lamb: 1, lam: 1, P: identity },
      /unknown parameter "lamb" \(did you mean "lam"\?\)/,
      "lamb",
    ],
    [
      "a wrong shape, printing both shapes",
      { x: [1, 2], lam: 1, P: identity },
      /parameter x: expected shape \[3\] or \[batch, 3\], got shape \[2\]/,
      "x",
    ],
    [
      "a ragged batch",
      {
        x: [
          [1, 2, 3],
          [1, 2],
        ],
        lam: 1,
        P: identity,
      },
      /parameter x: ragged array/,
      "x",
    ],
    [
      "inconsistent batch sizes",
      {
        x: [
          [1, 2, 3],
          [1, 2, 3],
        ],
        lam: [1, 2, 3],
        P: identity,
      },
      /inconsistent batch sizes: parameter x has a batch of 2 but parameter lam has a batch of 3/,
      "lam",
    ],
    [
      "a string entry",
      { x: [1, "2", 3], lam: 1, P: identity },
      /parameter x, entry \[1\]: the string "2" is not a number/,
      "x",
    ],
    [
      "a NaN entry, naming member and entry",
      {
        x: [
          [1, 2, 3],
          [1, 2, NaN],
        ],
        lam: 1,
        P: identity,
      },
      /parameter x, member 1, entry \[2\]: NaN is not a finite number/,
      "x",
    ],
    [
      "an infinite entry",
      { x: [1, 2, 3], lam: Infinity, P: identity },
      /parameter lam: Infinity is not a finite number/,
      "lam",
    ],
    [
      "a negative nonneg parameter",
      { x: [1, 2, 3], lam: [1, -2], P: identity },
      /parameter lam, member 1: -2 violates its attribute nonneg/,
      "lam",
    ],
    [
      "a non-symmetric psd parameter",
      {
        x: [1, 2, 3],
        lam: 1,
        P: [
          [1, 2],
          [0, 1],
        ],
      },
      /parameter P: must be symmetric \(attribute psd\)/,
      "P",
    ],
    [
      "an indefinite psd parameter",
      {
        x: [1, 2, 3],
        lam: 1,
        P: [
          [1, 2],
          [2, 1],
        ],
      },
      /parameter P: must be positive semidefinite \(attribute psd\)/,
      "P",
    ],
    [
      "a typed array of the wrong length",
      { x: new Float64Array(4), lam: 1, P: identity },
      /whole number of members of shape \[3\].*got length 4/,
      "x",
    ],
    [
      "an empty batch",
      { x: [1, 2, 3], lam: [], P: identity },
      /parameter lam: the batch is empty/,
      "lam",
    ],
  ])("rejects %s", (_what, values, message, name) => {
    const error = errorOf(values);
    expect(error.message).toMatch(message);
    expect(error.parameter).toBe(name);
  });

  it("names the member of a bad entry in .member", () => {
    expect(
      errorOf({
        x: [
          [1, 2, 3],
          [1, 2, NaN],
        ],
        lam: 1,
        P: identity,
      }).member,
    ).toBe(1);
    expect(
      errorOf({
        x: [1, 2, 3],
        lam: 1,
        P: [
          [1, 2],
          [2, 1],
        ],
      }).member,
    ).toBeNull();
  });

  it("accepts a positive semidefinite but singular psd parameter", () => {
    expect(() =>
      read({
        x: [1, 2, 3],
        lam: 0,
        P: [
          [1, 1],
          [1, 1],
        ],
      }),
    ).not.toThrow();
  });

  it("rejects values that are not an object of parameters", () => {
    expect(() => read([1, 2])).toThrow(ParameterError);
    expect(() => read(null)).toThrow(/object mapping each parameter name/);
  });

  it("checks the symmetric attribute", () => {
    const S = { ...parameter("S", [2, 2], 0), symmetric: true };
    expect(() =>
      readParameters([S], 4, {
        S: [
          [1, 2],
          [2, -5],
        ],
      }),
    ).not.toThrow();
    expect(() =>
      readParameters([S], 4, {
        S: [
          [1, 2],
          [3, 1],
        ],
      }),
    ).toThrow(
      /parameter S: must be symmetric \(attribute symmetric\), but entry \[1, 0\] is 3 and \[0, 1\] is 2/,
    );
  });

  it("forgives float32 rounding in the attributes of float32 data (tensors), not of float64", () => {
    const nearlySymmetric = [1, 1 + 3e-7, 1, 1];
    const values = (P: unknown) => ({ x: [1, 2, 3], lam: 1, P });
    expect(() => read(values(Float32Array.from(nearlySymmetric)))).not.toThrow();
    expect(() => read(values(Float64Array.from(nearlySymmetric)))).toThrow(/must be symmetric/);
  });
});
