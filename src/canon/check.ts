/**
 * The expression checker: for every subexpression its shape, curvature, sign, parameters,
 * degree in the variables and (for numeric constants) its value. Atoms are checked by the
 * generic DCP rule from the atom table; syntactic sugar (`||e||^2`, `z'Pz`, `||e||_1`) is
 * recorded as the atom call it means, so the lowering sees atoms only.
 */
import type { CallExpr, Expr, IndexExpr, Span } from "../dsl/index.js";
import { ATOMS, CONSTRUCTORS } from "./atoms.js";
import { arityError, checkAtomCall } from "./checkAtom.js";
import { checkProduct } from "./checkProduct.js";
import {
  dense,
  denseScalar,
  elementwise,
  mapDense,
  pickDense,
  transposeDense,
  type Dense,
} from "./dense.js";
import { DiagnosticBag } from "./diagnostics.js";
import {
  addCurvature,
  addSign,
  constantInfo,
  negateCurvature,
  negateSign,
  NO_PARAMS,
  unionParams,
  type Curvature,
  type Info,
} from "./info.js";
import {
  asMatrix,
  broadcastShapes,
  formatShape,
  isScalar,
  MAX_ENTRIES,
  normalizeShape,
  sameShape,
  sizeOf,
  transposeShape,
} from "./shape.js";
import { resolveIndex, type Pick } from "./indexing.js";
import { NUMERIC_CONSTANTS, NUMERIC_FUNCTIONS } from "./numericFunctions.js";
import { findQuadraticForm } from "./quadraticForms.js";
import { checkSizeValue } from "./sizes.js";
import { suggestName } from "./suggest.js";
import type { NameSymbol, Scope } from "./symbols.js";

const NO_SPAN: Span = { line: 1, column: 1, offset: 0, length: 0 };

export class ExpressionChecker {
  readonly info = new Map<Expr, Info>();
  /** sugar → the atom call (or coefficient × atom call) it means */
  readonly desugared = new Map<Expr, Expr>();
  /** `1'` → the row of ones of the length its product needs */
  readonly conformed = new Map<Expr, Dense>();
  readonly picks = new Map<IndexExpr, Pick>();
  private readonly failed = new Set<Expr>();
  /** Set while a constraint is checked: a dropped `,` between constraints is then a likely cause. */
  inConstraint = false;
  /** Juxtapositions that are the left factor of a longer one (`z'P` in `z'P z`). */
  private readonly continued = new WeakSet<Expr>();

  constructor(
    private readonly scope: Scope,
    private readonly diags: DiagnosticBag,
    private readonly source: string,
  ) {}

  check(expr: Expr): Info | undefined {
    const known = this.info.get(expr);
    if (known !== undefined) return known;
    if (this.failed.has(expr)) return undefined;
    const result = this.checkUncached(expr);
    if (result === undefined) this.failed.add(expr);
    else if (result.value !== null && !result.value.data.every(Number.isFinite)) {
      this.failed.add(expr);
      return this.diags.error(expr.span, "this constant expression is not a finite number");
    } else if (sizeOf(result.shape) > MAX_ENTRIES) {
      this.failed.add(expr);
      return this.diags.error(
        expr.span,
        `this ${formatShape(result.shape)} exceeds the limit of ${MAX_ENTRIES} entries`,
      );
    } else this.info.set(expr, result);
    return result;
  }

  private text(span: Span): string {
    return this.source.slice(span.offset, span.offset + span.length);
  }

