/**
 * The atom table (LANGUAGE.md §2): every atom is defined once here — arity, shape rule, sign,
 * curvature and monotonicity per argument (driving the generic DCP check in check.ts), its value
 * on numeric constants, and its lowering to QP form with auxiliary variables.
 */
import {
  linAddInto,
  linColumn,
  linConst,
  linSum,
  paConst,
  paScale,
  type LinearEntry,
  type ParamAffine,
} from "./affine.js";
import { dense, denseScalar, elementwise, mapDense, matmul, type Dense } from "./dense.js";
import type { Info, Sign } from "./info.js";
import type { LowerContext } from "./lowerContext.js";
import { broadcastShapes, formatShape, isScalar, sameShape, sizeOf, type Shape } from "./shape.js";
import {
  multiplyValues,
  sumValue,
  type AffineValue,
  type AtomOrigin,
  type MaterialValue,
  type QuadValue,
  type Value,
} from "./values.js";

export type Monotonicity = "increasing" | "decreasing" | "none";

export interface AtomDefinition {
  name: string;
  /** how it is written, for messages */
  signature: string;
  arity: readonly number[];
  /** whether more arguments than the last arity are accepted too (`max(a, b, c)`) */
  variadic?: boolean;
  /**
   * "affine" atoms are linear maps; "convex"/"concave" ones are checked by the DCP rule
   * (curvature × sign × monotonicity); "product" atoms follow the product rule.
   */
  curvature: "affine" | "convex" | "concave" | "product";
  /** whether the value is quadratic in its (affine) argument */
  quadratic: boolean;
  /** arguments that must be numeric constants (not expressions of variables or parameters) */
  constantArgs?: readonly number[];
  /** the result shape, or a message saying why the arguments do not fit */
  shape(args: readonly Info[]): Shape | string;
  sign(args: readonly Info[]): Sign;
  monotonicity(args: readonly Info[], index: number): Monotonicity;
  evaluate(values: readonly Dense[]): Dense;
  lower(ctx: LowerContext, args: readonly Value[], origin: AtomOrigin): Value;
}

const NONNEG: Sign = { nonneg: true, nonpos: false };

/** Increasing where the argument is nonnegative, decreasing where it is nonpositive. */
function evenMonotonicity(args: readonly Info[], i: number): Monotonicity {
  const a = args[i];
  return a.nonneg ? "increasing" : a.nonpos ? "decreasing" : "none";
}

const increasing = (): Monotonicity => "increasing";

function sameAsArgument(args: readonly Info[]): Shape {
  return args[0].shape;
}

function scalarShape(): Shape {
  return [];
}

function broadcastTwo(args: readonly Info[]): Shape | string {
  const s = broadcastShapes(args[0].shape, args[1].shape);
  return (
    s ??
    `the arguments' shapes differ: ${formatShape(args[0].shape)} and ${formatShape(args[1].shape)}`
  );
}

function neg(e: LinearEntry): LinearEntry {
  return linSum(linConst(paConst(0)), e, -1);
}

function broadcastEntries(v: AffineValue, size: number): LinearEntry[] {
  return isScalar(v.shape) && size !== 1
    ? Array.from({ length: size }, () => v.entries[0])
    : v.entries;
}

function pieces(
  sense: "max" | "min",
  shape: Shape,
  list: LinearEntry[][],
  origin: AtomOrigin,
): Value {
  return { kind: "pieces", sense, shape, pieces: list, origin };
}

