import type * as Ast from "./ast.js";

/**
 * Renders syntax back to source text: `||D z||_1`, `A z - y`. The text parses back to the same
 * tree. With `parens: true` every operation is wrapped and juxtaposition is shown as `*`
 * (`A z - y` prints as `((A * z) - y)`), which makes the tree's shape visible in tests.
 */
export interface PrintOptions {
  parens?: boolean;
}

/** Binding strength, loosest first (LANGUAGE.md §2). */
const enum Level {
  Additive = 1,
  Multiplicative = 2,
  Unary = 3,
  Power = 4,
  Postfix = 5,
}

export function printExpr(expr: Ast.Expr, options: PrintOptions = {}): string {
  return options.parens ? printParenthesized(expr) : new Printer().print(expr, false);
}

function level(expr: Ast.Expr): number {
  switch (expr.kind) {
    case "binary":
      return expr.op === "+" || expr.op === "-" ? Level.Additive : Level.Multiplicative;
    case "unary":
      return Level.Unary;
    case "power":
      return Level.Power;
    default:
      return Level.Postfix;
  }
}

class Printer {
  /** `insideNorm`: a `||` after an operand would close the enclosing norm. */
  print(expr: Ast.Expr, insideNorm: boolean): string {
    switch (expr.kind) {
      case "number":
        return expr.text;
      case "name":
        return expr.name;
      case "unary":
        return expr.op + this.operand(expr.operand, Level.Unary, insideNorm);
      case "binary":
        return this.binary(expr, insideNorm);
      case "power": {
        const base = this.operand(expr.base, Level.Postfix, insideNorm);
        return `${base}^${this.operand(expr.exponent, Level.Unary, insideNorm)}`;
      }
      case "transpose":
        return `${this.operand(expr.operand, Level.Postfix, insideNorm)}'`;
      case "call":
        return `${expr.callee.name}(${expr.args.map((a) => this.print(a, false)).join(", ")})`;
      case "array":
        return `[${expr.entries.map((e) => this.bracketed(e)).join(", ")}]`;
      case "norm": {
        const subscript = expr.subscriptWritten ? `_${expr.p}` : "";
        return `||${this.print(expr.arg, true)}||${subscript}`;
      }
      case "index": {
        const base = this.operand(expr.base, Level.Postfix, insideNorm);
        return `${base}[${expr.indices.map((i) => this.indexItem(i)).join(", ")}]`;
      }
    }
  }

  private binary(expr: Ast.BinaryExpr, insideNorm: boolean): string {
    const own = level(expr);
    const left = this.operand(expr.left, own, insideNorm);
    if (!expr.implicit) {
      const right = this.operand(expr.right, own + 1, insideNorm);
      return `${left} ${expr.op} ${right}`;
    }
    // A juxtaposed operand cannot start with a sign, with `(` after a name (that is a call) or
    // with `||` inside a norm (that closes it).
    const needsParens =
      level(expr.right) < Level.Power ||
      (insideNorm && startsWithNorm(expr.right)) ||
      startsWithNumber(expr.right);
    const right = needsParens
      ? `(${this.print(expr.right, false)})`
      : this.print(expr.right, insideNorm);
    // `f (x)` would read back as a call: parenthesize the name instead.
    const safeLeft = right.startsWith("(") && endsWithName.test(left) ? `(${left})` : left;
    const tight = expr.left.kind === "transpose" && isAtom(expr.left.operand) && isAtom(expr.right);
    return `${safeLeft}${tight ? "" : " "}${right}`;
  }

  private operand(expr: Ast.Expr, minimum: number, insideNorm: boolean): string {
    return level(expr) < minimum ? `(${this.print(expr, false)})` : this.print(expr, insideNorm);
  }

  private indexItem(item: Ast.IndexItem): string {
    if (item.kind !== "slice") return this.bracketed(item);
    return `${item.start ? this.bracketed(item.start) : ""}:${item.end ? this.bracketed(item.end) : ""}`;
  }

  /** Inside square brackets juxtaposition must be parenthesized (`[(m n), k]`). */
  bracketed(expr: Ast.Expr): string {
    const text = this.print(expr, false);
    return hasBareJuxtaposition(expr) ? `(${text})` : text;
  }
}