  private checkUncached(expr: Expr): Info | undefined {
    switch (expr.kind) {
      case "number":
        if (!Number.isFinite(expr.value))
          return this.diags.error(
            expr.span,
            `the number \`${expr.text}\` is not finite`,
            "write a finite number",
          );
        return constantInfo(denseScalar(expr.value));
      case "name":
        return this.checkName(expr.name, expr.span);
      case "unary": {
        const a = this.check(expr.operand);
        if (a === undefined || expr.op === "+") return a;
        return {
          ...a,
          curvature: negateCurvature(a.curvature),
          ...negateSign(a),
          value: a.value && mapDense(a.value, (x) => -x),
          psd: false,
          conformingRow: a.conformingRow === null ? null : -a.conformingRow,
        };
      }
      case "binary":
        return this.checkBinary(expr);
      case "transpose": {
        const a = this.check(expr.operand);
        if (a === undefined) return undefined;
        const conformingRow = expr.operand.kind === "number" ? expr.operand.value : a.conformingRow;
        return {
          ...a,
          shape: transposeShape(a.shape),
          value: a.value && transposeDense(a.value),
          conformingRow,
        };
      }
      case "power":
        return this.checkPower(expr);
      case "call":
        return this.checkCall(expr);
      case "norm": {
        if (expr.p === "2") return this.rejectTwoNorm(expr.span);
        return this.desugar(expr, expr.p === "1" ? "norm1" : "norm_inf", [expr.arg]);
      }
      case "array":
        return this.checkArray(expr);
      case "index": {
        const base = this.check(expr.base);
        if (base === undefined) return undefined;
        const pick = resolveIndex(expr, base.shape, (e) => this.integer(e), this.diags);
        if (pick === undefined) return undefined;
        this.picks.set(expr, pick);
        return {
          ...base,
          shape: pick.shape,
          value: base.value && pickDense(base.value, pick.shape, pick.flat),
          psd: false,
          conformingRow: null,
        };
      }
    }
  }

  private rejectTwoNorm(span: Span): undefined {
    return this.diags.error(
      span,
      "`||e||` (the 2-norm) is not QP-representable: it needs a second-order cone",
      "use the squared norm `||e||^2` (or `||e||_1`, `||e||_inf`)",
    );
  }

  /** Record `expr` as meaning the atom call `name(args)` and check that call. */
  private desugar(expr: Expr, name: string, args: Expr[]): Info | undefined {
    const call: CallExpr = {
      kind: "call",
      callee: { kind: "identifier", name, span: expr.span },
      args,
      span: expr.span,
    };
    this.desugared.set(expr, call);
    return this.check(call);
  }

  private checkName(name: string, span: Span): Info | undefined {
    const symbol = this.scope.get(name);
    if (symbol === undefined && this.scope.broken.has(name)) return undefined;
    const named = NUMERIC_CONSTANTS.get(name);
    if (symbol === undefined && named !== undefined) return constantInfo(denseScalar(named));
    if (symbol === undefined)
      return this.diags.error(
        span,
        `unknown name \`${name}\``,
        suggestName(name, this.scope.names(), (left, right) => this.productCompiles(left, right)),
      );
    return this.symbolInfo(symbol);
  }

  /** Whether `left right` (two declared names juxtaposed) would pass the product rules. */
  private productCompiles(left: string, right: string): boolean {
    const a = this.scope.get(left);
    const b = this.scope.get(right);
    if (a === undefined || b === undefined) return false;
    const l = this.symbolInfo(a);
    const r = this.symbolInfo(b);
    if (l === undefined || r === undefined) return false;
    if (l.degree > 0 && r.degree === 0) return false;
    return checkProduct(l, r, "matmul", NO_SPAN, new DiagnosticBag()) !== undefined;
  }

  private symbolInfo(symbol: NameSymbol): Info | undefined {
    const name = symbol.name;
    switch (symbol.kind) {
      case "dim":
        return Number.isNaN(symbol.value) ? undefined : constantInfo(denseScalar(symbol.value));
      case "constant":
        return constantInfo(symbol.value);
      case "parameter":
        return {
          shape: symbol.shape,
          curvature: "constant",
          nonneg: symbol.nonneg,
          nonpos: symbol.nonpos,
          params: new Set([name]),
          paramDegree: 1,
          degree: 0,
          value: null,
          psd: symbol.psd,
          conformingRow: null,
        };
      case "variable":
        return {
          shape: symbol.shape,
          curvature: "affine",
          nonneg: false,
          nonpos: false,
          params: NO_PARAMS,
          paramDegree: 0,
          degree: 1,
          value: null,
          psd: false,
          conformingRow: null,
        };
    }
  }