function maxOrMin(sense: "max" | "min"): AtomDefinition {
  const pick = sense === "max" ? Math.max : Math.min;
  return {
    name: sense,
    signature: `${sense}(e) or ${sense}(a, b, …)`,
    arity: [1, 2],
    variadic: true,
    curvature: sense === "max" ? "convex" : "concave",
    quadratic: false,
    shape: (args) => {
      if (args.length === 1) return scalarShape();
      let shape: Shape = [];
      for (const a of args) {
        const s = broadcastShapes(shape, a.shape);
        if (s === null)
          return `the arguments' shapes differ: ${args.map((x) => formatShape(x.shape)).join(", ")}`;
        shape = s;
      }
      return shape;
    },
    sign: (args) => {
      if (args.length === 1) return { nonneg: args[0].nonneg, nonpos: args[0].nonpos };
      // the max is nonneg when any argument is, nonpos when all are (mirrored for min)
      const any = (f: (a: Info) => boolean) => args.some(f);
      const all = (f: (a: Info) => boolean) => args.every(f);
      return sense === "max"
        ? { nonneg: any((a) => a.nonneg), nonpos: all((a) => a.nonpos) }
        : { nonneg: all((a) => a.nonneg), nonpos: any((a) => a.nonpos) };
    },
    monotonicity: increasing,
    evaluate: (values) =>
      values.length === 1
        ? denseScalar(values[0].data.reduce((a, b) => pick(a, b)))
        : values.slice(1).reduce((acc, v) => elementwise(acc, v, (a, b) => pick(a, b)), values[0]),
    lower(ctx, args, origin) {
      if (args.length === 1) {
        const e = ctx.materialize(args[0]);
        return pieces(
          sense,
          [],
          e.entries.map((entry) => [entry]),
          origin,
        );
      }
      const values = args.map((a) => ctx.materialize(a));
      let shape: Shape = [];
      for (const v of values) shape = broadcastShapes(shape, v.shape) ?? shape;
      const size = sizeOf(shape);
      return pieces(
        sense,
        shape,
        values.map((v) => broadcastEntries(v, size)),
        origin,
      );
    },
  };
}

/** |e| elementwise as the pieces e and −e. */
function absPieces(e: AffineValue): LinearEntry[][] {
  return [e.entries, e.entries.map(neg)];
}

function sumSquaresOf(arg: LinearEntry[], origin: AtomOrigin): QuadValue {
  return {
    kind: "quad",
    shape: [],
    entries: [{ parts: [{ weight: paConst(1), arg, P: null, origin }], lin: linConst(paConst(0)) }],
  };
}

