/**
 * Numeric agreement between a CanonicalQP and its source program, evaluated independently:
 * at random θ and random user variables (auxiliaries at their optimal values, e.g. t = |e| for
 * abs), ½z'Qz + q'z + offset(θ) must equal the source objective and the rows of each source
 * constraint must equal its two sides' difference.
 */
import type { CanonicalQP, AffineMap } from "../../../src/canon/index.js";
import type { Expr, Program, Span } from "../../../src/dsl/index.js";
import { allExprs, Evaluator, mat, type Mat } from "./evaluate.js";

/** A small deterministic generator (mulberry32) so failures reproduce. */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussian(rng: () => number): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function shapeRC(shape: number[]): [number, number] {
  return shape.length === 0 ? [1, 1] : shape.length === 1 ? [shape[0], 1] : [shape[0], shape[1]];
}

/** Random θ that respects the attributes: nonneg > 0, nonpos < 0, psd = B B'. */
export function randomParameters(canon: CanonicalQP, rng: () => number): Map<string, Mat> {
  const out = new Map<string, Mat>();
  for (const p of canon.parameters) {
    const [r, c] = shapeRC(p.shape);
    let data = Array.from({ length: p.size }, () => gaussian(rng));
    if (p.psd) {
      const B = Array.from({ length: r * r }, () => gaussian(rng));
      data = [];
      for (let i = 0; i < r; i++)
        for (let j = 0; j < r; j++) {
          let s = 0;
          for (let k = 0; k < r; k++) s += B[i * r + k] * B[j * r + k];
          data.push(s);
        }
    }
    if (p.nonneg) data = data.map((x) => 0.1 + Math.abs(x));
    if (p.nonpos) data = data.map((x) => -0.1 - Math.abs(x));
    out.set(p.name, mat(r, c, data));
  }
  return out;
}

export function thetaOf(canon: CanonicalQP, params: Map<string, Mat>): Float64Array {
  const theta = new Float64Array(canon.parameterSize);
  for (const p of canon.parameters) theta.set(params.get(p.name)!.data, p.offset);
  return theta;
}

function dense(map: AffineMap, theta: ArrayLike<number>): number[] {
  const out = new Array<number>(map.rows * map.cols).fill(0);
  map.constant.index.forEach((i, k) => (out[i] += map.constant.value[k]));
  map.terms.index.forEach((i, k) => (out[i] += map.terms.coef[k] * theta[map.terms.param[k]]));
  return out;
}

function sameSpan(a: Span, b: Span): boolean {
  return a.offset === b.offset && a.length === b.length;
}

/** The expression whose value an auxiliary block of `atom` stands for. */
function auxiliaryTarget(node: Expr, atom: string): Expr {
  if (atom === "norm1")
    return node.kind === "norm" ? node.arg : (node as Extract<Expr, { kind: "call" }>).args[0];
  if (atom === "sum_squares" || atom === "quad_form" || atom === "square") {
    if (node.kind === "call") return node.args[0];
    if (node.kind === "power") return node.base.kind === "norm" ? node.base.arg : node.base;
    if (node.kind === "binary") {
      if (node.left.kind === "transpose") return node.left.operand;
      if (node.left.kind === "binary" && node.left.left.kind === "transpose")
        return node.left.left.operand;
      return node.left;
    }
  }
  return node;
}

export interface Sample {
  theta: Float64Array;
  z: Float64Array;
  evaluator: Evaluator;
}

/** Random θ and user variables, auxiliaries at their optimal values. */
export function sample(canon: CanonicalQP, program: Program, rng: () => number): Sample {
  const params = randomParameters(canon, rng);
  const values = new Map(params);
  const z = new Float64Array(canon.n);
  for (const v of canon.variables) {
    const [r, c] = shapeRC(v.shape);
    const data = Array.from({ length: v.size }, () => gaussian(rng));
    values.set(v.name, mat(r, c, data));
    z.set(data, v.column);
  }
  const evaluator = Evaluator.forProgram(program, canon.dims, values);
  const nodes = allExprs(program);
  const seen = new Map<string, number>();
  for (const aux of canon.auxiliaries) {
    const node = nodes.find((e) => sameSpan(e.span, aux.span));
    if (node === undefined) throw new Error(`no expression at the span of auxiliary ${aux.text}`);
    const key = `${aux.atom}@${aux.span.offset}`;
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    let values: number[];
    if (aux.atom === "huber" && node.kind === "call") {
      const e = evaluator.eval(node.args[0]).data;
      const M = evaluator.eval(node.args[1]).data[0];
      const s = e.map((x) => Math.max(-M, Math.min(M, x)));
      values = occurrence % 2 === 0 ? s : e.map((x, i) => Math.abs(x - s[i]));
    } else {
      const target = evaluator.eval(auxiliaryTarget(node, aux.atom)).data;
      values = aux.atom === "norm1" ? target.map(Math.abs) : target;
      if (aux.size === 1 && values.length > 1) values = [values[occurrence % values.length]];
    }
    if (values.length !== aux.size)
      throw new Error(
        `auxiliary ${aux.atom} ${aux.text}: ${values.length} values for ${aux.size} columns`,
      );
    z.set(values, aux.column);
  }
  return { theta: thetaOf(canon, params), z, evaluator };
}