  private checkBinary(expr: Extract<Expr, { kind: "binary" }>): Info | undefined {
    if (expr.op === "*" || expr.op === ".*") {
      // `z'P z` and `z'P * z` go on after `z'P`; `x c + y` and `x c * 2` do not.
      if (
        expr.left.kind === "binary" &&
        expr.left.implicit &&
        (expr.implicit || (expr.op === "*" && (this.check(expr.right)?.degree ?? 0) > 0))
      )
        this.continued.add(expr.left);
      let left = this.check(expr.left);
      let right = this.check(expr.right);
      if (left === undefined || right === undefined) return undefined;
      if (expr.implicit && !this.continued.has(expr) && left.degree > 0 && right.degree === 0)
        return this.trailingCoefficient(expr);
      if (expr.op === "*" && left.degree > 0 && right.degree > 0) {
        const quadratic = findQuadraticForm(expr, (e) => this.check(e));
        if (quadratic !== undefined) {
          this.desugared.set(expr, quadratic);
          return this.check(quadratic);
        }
      }
      if (expr.op === "*") {
        // `X * 1` and `z' * 1`: a literal 1 or 0 right of a matrix or row is a conforming column
        // (juxtaposed, `X 1`, it is refused by the parser: a number is never a right factor)
        const literal = expr.right.kind === "number" ? expr.right.value : null;
        if ((literal === 0 || literal === 1) && left.shape.length === 2)
          right = { ...right, conformingRow: literal };
        left = this.conform(expr.left, left, right, "left");
        right = this.conform(expr.right, right, left, "right");
      }
      return checkProduct(
        left,
        right,
        expr.op === "*" ? "matmul" : "elementwise",
        expr.span,
        this.diags,
      );
    }
    if (expr.op === "/") return this.checkDivision(expr);
    const left = this.check(expr.left);
    const right = this.check(expr.right);
    if (left === undefined || right === undefined) return undefined;
    const shape = broadcastShapes(left.shape, right.shape);
    if (shape === null)
      return this.diags.error(
        expr.span,
        `shape mismatch: \`${this.text(expr.left.span)}\` is a ${formatShape(left.shape)} but \`${this.text(expr.right.span)}\` is a ${formatShape(right.shape)}`,
      );
    const minus = expr.op === "-";
    const rightCurvature = minus ? negateCurvature(right.curvature) : right.curvature;
    const curvature = addCurvature(left.curvature, rightCurvature);
    if (curvature === null)
      return this.diags.error(
        expr.span,
        minus
          ? `non-convex: \`${this.text(expr.left.span)}\` is ${left.curvature} and so is \`${this.text(expr.right.span)}\`; their difference has no known curvature`
          : `non-convex: the sum of a ${left.curvature} and a ${right.curvature} expression has no known curvature`,
      );
    const sign = addSign(left, minus ? negateSign(right) : right);
    return {
      shape,
      curvature,
      ...sign,
      params: unionParams(left.params, right.params),
      paramDegree: Math.max(left.paramDegree, right.paramDegree) as 0 | 1,
      degree: Math.max(left.degree, right.degree) as 0 | 1 | 2,
      value:
        left.value && right.value
          ? elementwise(left.value, right.value, minus ? (a, b) => a - b : (a, b) => a + b)
          : null,
      psd: false,
      conformingRow: null,
    };
  }

  /**
   * `x c` with variables in x and none in c: refused, because `0 <= x, c + y <= 1` with its `,`
   * dropped would read as `0 <= x c + y <= 1`. Coefficients come first (`c x`) or take `*`.
   */
  private trailingCoefficient(expr: Extract<Expr, { kind: "binary" }>): undefined {
    const left = this.text(expr.left.span);
    const right = this.text(expr.right.span);
    const fix = `write the coefficient first (\`${right} ${left}\`) or use \`*\` (\`${left} * ${right}\`)`;
    return this.diags.error(
      expr.right.span,
      `a coefficient cannot follow the variables it multiplies: \`${left}\` has variables, \`${right}\` has none`,
      this.inConstraint
        ? `missing \`,\` between constraints before \`${right}\`? Otherwise ${fix}`
        : fix.charAt(0).toUpperCase() + fix.slice(1),
    );
  }

  /** `1'` becomes a row of ones as long as the other factor has rows (`X * 1` a column likewise). */
  private conform(expr: Expr, self: Info, other: Info, side: "left" | "right"): Info {
    if (self.conformingRow === null || isScalar(other.shape)) return self;
    const [rows, cols] = asMatrix(other.shape);
    const row = dense(side === "left" ? [1, rows] : [cols, 1], self.conformingRow);
    this.conformed.set(expr, row);
    return constantInfo(row);
  }