const ATOM_LIST: AtomDefinition[] = [
  {
    name: "sum",
    signature: "sum(e)",
    arity: [1],
    curvature: "affine",
    quadratic: false,
    shape: scalarShape,
    sign: (args) => ({ nonneg: args[0].nonneg, nonpos: args[0].nonpos }),
    monotonicity: increasing,
    evaluate: (values) => denseScalar(values[0].data.reduce((a, b) => a + b, 0)),
    lower(ctx, args) {
      const v = args[0].kind === "quad" ? args[0] : ctx.materialize(args[0]);
      return sumValue(v);
    },
  },
  {
    name: "dot",
    signature: "dot(a, b)",
    arity: [2],
    curvature: "product",
    quadratic: false,
    shape: (args) => {
      const s = broadcastTwo(args);
      return typeof s === "string" ? s : [];
    },
    sign: () => ({ nonneg: false, nonpos: false }),
    monotonicity: () => "none",
    evaluate: (values) =>
      denseScalar(
        elementwise(values[0], values[1], (a, b) => a * b).data.reduce((a, b) => a + b, 0),
      ),
    lower(ctx, args) {
      const a: MaterialValue = args[0].kind === "quad" ? args[0] : ctx.materialize(args[0]);
      const b: MaterialValue = args[1].kind === "quad" ? args[1] : ctx.materialize(args[1]);
      return sumValue(multiplyValues(a, b, "elementwise"));
    },
  },
  {
    name: "square",
    signature: "square(e)",
    arity: [1],
    curvature: "convex",
    quadratic: true,
    shape: sameAsArgument,
    sign: () => NONNEG,
    monotonicity: evenMonotonicity,
    evaluate: (values) => mapDense(values[0], (x) => x * x),
    lower(ctx, args, origin) {
      const e = ctx.materialize(args[0]);
      return {
        kind: "quad",
        shape: e.shape,
        entries: e.entries.map((entry) => ({
          parts: [{ weight: paConst(1), arg: [entry], P: null, origin }],
          lin: linConst(paConst(0)),
        })),
      };
    },
  },
  {
    name: "sum_squares",
    signature: "sum_squares(e)",
    arity: [1],
    curvature: "convex",
    quadratic: true,
    shape: scalarShape,
    sign: () => NONNEG,
    monotonicity: evenMonotonicity,
    evaluate: (values) => denseScalar(values[0].data.reduce((a, x) => a + x * x, 0)),
    lower: (ctx, args, origin) => sumSquaresOf(ctx.materialize(args[0]).entries, origin),
  },
  {
    name: "quad_form",
    signature: "quad_form(e, P)",
    arity: [2],
    curvature: "convex",
    quadratic: true,
    shape: (args) => {
      const [e, P] = args;
      const k = sizeOf(e.shape);
      if (e.shape.length > 1)
        return `its first argument must be a vector, not a ${formatShape(e.shape)}`;
      if (!sameShape(P.shape, k === 1 ? [] : [k, k]))
        return `P must be ${k}×${k} to match e (${formatShape(e.shape)}), not a ${formatShape(P.shape)}`;
      return [];
    },
    sign: () => NONNEG,
    monotonicity: (args, i) => (i === 0 ? evenMonotonicity(args, 0) : "none"),
    evaluate: (values) => {
      const [e, P] = values;
      const Pe = matmul(P, e);
      return denseScalar(e.data.reduce((a, x, i) => a + x * Pe.data[i], 0));
    },
    lower(ctx, args, origin) {
      const e = ctx.materialize(args[0]);
      const P = ctx.materialize(args[1]).entries.map((entry) => entry.c);
      const k = e.entries.length;
      // z'Pz only sees the symmetric part of P, and Q must be symmetric.
      const sym: ParamAffine[] = [];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const s = paScale(P[i * k + j], 0.5);
          const t = paScale(P[j * k + i], 0.5);
          s.c += t.c;
          for (const [p, v] of t.t) s.t.set(p, (s.t.get(p) ?? 0) + v);
          sym.push(s);
        }
      }
      return {
        kind: "quad",
        shape: [],
        entries: [
          {
            parts: [{ weight: paConst(1), arg: e.entries, P: sym, origin }],
            lin: linConst(paConst(0)),
          },
        ],
      };
    },
  },
  {
    name: "abs",
    signature: "abs(e)",
    arity: [1],
    curvature: "convex",
    quadratic: false,
    shape: sameAsArgument,
    sign: () => NONNEG,
    monotonicity: evenMonotonicity,
    evaluate: (values) => mapDense(values[0], Math.abs),
    lower(ctx, args, origin) {
      const e = ctx.materialize(args[0]);
      return pieces("max", e.shape, absPieces(e), origin);
    },
  },
  {
    name: "pos",
    signature: "pos(e)",
    arity: [1],
    curvature: "convex",
    quadratic: false,
    shape: sameAsArgument,
    sign: () => NONNEG,
    monotonicity: increasing,
    evaluate: (values) => mapDense(values[0], (x) => Math.max(x, 0)),
    lower(ctx, args, origin) {
      const e = ctx.materialize(args[0]);
      const zero = e.entries.map(() => linConst(paConst(0)));
      return pieces("max", e.shape, [e.entries, zero], origin);
    },
  },
  {
    name: "norm1",
    signature: "norm1(e)",
    arity: [1],
    curvature: "convex",
    quadratic: false,
    shape: scalarShape,
    sign: () => NONNEG,
    monotonicity: evenMonotonicity,
    evaluate: (values) => denseScalar(values[0].data.reduce((a, x) => a + Math.abs(x), 0)),
    lower(ctx, args, origin) {
      const e = ctx.materialize(args[0]);
      const t = ctx.materialize(pieces("max", e.shape, absPieces(e), origin));
      return sumValue(t);
    },
  },
  {
    name: "norm_inf",
    signature: "norm_inf(e)",
    arity: [1],
    curvature: "convex",
    quadratic: false,
    shape: scalarShape,
    sign: () => NONNEG,
    monotonicity: evenMonotonicity,
    evaluate: (values) => denseScalar(values[0].data.reduce((a, x) => Math.max(a, Math.abs(x)), 0)),
    lower(ctx, args, origin) {
      const e = ctx.materialize(args[0]);
      const list = [...e.entries.map((x) => [x]), ...e.entries.map((x) => [neg(x)])];
      return pieces("max", [], list, origin);
    },
  },
  maxOrMin("max"),
  maxOrMin("min"),
  {
    name: "huber",
    signature: "huber(e, M)",
    arity: [2],
    curvature: "convex",
    quadratic: true,
    constantArgs: [1],
    shape: (args) => {
      const M = args[1];
      if (!isScalar(M.shape)) return `M must be a scalar, not a ${formatShape(M.shape)}`;
      if (M.value !== null && !(M.value.data[0] > 0))
        return `M must be positive, not ${M.value.data[0]}`;
      return args[0].shape;
    },
    sign: () => NONNEG,
    monotonicity: (args, i) => (i === 0 ? evenMonotonicity(args, 0) : "none"),
    evaluate: (values) => {
      const M = values[1].data[0];
      return mapDense(values[0], (x) => (Math.abs(x) <= M ? x * x : 2 * M * Math.abs(x) - M * M));
    },
    lower(ctx, args, origin) {
      // huber(e, M) = min over s of s² + 2M|e − s|: quadratic near 0, linear beyond ±M.
      const e = ctx.materialize(args[0]);
      const M = ctx.materialize(args[1]).entries[0].c.c;
      const k = e.entries.length;
      const s = ctx.addAuxiliary(k, origin);
      const t = ctx.addAuxiliary(k, origin);
      const rows: LinearEntry[] = [];
      for (const sign of [1, -1]) {
        for (let i = 0; i < k; i++) {
          const row = linConst(paConst(0));
          linAddInto(row, e.entries[i], sign);
          linAddInto(row, linColumn(s + i), -sign);
          linAddInto(row, linColumn(t + i), -1);
          rows.push(row);
        }
      }
      ctx.addAtomRows(false, rows, origin);
      return {
        kind: "quad",
        shape: e.shape,
        entries: e.entries.map((_, i) => ({
          parts: [{ weight: paConst(1), arg: [linColumn(s + i)], P: null, origin }],
          lin: linColumn(t + i, 2 * M),
        })),
      };
    },
  },
];

