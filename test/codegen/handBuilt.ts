/**
 * CanonicalQP objects built by hand, as the compiler should build them, so that codegen can be
 * tested on its own. Each one states the program it stands for.
 */
import type {
  AffineMap,
  CanonicalQP,
  CanonParameter,
  CanonVariable,
  RowBlock,
  SourceConstraint,
} from "../../src/canon/index.js";
import type { Span } from "../../src/dsl/index.js";

export class MapBuilder {
  private readonly map: AffineMap;
  constructor(rows: number, cols: number) {
    this.map = {
      rows,
      cols,
      constant: { index: [], value: [] },
      terms: { index: [], param: [], coef: [] },
    };
  }
  constant(row: number, col: number, value: number): this {
    this.map.constant.index.push(row * this.map.cols + col);
    this.map.constant.value.push(value);
    return this;
  }
  term(row: number, col: number, param: number, coef: number): this {
    this.map.terms.index.push(row * this.map.cols + col);
    this.map.terms.param.push(param);
    this.map.terms.coef.push(coef);
    return this;
  }
  build(): AffineMap {
    return this.map;
  }
}

/** The span of the `occurrence`-th appearance of `text` in `source` (1-based line and column). */
export function spanOf(source: string, text: string, occurrence = 0): Span {
  let offset = -1;
  for (let i = 0; i <= occurrence; i++) {
    offset = source.indexOf(text, offset + 1);
    if (offset < 0) throw new Error(`"${text}" not in source`);
  }
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return { line, column, offset, length: text.length };
}

function parameter(
  source: string,
  declaration: string,
  name: string,
  shape: number[],
  offset: number,
  attrs: Partial<Pick<CanonParameter, "nonneg" | "nonpos" | "psd">> = {},
): CanonParameter {
  return {
    name,
    shape,
    size: shape.reduce((a, b) => a * b, 1),
    offset,
    nonneg: attrs.nonneg ?? false,
    nonpos: attrs.nonpos ?? false,
    psd: attrs.psd ?? false,
    span: spanOf(source, declaration),
  };
}

function variable(
  source: string,
  declaration: string,
  name: string,
  shape: number[],
  column: number,
): CanonVariable {
  return {
    name,
    shape,
    size: shape.reduce((a, b) => a * b, 1),
    column,
    output: true,
    span: spanOf(source, declaration),
  };
}

function constraint(
  source: string,
  text: string,
  relation: SourceConstraint["relation"],
  shape: number[],
  start: number,
  count: number,
): SourceConstraint {
  return {
    text,
    span: spanOf(source, text),
    relation,
    shape,
    equality: relation === "==",
    start,
    count,
  };
}

function rowBlock(
  source: string,
  fields: Pick<RowBlock, "start" | "count" | "text" | "structure"> & Partial<RowBlock>,
): RowBlock {
  return {
    origin: "constraint",
    constraint: null,
    atom: null,
    dependsOn: [],
    span: spanOf(source, fields.text),
    ...fields,
  };
}

const noOffset = {
  constant: 0,
  linear: { param: [], coef: [] },
  quadratic: { a: [], b: [], coef: [] },
};