  private checkDivision(expr: Extract<Expr, { kind: "binary" }>): Info | undefined {
    const left = this.check(expr.left);
    const right = this.check(expr.right);
    if (left === undefined || right === undefined) return undefined;
    if (right.degree > 0)
      return this.diags.error(
        expr.right.span,
        "division by an expression with variables is not allowed",
        "divide only by a number or a scalar parameter",
      );
    if (!isScalar(right.shape))
      return this.diags.error(
        expr.right.span,
        `division by a ${formatShape(right.shape)}: divide only by a scalar`,
      );
    if (right.value !== null) {
      const d = right.value.data[0];
      if (d === 0) return this.diags.error(expr.right.span, "division by zero");
      const sign = { nonneg: d > 0, nonpos: d < 0 };
      return {
        ...left,
        curvature: d > 0 ? left.curvature : negateCurvature(left.curvature),
        nonneg: (left.nonneg && sign.nonneg) || (left.nonpos && sign.nonpos),
        nonpos: (left.nonneg && sign.nonpos) || (left.nonpos && sign.nonneg),
        value: left.value && mapDense(left.value, (x) => x / d),
        psd: left.psd && d > 0,
        conformingRow: null,
      };
    }
    // Dividing by a parameter: e/lam becomes an auxiliary w with the row lam·w = e.
    if (left.degree === 2)
      return this.diags.error(
        expr.span,
        "dividing a quadratic by a parameter is not affine in the parameters",
        "pass the reciprocal as a (nonneg) parameter and multiply by it",
      );
    if (
      (left.curvature === "convex" || left.curvature === "concave") &&
      !right.nonneg &&
      !right.nonpos
    )
      return this.diags.error(
        expr.right.span,
        `a ${left.curvature} expression divided by a parameter of unknown sign has no known curvature`,
        `declare \`${[...right.params][0]}\` nonneg`,
      );
    const curvature: Curvature =
      left.curvature === "constant"
        ? "affine"
        : right.nonpos && !right.nonneg
          ? negateCurvature(left.curvature)
          : left.curvature;
    return {
      shape: left.shape,
      curvature,
      nonneg: (left.nonneg && right.nonneg) || (left.nonpos && right.nonpos),
      nonpos: (left.nonneg && right.nonpos) || (left.nonpos && right.nonneg),
      params: unionParams(left.params, right.params),
      paramDegree: 0,
      degree: 1,
      value: null,
      psd: false,
      conformingRow: null,
    };
  }

  private checkPower(expr: Extract<Expr, { kind: "power" }>): Info | undefined {
    const exponent = this.check(expr.exponent);
    if (exponent === undefined) return undefined;
    if (exponent.value === null || !isScalar(exponent.shape))
      return this.diags.error(expr.exponent.span, "an exponent must be a number");
    const p = exponent.value.data[0];
    if (expr.base.kind === "norm" && expr.base.p === "2") {
      if (p !== 2) return this.rejectTwoNorm(expr.base.span);
      return this.desugar(expr, "sum_squares", [expr.base.arg]);
    }
    const base = this.check(expr.base);
    if (base === undefined) return undefined;
    if (base.value !== null) {
      const value = mapDense(base.value, (x) => x ** p);
      if (!value.data.every(Number.isFinite))
        return this.diags.error(expr.span, "this power is not a finite number");
      return constantInfo(value);
    }
    if (p !== 2)
      return this.diags.error(
        expr.exponent.span,
        `the exponent ${p} is not QP-representable: only \`^2\` is allowed`,
        "use `e^2` (or `||e||^2` for a sum of squares)",
      );
    return this.desugar(expr, "square", [expr.base]);
  }