/** The atoms by name. */
export const ATOMS: ReadonlyMap<string, AtomDefinition> = new Map(
  ATOM_LIST.map((a) => [a.name, a]),
);

/** Built-in constant constructors (`eye(n)`, `ones(m, n)`, …): sizes in, a numeric value out. */
export interface ConstructorDefinition {
  name: string;
  signature: string;
  arity: readonly number[];
  build(sizes: readonly number[]): Dense;
  /** the shape it builds, checked against the size limit before allocating */
  shape(sizes: readonly number[]): number[];
}

const CONSTRUCTOR_LIST: ConstructorDefinition[] = [
  {
    name: "eye",
    signature: "eye(n)",
    arity: [1],
    shape: ([n]) => [n, n],
    build: ([n]) => {
      const out = dense([n, n]);
      for (let i = 0; i < n; i++) out.data[i * n + i] = 1;
      return out;
    },
  },
  {
    name: "ones",
    signature: "ones(n) or ones(m, n)",
    arity: [1, 2],
    shape: (sizes) => [...sizes],
    build: (sizes) => dense(sizes, 1),
  },
  {
    name: "zeros",
    signature: "zeros(n) or zeros(m, n)",
    arity: [1, 2],
    shape: (sizes) => [...sizes],
    build: (sizes) => dense(sizes, 0),
  },
  {
    name: "diff",
    signature: "diff(n)",
    arity: [1],
    shape: ([n]) => [n - 1, n],
    build: ([n]) => {
      const out = dense([n - 1, n]);
      for (let i = 0; i < n - 1; i++) {
        out.data[i * n + i] = 1;
        out.data[i * n + i + 1] = -1;
      }
      return out;
    },
  },
];

export const CONSTRUCTORS: ReadonlyMap<string, ConstructorDefinition> = new Map(
  CONSTRUCTOR_LIST.map((c) => [c.name, c]),
);