/** LANGUAGE.md §1: projection of x onto the probability simplex. */
export function simplexCanon(): CanonicalQP {
  const source = [
    "# projection onto the probability simplex",
    "dim n = 3",
    "parameter x[n]",
    "variable z[n]",
    "minimize ||z - x||^2",
    "subject to",
    "  z >= 0",
    "  1'z = 1",
    "",
  ].join("\n");
  const Q = new MapBuilder(3, 3);
  const q = new MapBuilder(3, 1);
  const G = new MapBuilder(3, 3);
  for (let i = 0; i < 3; i++) {
    Q.constant(i, i, 2);
    q.term(i, 0, i, -2);
    G.constant(i, i, -1);
  }
  const A = new MapBuilder(1, 3).constant(0, 0, 1).constant(0, 1, 1).constant(0, 2, 1);
  return {
    file: "simplex.qp",
    source,
    dims: { n: 3 },
    n: 3,
    m: 1,
    p: 3,
    parameters: [parameter(source, "parameter x[n]", "x", [3], 0)],
    parameterSize: 3,
    variables: [variable(source, "variable z[n]", "z", [3], 0)],
    auxiliaries: [],
    Q: Q.build(),
    q: q.build(),
    A: A.build(),
    b: new MapBuilder(1, 1).constant(0, 0, 1).build(),
    G: G.build(),
    h: new MapBuilder(3, 1).build(),
    equalityRows: [
      rowBlock(source, {
        start: 0,
        count: 1,
        text: "1'z = 1",
        structure: "general",
        constraint: 1,
      }),
    ],
    inequalityRows: [
      rowBlock(source, { start: 0, count: 3, text: "z >= 0", structure: "bound", constraint: 0 }),
    ],
    constraints: [
      constraint(source, "z >= 0", ">=", [3], 0, 3),
      constraint(source, "1'z = 1", "==", [], 0, 1),
    ],
    objective: {
      sense: "minimize",
      text: "||z - x||^2",
      span: spanOf(source, "||z - x||^2"),
      // ||z - x||^2 = z'z - 2x'z + x'x
      offset: {
        constant: 0,
        linear: { param: [], coef: [] },
        quadratic: { a: [0, 1, 2], b: [0, 1, 2], coef: [1, 1, 1] },
      },
      terms: [{ text: "||z - x||^2", span: spanOf(source, "||z - x||^2"), dependsOn: ["x"] }],
    },
  };
}

/**
 * Denoising with a learned difference operator: the ℓ1 term is lowered to an auxiliary t ≥ |D z|
 * (columns 4..6), so G holds parameter entries (D) beside constant ones (−I on t).
 */
export function denoiseCanon(): CanonicalQP {
  const source = [
    "dim n = 4",
    "parameter x[n]",
    "parameter D[n-1, n]",
    "parameter lam nonneg",
    "variable z[n]",
    "minimize 1/2 ||z - x||^2 + lam * ||D z||_1",
    "subject to 0 <= z <= 1",
    "",
  ].join("\n");
  const n = 7;
  const xOffset = 0;
  const dOffset = 4;
  const lamOffset = 16;
  const Q = new MapBuilder(n, n);
  const q = new MapBuilder(n, 1);
  for (let i = 0; i < 4; i++) {
    Q.constant(i, i, 1);
    q.term(i, 0, xOffset + i, -1);
  }
  for (let i = 0; i < 3; i++) q.term(4 + i, 0, lamOffset, 1);
  const G = new MapBuilder(14, n);
  const h = new MapBuilder(14, 1);
  for (let i = 0; i < 3; i++) {
    // D z - t <= 0 and -D z - t <= 0
    for (let j = 0; j < 4; j++) {
      G.term(i, j, dOffset + i * 4 + j, 1);
      G.term(3 + i, j, dOffset + i * 4 + j, -1);
    }
    G.constant(i, 4 + i, -1);
    G.constant(3 + i, 4 + i, -1);
  }
  for (let i = 0; i < 4; i++) {
    G.constant(6 + i, i, -1);
    G.constant(10 + i, i, 1);
    h.constant(10 + i, 0, 1);
  }
  const norm1Span = spanOf(source, "||D z||_1");
  return {
    file: "denoise.qp",
    source,
    dims: { n: 4 },
    n,
    m: 0,
    p: 14,
    parameters: [
      parameter(source, "parameter x[n]", "x", [4], xOffset),
      parameter(source, "parameter D[n-1, n]", "D", [3, 4], dOffset),
      parameter(source, "parameter lam nonneg", "lam", [], lamOffset, { nonneg: true }),
    ],
    parameterSize: 17,
    variables: [variable(source, "variable z[n]", "z", [4], 0)],
    auxiliaries: [{ column: 4, size: 3, atom: "norm1", text: "||D z||_1", span: norm1Span }],
    Q: Q.build(),
    q: q.build(),
    A: new MapBuilder(0, n).build(),
    b: new MapBuilder(0, 1).build(),
    G: G.build(),
    h: h.build(),
    equalityRows: [],
    inequalityRows: [
      rowBlock(source, {
        start: 0,
        count: 6,
        text: "||D z||_1",
        origin: "atom",
        atom: "norm1",
        structure: "general",
        dependsOn: ["D"],
      }),
      rowBlock(source, { start: 6, count: 4, text: "0 <= z", structure: "bound", constraint: 0 }),
      rowBlock(source, { start: 10, count: 4, text: "z <= 1", structure: "bound", constraint: 1 }),
    ],
    constraints: [
      constraint(source, "0 <= z", ">=", [4], 6, 4),
      constraint(source, "z <= 1", "<=", [4], 10, 4),
    ],
    objective: {
      sense: "minimize",
      text: "1/2 ||z - x||^2 + lam * ||D z||_1",
      span: spanOf(source, "1/2 ||z - x||^2 + lam * ||D z||_1"),
      offset: {
        constant: 0,
        linear: { param: [], coef: [] },
        quadratic: { a: [0, 1, 2, 3], b: [0, 1, 2, 3], coef: [0.5, 0.5, 0.5, 0.5] },
      },
      terms: [
        { text: "1/2 ||z - x||^2", span: spanOf(source, "1/2 ||z - x||^2"), dependsOn: ["x"] },
        {
          text: "lam * ||D z||_1",
          span: spanOf(source, "lam * ||D z||_1"),
          dependsOn: ["lam", "D"],
        },
      ],
    },
  };
}