  private checkCall(expr: CallExpr): Info | undefined {
    const name = expr.callee.name;
    const atom = ATOMS.get(name);
    if (atom !== undefined) {
      const arity = arityError(atom, expr.args.length);
      if (arity !== undefined) return this.diags.error(expr.span, arity);
      const args: Info[] = [];
      for (const arg of expr.args) {
        const info = this.check(arg);
        if (info === undefined) return undefined;
        args.push(info);
      }
      return checkAtomCall(expr, atom, args, this.diags, (e) => this.text(e.span));
    }
    const ctor = CONSTRUCTORS.get(name);
    if (ctor !== undefined) {
      if (!ctor.arity.includes(expr.args.length))
        return this.diags.error(expr.span, `\`${name}\` is called as ${ctor.signature}`);
      const sizes: number[] = [];
      for (const arg of expr.args) {
        const info = this.check(arg);
        if (info === undefined) return undefined;
        if (info.value === null || !isScalar(info.shape))
          return this.diags.error(
            arg.span,
            `the arguments of ${ctor.signature} are sizes (integers)`,
          );
        const size = checkSizeValue(info.value.data[0], arg, this.diags);
        if (size === undefined) return undefined;
        sizes.push(size);
      }
      const shape = ctor.shape(sizes);
      if (shape.some((d) => d < 1))
        return this.diags.error(expr.span, `${name}(${sizes.join(", ")}) would be empty`);
      if (sizeOf(normalizeShape(shape)) > MAX_ENTRIES)
        return this.diags.error(
          expr.span,
          `${name}(${sizes.join(", ")}) exceeds the limit of ${MAX_ENTRIES} entries`,
        );
      return constantInfo(ctor.build(sizes));
    }
    const numeric = NUMERIC_FUNCTIONS.get(name);
    if (numeric !== undefined) {
      if (expr.args.length !== 1)
        return this.diags.error(
          expr.span,
          `\`${name}\` takes 1 argument, not ${expr.args.length}: ${numeric.signature}`,
        );
      const arg = this.check(expr.args[0]);
      if (arg === undefined) return undefined;
      if (arg.value === null)
        return this.diags.error(
          expr.span,
          arg.degree > 0
            ? `\`${name}\` applies to numbers only: of an expression with variables it is not QP-representable`
            : `\`${name}\` applies to numbers only: of a parameter it is not affine in the parameters`,
          arg.degree > 0 ? undefined : "compute it outside the layer and pass it as a parameter",
        );
      for (const x of arg.value.data) {
        const why = numeric.domain(x);
        if (why !== undefined) return this.diags.error(expr.span, why);
      }
      return constantInfo(mapDense(arg.value, numeric.evaluate));
    }
    const symbol = this.scope.get(name);
    if (symbol !== undefined)
      return this.diags.error(expr.callee.span, `\`${name}\` is a ${symbol.kind}, not a function`);
    return this.diags.error(
      expr.callee.span,
      `unknown function \`${name}\``,
      suggestName(name, [...ATOMS.keys(), ...CONSTRUCTORS.keys(), ...NUMERIC_FUNCTIONS.keys()]),
    );
  }

  /** `[1, 2, 3]` is a vector; `[[1, 0.1], [0, 1]]` a matrix whose entries are its rows. */
  private checkArray(expr: Extract<Expr, { kind: "array" }>): Info | undefined {
    const entries: Dense[] = [];
    for (const entry of expr.entries) {
      const info = this.check(entry);
      if (info === undefined) return undefined;
      if (info.value === null)
        return this.diags.error(
          entry.span,
          `the entries of \`[…]\` must be numbers, and \`${this.text(entry.span)}\` ${info.degree > 0 ? "has variables" : "depends on parameters"}`,
          "`[…]` builds a numeric constant; combine parameters and variables with operators instead",
        );
      entries.push(info.value);
    }
    const first = entries[0].shape;
    const matrixAt = entries.findIndex((e) => e.shape.length === 2);
    if (matrixAt >= 0)
      return this.diags.error(
        expr.entries[matrixAt].span,
        `an array literal has at most two levels of \`[…]\`, and this entry is a ${formatShape(entries[matrixAt].shape)}`,
      );
    for (let i = 1; i < entries.length; i++) {
      const shape = entries[i].shape;
      if (sameShape(shape, first)) continue;
      const count = (s: readonly number[]) =>
        s.length === 0 ? "a number" : `${sizeOf(s)} entries`;
      return this.diags.error(
        expr.entries[i].span,
        `ragged matrix: row ${i + 1} has ${count(shape)} but row 1 has ${count(first)}`,
        "every row of a matrix has the same number of entries",
      );
    }
    const value = dense([entries.length, sizeOf(first)]);
    entries.forEach((row, i) => value.data.set(row.data, i * row.data.length));
    return constantInfo(value);
  }

  private integer(expr: Expr): number | undefined {
    const info = this.check(expr);
    if (info === undefined) return undefined;
    if (info.value === null || !isScalar(info.shape))
      return this.diags.error(expr.span, "an index must be an integer constant (dims and numbers)");
    const v = info.value.data[0];
    if (!Number.isInteger(v))
      return this.diags.error(expr.span, `an index must be an integer, not ${v}`);
    return v;
  }
}
