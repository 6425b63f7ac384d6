/**
 * An independent evaluator of the language's expressions on numbers, for checking the
 * canonicalizer: it shares no code with src/canon. Values are dense matrices; a vector is a
 * k×1 column and a scalar is 1×1.
 */
import type { Expr, Program } from "../../../src/dsl/index.js";

export interface Mat {
  r: number;
  c: number;
  data: number[];
}

export function mat(r: number, c: number, data: number[]): Mat {
  if (data.length !== r * c) throw new Error(`mat: ${data.length} entries for ${r}×${c}`);
  return { r, c, data };
}

export const scalar = (x: number): Mat => mat(1, 1, [x]);
const isScalar = (m: Mat): boolean => m.r === 1 && m.c === 1;

function zip(a: Mat, b: Mat, f: (x: number, y: number) => number): Mat {
  if (isScalar(a))
    return mat(
      b.r,
      b.c,
      b.data.map((y) => f(a.data[0], y)),
    );
  if (isScalar(b))
    return mat(
      a.r,
      a.c,
      a.data.map((x) => f(x, b.data[0])),
    );
  if (a.r !== b.r || a.c !== b.c) throw new Error(`shape ${a.r}×${a.c} vs ${b.r}×${b.c}`);
  return mat(
    a.r,
    a.c,
    a.data.map((x, i) => f(x, b.data[i])),
  );
}

function map(a: Mat, f: (x: number) => number): Mat {
  return mat(a.r, a.c, a.data.map(f));
}

function matmul(a: Mat, b: Mat): Mat {
  if (isScalar(a) || isScalar(b)) return zip(a, b, (x, y) => x * y);
  if (a.c !== b.r) throw new Error("matmul sizes");
  const out = new Array<number>(a.r * b.c).fill(0);
  for (let i = 0; i < a.r; i++)
    for (let k = 0; k < a.c; k++)
      for (let j = 0; j < b.c; j++) out[i * b.c + j] += a.data[i * a.c + k] * b.data[k * b.c + j];
  return mat(a.r, b.c, out);
}

function transpose(a: Mat): Mat {
  const out: number[] = [];
  for (let j = 0; j < a.c; j++) for (let i = 0; i < a.r; i++) out.push(a.data[i * a.c + j]);
  return mat(a.c, a.r, out);
}

const sum = (a: Mat): number => a.data.reduce((s, x) => s + x, 0);

function huber(x: number, M: number): number {
  return Math.abs(x) <= M ? x * x : 2 * M * Math.abs(x) - M * M;
}

export class Evaluator {
  constructor(private readonly values: Map<string, Mat>) {}

  static forProgram(
    program: Program,
    dims: Record<string, number>,
    values: Map<string, Mat>,
  ): Evaluator {
    const all = new Map(values);
    for (const [k, v] of Object.entries(dims)) all.set(k, scalar(v));
    const ev = new Evaluator(all);
    for (const st of program.statements)
      if (st.kind === "constant") all.set(st.name.name, ev.eval(st.value));
    return ev;
  }

  eval(e: Expr): Mat {
    switch (e.kind) {
      case "number":
        return scalar(e.value);
      case "name": {
        const v = this.values.get(e.name) ?? (e.name === "pi" ? scalar(Math.PI) : undefined);
        if (v === undefined) throw new Error(`evaluator: no value for ${e.name}`);
        return v;
      }
      case "unary":
        return e.op === "-" ? map(this.eval(e.operand), (x) => -x) : this.eval(e.operand);
      case "binary": {
        const b = this.eval(e.right);
        if (
          e.op === "*" &&
          e.left.kind === "transpose" &&
          e.left.operand.kind === "number" &&
          !isScalar(b)
        ) {
          const v = e.left.operand.value;
          return matmul(mat(1, b.r, new Array<number>(b.r).fill(v)), b);
        }
        const a = this.eval(e.left);
        const literal = e.right.kind === "number" ? e.right.value : null;
        if (e.op === "*" && (literal === 0 || literal === 1) && a.c > 1)
          return matmul(a, mat(a.c, 1, new Array<number>(a.c).fill(literal)));
        switch (e.op) {
          case "+":
            return zip(a, b, (x, y) => x + y);
          case "-":
            return zip(a, b, (x, y) => x - y);
          case "*":
            return matmul(a, b);
          case ".*":
            return zip(a, b, (x, y) => x * y);
          case "/":
            return zip(a, b, (x, y) => x / y);
        }
        throw new Error("unreachable");
      }
      case "transpose":
        return transpose(this.eval(e.operand));
      case "power": {
        const p = this.eval(e.exponent).data[0];
        if (e.base.kind === "norm" && e.base.p === "2")
          return scalar(sum(map(this.eval(e.base.arg), (x) => x * x)) ** (p / 2));
        return map(this.eval(e.base), (x) => x ** p);
      }
      case "norm": {
        const a = this.eval(e.arg);
        if (e.p === "1") return scalar(sum(map(a, Math.abs)));
        if (e.p === "inf") return scalar(Math.max(...a.data.map(Math.abs)));
        return scalar(Math.sqrt(sum(map(a, (x) => x * x))));
      }
      case "index":
        return this.index(e);
      case "call":
        return this.call(e.callee.name, e.args);
      case "array": {
        const entries = e.entries.map((x) => this.eval(x));
        if (entries.every(isScalar))
          return mat(
            entries.length,
            1,
            entries.map((x) => x.data[0]),
          );
        return mat(
          entries.length,
          entries[0].r,
          entries.flatMap((x) => x.data),
        );
      }
    }
  }