/** Parameter data everywhere: Q = P + P' from z'Pz, A = M and b = c from M z == c. */
export function parametricEqualityCanon(): CanonicalQP {
  const source = [
    "dim n = 3",
    "parameter P[n, n] psd",
    "parameter M[2, n]",
    "parameter c[2]",
    "variable z[n]",
    "minimize z' P z + sum(z)",
    "s.t. M z == c",
    "",
  ].join("\n");
  const Q = new MapBuilder(3, 3);
  const q = new MapBuilder(3, 1);
  for (let i = 0; i < 3; i++) {
    q.constant(i, 0, 1);
    for (let j = 0; j < 3; j++) {
      // 1/2 z'Qz = z'Pz when Q = P + P'
      Q.term(i, j, i * 3 + j, 1);
      Q.term(j, i, i * 3 + j, 1);
    }
  }
  const A = new MapBuilder(2, 3);
  const b = new MapBuilder(2, 1);
  for (let i = 0; i < 2; i++) {
    b.term(i, 0, 15 + i, 1);
    for (let j = 0; j < 3; j++) A.term(i, j, 9 + i * 3 + j, 1);
  }
  return {
    file: "parametric.qp",
    source,
    dims: { n: 3 },
    n: 3,
    m: 2,
    p: 0,
    parameters: [
      parameter(source, "parameter P[n, n] psd", "P", [3, 3], 0, { psd: true }),
      parameter(source, "parameter M[2, n]", "M", [2, 3], 9),
      parameter(source, "parameter c[2]", "c", [2], 15),
    ],
    parameterSize: 17,
    variables: [variable(source, "variable z[n]", "z", [3], 0)],
    auxiliaries: [],
    Q: Q.build(),
    q: q.build(),
    A: A.build(),
    b: b.build(),
    G: new MapBuilder(0, 3).build(),
    h: new MapBuilder(0, 1).build(),
    equalityRows: [
      rowBlock(source, {
        start: 0,
        count: 2,
        text: "M z == c",
        structure: "general",
        constraint: 0,
        dependsOn: ["M", "c"],
      }),
    ],
    inequalityRows: [],
    constraints: [constraint(source, "M z == c", "==", [2], 0, 2)],
    objective: {
      sense: "minimize",
      text: "z' P z + sum(z)",
      span: spanOf(source, "z' P z + sum(z)"),
      offset: noOffset,
      terms: [
        { text: "z' P z", span: spanOf(source, "z' P z"), dependsOn: ["P"] },
        { text: "sum(z)", span: spanOf(source, "sum(z)"), dependsOn: [] },
      ],
    },
  };
}
