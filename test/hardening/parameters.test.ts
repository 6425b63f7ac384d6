import { afterEach, describe, expect, it } from "vitest";
import { compile, ParameterError } from "../../src/index.js";
import { thrown } from "./helpers.js";

/**
 * Bad parameter values given to the public `compile(...).solve(...)`: each gets a ParameterError
 * that names the parameter (and the batch member, where there is one). Keys and parameter names
 * that are also JavaScript object properties are plain names and change nothing global.
 */

const layer = compile(
  "dim n = 3\nparameter x[n]\nparameter lam nonneg\nparameter P[n, n] psd\nvariable z[n]\n" +
    "minimize ||z - x||^2 + lam * sum_squares(z) + quad_form(z, P)\ns.t. z >= 0",
);
const I = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];
const good = { x: [1, 2, 3], lam: 1, P: I };

function parameterError(values: unknown): ParameterError {
  const error = thrown(() => layer.solve(values as never));
  expect(error).toBeInstanceOf(ParameterError);
  return error as ParameterError;
}

describe("bad parameter values name the parameter and the member", () => {
  it.each([
    ["missing", { x: [1, 2, 3], lam: 1 }, "P", null, /missing value for parameter P/],
    ["extra", { ...good, y: 2 }, "y", null, /unknown parameter "y"/],
    ["misspelled", { xx: [1, 2, 3], lam: 1, P: I }, "xx", null, /"xx" \(did you mean "x"\?\)/],
    [
      "wrong shape",
      { ...good, x: [1, 2] },
      "x",
      null,
      /expected shape \[3\] or \[batch, 3\], got shape \[2\]/,
    ],
    ["one axis too many", { ...good, x: [[[1, 2, 3]]] }, "x", null, /got shape \[1, 1, 3\]/],
    [
      "a ragged batch",
      {
        ...good,
        x: [
          [1, 2, 3],
          [1, 2],
        ],
      },
      "x",
      1,
      /ragged|member 1/,
    ],
    [
      "a string entry",
      { ...good, x: [1, "2", 3] },
      "x",
      null,
      /entry \[1\]: the string "2" is not a number/,
    ],
    ["a string value", { ...good, x: "abc" }, "x", null, /got the string "abc"/],
    [
      "an object entry",
      { ...good, x: [{}, 2, 3] },
      "x",
      null,
      /entry \[0\]: an object is not a number/,
    ],
    ["a bigint entry", { ...good, x: [1n, 2, 3] }, "x", null, /a bigint is not a number/],
    [
      "NaN in member 1",
      {
        ...good,
        x: [
          [1, 2, 3],
          [1, NaN, 3],
        ],
      },
      "x",
      1,
      /member 1, entry \[1\]: NaN is not a finite number/,
    ],
    [
      "Infinity",
      { ...good, x: [1, 2, Infinity] },
      "x",
      null,
      /entry \[2\]: Infinity is not a finite number/,
    ],
    ["-Infinity in member 1", { ...good, lam: [1, -Infinity] }, "lam", 1, /member 1: -Infinity/],
    [
      "NaN in a typed array",
      { ...good, x: Float64Array.of(1, 2, 3, 4, NaN, 6) },
      "x",
      1,
      /member 1, entry \[1\]: NaN/,
    ],
    ["a nonneg violation", { ...good, lam: [1, -1] }, "lam", 1, /-1 violates its attribute nonneg/],
    [
      "a psd violation",
      {
        ...good,
        P: [
          I,
          [
            [1, 0, 0],
            [0, -1, 0],
            [0, 0, 1],
          ],
        ],
      },
      "P",
      1,
      /positive semidefinite/,
    ],
    [
      "an asymmetric psd matrix",
      {
        ...good,
        P: [
          [1, 2, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
      },
      "P",
      null,
      /must be symmetric/,
    ],
    [
      "inconsistent batches",
      {
        ...good,
        x: [
          [1, 2, 3],
          [4, 5, 6],
        ],
        lam: [1, 2, 3],
      },
      "lam",
      null,
      /inconsistent batch sizes/,
    ],
    ["an empty batch", { ...good, x: [] }, "x", null, /got shape \[0\]/],
  ])("%s", (_, values, parameter, member, message) => {
    const error = parameterError(values);
    expect(error.message).toMatch(message);
    expect(error.parameter).toBe(parameter);
    expect(error.member).toBe(member);
    if (parameter !== null) expect(error.message).toContain(parameter);
    if (member !== null) expect(error.message).toContain(`member ${member}`);
  });

  it.each([
    ["null", null],
    ["an array", [1, 2, 3]],
    ["a number", 3],
  ])("refuses %s in place of the parameter object", (_, values) => {
    expect(parameterError(values).message).toMatch(/must be given as an object/);
  });
});

describe("names that are also JavaScript object properties are plain names", () => {
  afterEach(() => {
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "a JSON key %s that is no parameter is an unknown parameter",
    (key) => {
      const values = JSON.parse(
        `{"x": [1, 2, 3], "lam": 1, "P": ${JSON.stringify(I)}, "${key}": {"polluted": true}}`,
      ) as unknown;
      const error = parameterError(values);
      expect(error.message).toMatch(new RegExp(`unknown parameter "${key}"`));
      expect(error.parameter).toBe(key);
    },
  );

  const builtins = compile(
    "parameter constructor\nparameter toString[2]\nparameter valueOf\nparameter hasOwnProperty[2]\n" +
      "variable z[2]\nminimize ||z - toString||^2 + constructor * sum(z) + valueOf * z[0] + hasOwnProperty'z",
  );

  it("solves and differentiates a layer whose parameters are named constructor, toString, valueOf, hasOwnProperty", () => {
    const values = JSON.parse(
      '{"constructor": 1, "toString": [1, 2], "valueOf": 0.5, "hasOwnProperty": [0, 0]}',
    ) as Record<string, number | number[]>;
    const out = builtins.solve(values);
    expect(out.status).toEqual(["solved"]);
    // Unconstrained: z = toString - (constructor + valueOf·e0 + hasOwnProperty)/2.
    const z = out.variables.z![0] as number[];
    expect(z[0]).toBeCloseTo(1 - (1 + 0.5) / 2, 9);
    expect(z[1]).toBeCloseTo(2 - 1 / 2, 9);
    const g = builtins.vjp(out, { z: [1, 1] });
    expect(Object.keys(g).sort()).toEqual(["constructor", "hasOwnProperty", "toString", "valueOf"]);
    // dz/dconstructor = -1/2 per entry, summed against the upstream (1, 1).
    const grad = (name: string) => g[name];
    expect(grad("constructor")).toBeCloseTo(-1, 9);
    expect(grad("valueOf")).toBeCloseTo(-0.5, 9);
    expect(grad("toString")).toEqual([expect.closeTo(1, 9), expect.closeTo(1, 9)]);
    expect(grad("hasOwnProperty")).toEqual([expect.closeTo(-0.5, 9), expect.closeTo(-0.5, 9)]);
  });

  it("treats an inherited property as missing, not as a given value", () => {
    const values = { toString: [1, 2], valueOf: 0.5, hasOwnProperty: [0, 0] };
    const error = thrown(() => builtins.solve(values as never));
    expect(error.message).toMatch(/missing value for parameter constructor/);
  });
});