  private index(e: Extract<Expr, { kind: "index" }>): Mat {
    const base = this.eval(e.base);
    const dims = base.c === 1 ? [base.r] : [base.r, base.c];
    const ranges = e.indices.map((item, d) => {
      if (item.kind === "slice") {
        const start = item.start === null ? 0 : this.eval(item.start).data[0];
        const end = item.end === null ? dims[d] : this.eval(item.end).data[0];
        return { start, count: end - start };
      }
      return { start: this.eval(item).data[0], count: 1 };
    });
    if (ranges.length === 1)
      return mat(
        ranges[0].count,
        1,
        base.data.slice(ranges[0].start, ranges[0].start + ranges[0].count),
      );
    const [rr, cr] = ranges;
    const out: number[] = [];
    for (let i = 0; i < rr.count; i++)
      for (let j = 0; j < cr.count; j++)
        out.push(base.data[(rr.start + i) * base.c + cr.start + j]);
    return mat(rr.count, cr.count, out);
  }

  private call(name: string, args: Expr[]): Mat {
    const v = args.map((a) => this.eval(a));
    switch (name) {
      case "sum":
        return scalar(sum(v[0]));
      case "dot":
        return scalar(sum(zip(v[0], v[1], (x, y) => x * y)));
      case "square":
        return map(v[0], (x) => x * x);
      case "sum_squares":
        return scalar(sum(map(v[0], (x) => x * x)));
      case "quad_form":
        return matmul(matmul(transpose(v[0]), v[1]), v[0]);
      case "norm1":
        return scalar(sum(map(v[0], Math.abs)));
      case "norm_inf":
        return scalar(Math.max(...v[0].data.map(Math.abs)));
      case "abs":
        return map(v[0], Math.abs);
      case "pos":
        return map(v[0], (x) => Math.max(x, 0));
      case "max":
        return v.length === 1
          ? scalar(Math.max(...v[0].data))
          : v.slice(1).reduce((acc, m) => zip(acc, m, Math.max), v[0]);
      case "min":
        return v.length === 1
          ? scalar(Math.min(...v[0].data))
          : v.slice(1).reduce((acc, m) => zip(acc, m, Math.min), v[0]);
      case "sqrt":
        return map(v[0], Math.sqrt);
      case "exp":
        return map(v[0], Math.exp);
      case "log":
        return map(v[0], Math.log);
      case "huber":
        return map(v[0], (x) => huber(x, v[1].data[0]));
      case "eye": {
        const n = v[0].data[0];
        return mat(
          n,
          n,
          Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) === k % n ? 1 : 0)),
        );
      }
      case "ones":
      case "zeros": {
        const r = v[0].data[0];
        const c = v.length > 1 ? v[1].data[0] : 1;
        return mat(r, c, new Array<number>(r * c).fill(name === "ones" ? 1 : 0));
      }
      case "diff": {
        const n = v[0].data[0];
        const out = new Array<number>((n - 1) * n).fill(0);
        for (let i = 0; i < n - 1; i++) {
          out[i * n + i] = 1;
          out[i * n + i + 1] = -1;
        }
        return mat(n - 1, n, out);
      }
    }
    throw new Error(`evaluator: unknown function ${name}`);
  }
}

/** Every expression node of a program, for finding an atom by its span. */
export function allExprs(program: Program): Expr[] {
  const out: Expr[] = [];
  const visit = (e: Expr | null): void => {
    if (e === null) return;
    out.push(e);
    switch (e.kind) {
      case "unary":
        visit(e.operand);
        break;
      case "binary":
        visit(e.left);
        visit(e.right);
        break;
      case "transpose":
        visit(e.operand);
        break;
      case "power":
        visit(e.base);
        visit(e.exponent);
        break;
      case "call":
        e.args.forEach(visit);
        break;
      case "norm":
        visit(e.arg);
        break;
      case "index":
        visit(e.base);
        for (const item of e.indices) {
          if (item.kind === "slice") {
            visit(item.start);
            visit(item.end);
          } else visit(item);
        }
        break;
    }
  };
  for (const st of program.statements) {
    if (st.kind === "objective") visit(st.expr);
    if (st.kind === "constraints") for (const c of st.constraints) c.operands.forEach(visit);
  }
  return out;
}