/** ½z'Qz + q'z + offset(θ), with the objective's sign: the canonical value of the objective. */
export function canonicalObjective(
  canon: CanonicalQP,
  theta: Float64Array,
  z: Float64Array,
): number {
  const n = canon.n;
  const Q = dense(canon.Q, theta);
  const q = dense(canon.q, theta);
  const off = canon.objective.offset;
  let v = off.constant;
  off.linear.param.forEach((p, k) => (v += off.linear.coef[k] * theta[p]));
  off.quadratic.a.forEach(
    (a, k) => (v += off.quadratic.coef[k] * theta[a] * theta[off.quadratic.b[k]]),
  );
  for (let i = 0; i < n; i++) {
    v += q[i] * z[i];
    for (let j = 0; j < n; j++) v += 0.5 * z[i] * Q[i * n + j] * z[j];
  }
  return canon.objective.sense === "maximize" ? -v : v;
}

function rowValues(M: AffineMap, rhs: AffineMap, theta: Float64Array, z: Float64Array): number[] {
  const A = dense(M, theta);
  const b = dense(rhs, theta);
  return b.map((bi, i) => {
    let s = -bi;
    for (let j = 0; j < M.cols; j++) s += A[i * M.cols + j] * z[j];
    return s;
  });
}

export interface Mismatch {
  what: string;
  expected: number;
  actual: number;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 * (1 + Math.abs(a) + Math.abs(b));
}

/** Compares the canonical objective and every source constraint's rows with the source. */
export function compareWithSource(canon: CanonicalQP, program: Program, s: Sample): Mismatch[] {
  const out: Mismatch[] = [];
  const objective = program.statements.find((st) => st.kind === "objective");
  if (objective?.kind !== "objective") throw new Error("no objective");
  const expected = s.evaluator.eval(objective.expr).data[0];
  const actual = canonicalObjective(canon, s.theta, s.z);
  if (!close(expected, actual)) out.push({ what: "objective", expected, actual });

  const eqRows = rowValues(canon.A, canon.b, s.theta, s.z);
  const ineqRows = rowValues(canon.G, canon.h, s.theta, s.z);
  const links = program.statements.flatMap((st) =>
    st.kind === "constraints"
      ? st.constraints.flatMap((c) =>
          c.relations.map((relation, k) => ({
            relation,
            left: c.operands[k],
            right: c.operands[k + 1],
          })),
        )
      : [],
  );
  canon.constraints.forEach((sc, index) => {
    const link = links.find(
      (l) =>
        l.left.span.offset === sc.span.offset &&
        l.right.span.offset + l.right.span.length === sc.span.offset + sc.span.length,
    );
    if (link === undefined) throw new Error(`no source link for constraint ${sc.text}`);
    const L = s.evaluator.eval(link.left);
    const R = s.evaluator.eval(link.right);
    const size = sc.shape.reduce((a, b) => a * b, 1);
    const at = (m: Mat, i: number) => (m.data.length === 1 ? m.data[0] : m.data[i]);
    const rows = (sc.equality ? eqRows : ineqRows).slice(sc.start, sc.start + sc.count);
    const groups = sc.count / size;
    for (let i = 0; i < size; i++) {
      const diff = link.relation === ">=" ? at(R, i) - at(L, i) : at(L, i) - at(R, i);
      let canonical = -Infinity;
      for (let g = 0; g < groups; g++) canonical = Math.max(canonical, rows[g * size + i]);
      if (!close(diff, canonical))
        out.push({
          what: `constraint ${index} \`${sc.text}\` entry ${i}`,
          expected: diff,
          actual: canonical,
        });
    }
  });
  return out;
}