function isAtom(expr: Ast.Expr): boolean {
  return expr.kind === "name" || expr.kind === "number";
}

/** Whether a juxtaposition would print outside any parentheses, call or brackets. */
function hasBareJuxtaposition(expr: Ast.Expr): boolean {
  if (expr.kind === "unary") return hasBareJuxtaposition(expr.operand);
  if (expr.kind !== "binary") return false;
  return expr.implicit || hasBareJuxtaposition(expr.left) || hasBareJuxtaposition(expr.right);
}

/** Whether the printed text starts with a number: it cannot follow a factor directly. */
function startsWithNumber(expr: Ast.Expr): boolean {
  switch (expr.kind) {
    case "number":
      return true;
    case "power":
      return startsWithNumber(expr.base);
    case "transpose":
      return startsWithNumber(expr.operand);
    case "index":
      return startsWithNumber(expr.base);
    default:
      return false;
  }
}

function startsWithNorm(expr: Ast.Expr): boolean {
  switch (expr.kind) {
    case "norm":
      return true;
    case "power":
      return startsWithNorm(expr.base);
    case "transpose":
      return startsWithNorm(expr.operand);
    case "index":
      return startsWithNorm(expr.base);
    case "binary":
      return startsWithNorm(expr.left);
    default:
      return false;
  }
}

/** Text that ends with a name (not the exponent of a number like `1e5`). */
const endsWithName = /(?:^|[^A-Za-z0-9_.])[A-Za-z][A-Za-z0-9_]*$/;

function printParenthesized(expr: Ast.Expr): string {
  const p = printParenthesized;
  switch (expr.kind) {
    case "number":
      return expr.text;
    case "name":
      return expr.name;
    case "unary":
      return `(${expr.op}${p(expr.operand)})`;
    case "binary":
      return `(${p(expr.left)} ${expr.op} ${p(expr.right)})`;
    case "power":
      return `(${p(expr.base)} ^ ${p(expr.exponent)})`;
    case "transpose":
      return `${p(expr.operand)}'`;
    case "call":
      return `${expr.callee.name}(${expr.args.map(p).join(", ")})`;
    case "array":
      return `[${expr.entries.map(p).join(", ")}]`;
    case "norm":
      return `||${p(expr.arg)}||${expr.subscriptWritten ? `_${expr.p}` : ""}`;
    case "index": {
      const items = expr.indices.map((i) =>
        i.kind === "slice" ? `${i.start ? p(i.start) : ""}:${i.end ? p(i.end) : ""}` : p(i),
      );
      return `${p(expr.base)}[${items.join(", ")}]`;
    }
  }
}

/** Renders a whole program, one statement per line. */
export function printProgram(program: Ast.Program): string {
  return program.statements.map(printStatement).join("\n") + "\n";
}

function printStatement(s: Ast.Statement): string {
  const shape = (dims: Ast.Expr[]): string =>
    dims.length > 0 ? `[${dims.map((d) => new Printer().bracketed(d)).join(", ")}]` : "";
  const attributes = (as: Ast.Attribute[]): string => as.map((a) => ` ${a.name}`).join("");
  switch (s.kind) {
    case "dim":
      return `dim ${s.name.name}${s.value ? ` = ${printExpr(s.value)}` : ""}`;
    case "parameter":
    case "variable":
      return `${s.kind} ${s.name.name}${shape(s.shape)}${attributes(s.attributes)}`;
    case "constant":
      return `constant ${s.name.name} = ${printExpr(s.value)}`;
    case "objective":
      return `${s.sense} ${printExpr(s.expr)}`;
    case "constraints":
      return ["subject to", ...s.constraints.map((c) => `  ${printConstraint(c)}`)].join("\n");
    case "output":
      return `output ${s.names.map((n) => n.name).join(", ")}`;
  }
}

function printConstraint(c: Ast.Constraint): string {
  let text = printExpr(c.operands[0]!);
  c.relations.forEach((r, i) => {
    text += ` ${r} ${printExpr(c.operands[i + 1]!)}`;
  });
  return text;
}
