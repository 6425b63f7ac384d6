/**
 * The syntax tree of a program (LANGUAGE.md §1–§2). Every node carries the span of source text
 * it came from so that later passes can point at it in a CompileError.
 */

/** A stretch of source text. `line` and `column` are 1-based; `offset` is 0-based in characters. */
export interface Span {
  line: number;
  column: number;
  offset: number;
  length: number;
}

export interface Program {
  kind: "program";
  statements: Statement[];
  span: Span;
}

export type Statement =
  | DimStatement
  | ParameterStatement
  | ConstantStatement
  | VariableStatement
  | ObjectiveStatement
  | ConstraintsStatement
  | OutputStatement;

export interface Identifier {
  kind: "identifier";
  name: string;
  span: Span;
}

/** `dim n = 10`, or `dim n` when the size must be given at compile time. */
export interface DimStatement {
  kind: "dim";
  name: Identifier;
  value: Expr | null;
  span: Span;
}

/** A word after a declaration: `nonneg`, `psd`, … (the checker decides which are known). */
export interface Attribute {
  kind: "attribute";
  name: string;
  span: Span;
}

/** `parameter D[n-1, n] nonneg`: `shape` holds the size expressions, empty for a scalar. */
export interface ParameterStatement {
  kind: "parameter";
  name: Identifier;
  shape: Expr[];
  attributes: Attribute[];
  span: Span;
}

/** `constant D = diff(n)` */
export interface ConstantStatement {
  kind: "constant";
  name: Identifier;
  value: Expr;
  span: Span;
}

export interface VariableStatement {
  kind: "variable";
  name: Identifier;
  shape: Expr[];
  attributes: Attribute[];
  span: Span;
}

export interface ObjectiveStatement {
  kind: "objective";
  sense: "minimize" | "maximize";
  expr: Expr;
  span: Span;
}

/** `subject to` / `s.t.` and the constraints that follow it. */
export interface ConstraintsStatement {
  kind: "constraints";
  constraints: Constraint[];
  span: Span;
}

export type Relation = "==" | "<=" | ">=";

/**
 * A constraint, possibly a chain: `0 <= z <= 1` has operands [0, z, 1] and relations
 * ["<=", "<="]. `=` is normalised to "==".
 */
export interface Constraint {
  kind: "constraint";
  operands: Expr[];
  relations: Relation[];
  span: Span;
}

export interface OutputStatement {
  kind: "output";
  names: Identifier[];
  span: Span;
}

export type Expr =
  | NumberLiteral
  | NameRef
  | UnaryExpr
  | BinaryExpr
  | TransposeExpr
  | PowerExpr
  | CallExpr
  | NormExpr
  | IndexExpr
  | ArrayLiteral;

export interface NumberLiteral {
  kind: "number";
  value: number;
  /** The literal as written, e.g. "1e-3". */
  text: string;
  span: Span;
}

export interface NameRef {
  kind: "name";
  name: string;
  span: Span;
}

export interface UnaryExpr {
  kind: "unary";
  op: "-" | "+";
  operand: Expr;
  span: Span;
}

/**
 * `*` is the matrix product (scalars broadcast), `.*` elementwise, `/` division by a scalar.
 * Juxtaposition (`A z`, `2 z`, `1'z`) is `*` with `implicit: true`.
 */
export interface BinaryExpr {
  kind: "binary";
  op: "+" | "-" | "*" | ".*" | "/";
  implicit: boolean;
  left: Expr;
  right: Expr;
  span: Span;
}

/** Postfix `'`. */
export interface TransposeExpr {
  kind: "transpose";
  operand: Expr;
  span: Span;
}

/** `e^2` (the checker accepts only the exponent 2 where it matters). */
export interface PowerExpr {
  kind: "power";
  base: Expr;
  exponent: Expr;
  span: Span;
}

/** `sum(e)`, `quad_form(e, P)`, `max(a, b)`, `diff(n)`, `eye(n)`, … */
export interface CallExpr {
  kind: "call";
  callee: Identifier;
  args: Expr[];
  span: Span;
}

/**
 * `||e||` (p = "2", written: false), `||e||_1`, `||e||_2`, `||e||_inf`. Squaring is a PowerExpr
 * around it: `||e||^2` and `||e||_2^2` are PowerExpr { base: NormExpr, exponent: 2 }.
 */
export interface NormExpr {
  kind: "norm";
  arg: Expr;
  p: "1" | "2" | "inf";
  /** Whether the subscript was written (`||e||_2`) or implied (`||e||`). */
  subscriptWritten: boolean;
  span: Span;
}

/** `z[0]`, `z[1:n]`, `D[0:n-1, :]`: 0-based, end-exclusive. */
export interface IndexExpr {
  kind: "index";
  base: Expr;
  indices: IndexItem[];
  span: Span;
}

export type IndexItem = Expr | SliceItem;

/** `a:b`, `:b`, `a:`, `:` */
export interface SliceItem {
  kind: "slice";
  start: Expr | null;
  end: Expr | null;
  span: Span;
}

/**
 * `[1, 2, 3]` (a vector) or `[[1, 0.1], [0, 1]]` (a matrix, one entry per row): a numeric
 * constant, its shape checked by the checker.
 */
export interface ArrayLiteral {
  kind: "array";
  entries: Expr[];
  span: Span;
}
