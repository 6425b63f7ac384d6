import type { AffineMap, CanonicalQP, RowBlock } from "../../../src/canon/index.js";

const span = { line: 1, column: 1, offset: 0, length: 1 };

function map(
  rows: number,
  cols: number,
  constant: [number, number][],
  terms: [number, number, number][] = [],
): AffineMap {
  return {
    rows,
    cols,
    constant: { index: constant.map((c) => c[0]), value: constant.map((c) => c[1]) },
    terms: {
      index: terms.map((t) => t[0]),
      param: terms.map((t) => t[1]),
      coef: terms.map((t) => t[2]),
    },
  };
}

function block(start: number, count: number, constraint: number, text: string): RowBlock {
  return {
    start,
    count,
    origin: "constraint",
    constraint,
    atom: null,
    text,
    span,
    structure: "general",
    dependsOn: [],
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The projection onto the probability simplex, built by hand (no compiler involved):
 * minimize ||z − x||² = z'z − 2x'z + x'x  s.t.  −z ≤ 0,  1'z = 1.
 * With `sense: "maximize"` it is the same problem stated as maximize −||z − x||².
 */
export function simplexCanon(n: number, sense: "minimize" | "maximize" = "minimize"): CanonicalQP {
  return {
    file: "<hand-built>",
    source: "",
    dims: { n },
    n,
    m: 1,
    p: n,
    parameters: [
      { name: "x", shape: [n], size: n, offset: 0, nonneg: false, nonpos: false, psd: false, span },
    ],
    parameterSize: n,
    variables: [{ name: "z", shape: [n], size: n, column: 0, output: true, span }],
    auxiliaries: [],
    Q: map(
      n,
      n,
      range(n).map((i) => [i * n + i, 2]),
    ),
    q: map(
      n,
      1,
      [],
      range(n).map((i) => [i, i, -2]),
    ),
    A: map(
      1,
      n,
      range(n).map((i) => [i, 1]),
    ),
    b: map(1, 1, [[0, 1]]),
    G: map(
      n,
      n,
      range(n).map((i) => [i * n + i, -1]),
    ),
    h: map(n, 1, []),
    equalityRows: [block(0, 1, 1, "1'z = 1")],
    inequalityRows: [block(0, n, 0, "z >= 0")],
    constraints: [
      {
        text: "z >= 0",
        span: { ...span, line: 7 },
        relation: ">=",
        shape: [n],
        equality: false,
        start: 0,
        count: n,
      },
      {
        text: "1'z = 1",
        span: { ...span, line: 8 },
        relation: "==",
        shape: [],
        equality: true,
        start: 0,
        count: 1,
      },
    ],
    objective: {
      sense,
      text: "||z - x||^2",
      span,
      // The user's objective is sign·(canonical + offset): for maximize −||z − x||², sign = −1.
      offset: {
        constant: 0,
        linear: { param: [], coef: [] },
        quadratic: { a: range(n), b: range(n), coef: range(n).map(() => 1) },
      },
      terms: [],
    },
  };
}
