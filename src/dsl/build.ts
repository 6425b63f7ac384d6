import type { CstElement, CstNode, IToken } from "chevrotain";
import type * as Ast from "./ast.js";
import type { Diagnostic } from "./errors.js";
import { gluedSignProblem, juxtapositionProblem, type Place } from "./juxtaposition.js";
import { spanBetween, spanOfToken, joinSpans, spanText } from "./span.js";

/**
 * Builds the syntax tree (ast.ts) from the parser's concrete syntax tree. Problems the grammar
 * lets through on purpose (an unclosed norm, a strict inequality, a number too large) are
 * reported here, with spans that point at the cause.
 */

/** Deeper expression trees are refused: later passes walk the tree recursively. */
export const MAX_EXPRESSION_DEPTH = 1000;

export class AstBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly depth = new WeakMap<Ast.Expr, number>();
  /** The list the expression being built belongs to, for the juxtaposition rules. */
  private place: Place = "expression";

  constructor(private readonly source: string) {}

  /** Builds with `place` as the enclosing list, restoring the previous one after. */
  private within<T>(place: Place, build: () => T): T {
    const outer = this.place;
    this.place = place;
    try {
      return build();
    } finally {
      this.place = outer;
    }
  }

  private text(span: Ast.Span): string {
    return spanText(this.source, span);
  }

  dimStatement(cst: CstNode): Ast.DimStatement {
    const value = optionalNode(cst, "expression");
    return {
      kind: "dim",
      name: this.identifier(token(cst, "Identifier")),
      value: value ? this.topExpression(value) : null,
      span: nodeSpan(cst),
    };
  }

  declaration(cst: CstNode): Ast.ParameterStatement | Ast.VariableStatement {
    const kind = optionalToken(cst, "Parameter") ? "parameter" : "variable";
    return {
      kind,
      name: this.identifier(token(cst, "Identifier")),
      shape: this.within("sizes", () => nodes(cst, "expression").map((e) => this.topExpression(e))),
      attributes: tokens(cst, "attribute").map((t) => ({
        kind: "attribute",
        name: t.image,
        span: spanOfToken(t),
      })),
      span: nodeSpan(cst),
    };
  }

  constantStatement(cst: CstNode): Ast.ConstantStatement {
    return {
      kind: "constant",
      name: this.identifier(token(cst, "Identifier")),
      value: this.topExpression(node(cst, "expression")),
      span: nodeSpan(cst),
    };
  }

  objective(cst: CstNode): Ast.ObjectiveStatement {
    return {
      kind: "objective",
      sense: optionalToken(cst, "Minimize") ? "minimize" : "maximize",
      expr: this.topExpression(node(cst, "expression")),
      span: nodeSpan(cst),
    };
  }

  outputStatement(cst: CstNode): Ast.OutputStatement {
    return {
      kind: "output",
      names: tokens(cst, "Identifier").map((t) => this.identifier(t)),
      span: nodeSpan(cst),
    };
  }

  constraint(cst: CstNode): Ast.Constraint {
    const operands = this.within("constraints", () =>
      nodes(cst, "expression").map((e) => this.topExpression(e)),
    );
    const relations = nodes(cst, "relation").map((r) => this.relation(r));
    const span = nodeSpan(cst);
    if (relations.length === 0) {
      this.diagnostics.push({
        message: "a constraint needs a relation: `==`, `<=` or `>=`",
        span,
      });
    }
    return { kind: "constraint", operands, relations, span };
  }

  private relation(cst: CstNode): Ast.Relation {
    const t = firstToken(cst);
    switch (t.tokenType.name) {
      case "LessEqual":
        return "<=";
      case "GreaterEqual":
        return ">=";
      case "Less":
      case "Greater": {
        const fix = t.image === "<" ? "<=" : ">=";
        this.diagnostics.push({
          message: `strict inequality \`${t.image}\` is not allowed: a QP's feasible set is closed`,
          span: spanOfToken(t),
          hint: `write \`${fix}\``,
        });
        return fix;
      }
      default:
        return "==";
    }
  }

  private identifier(t: IToken): Ast.Identifier {
    return { kind: "identifier", name: t.image, span: spanOfToken(t) };
  }

  /** An expression at the top of a statement: its depth is checked here, once. */
  private topExpression(cst: CstNode): Ast.Expr {
    const expr = this.expression(cst);
    if ((this.depth.get(expr) ?? 1) > MAX_EXPRESSION_DEPTH) {
      this.diagnostics.push({
        message: `this expression is too long or too deeply nested (more than ${MAX_EXPRESSION_DEPTH} operations inside one another)`,
        span: expr.span,
      });
    }
    return expr;
  }

  private expression(cst: CstNode): Ast.Expr {
    return this.additive(node(cst, "additive"));
  }

  private additive(cst: CstNode): Ast.Expr {
    const operands = nodes(cst, "multiplicative");
    const operators = tokens(cst, "operator");
    let result = this.multiplicative(operands[0]!);
    let previous = result;
    operators.forEach((op, i) => {
      const right = this.multiplicative(operands[i + 1]!);
      this.checkGluedSign(previous, op, right);
      result = this.binary(op.image as "+" | "-", false, result, right);
      previous = right;
    });
    return result;
  }

  private multiplicative(cst: CstNode): Ast.Expr {
    const operands = nodes(cst, "operand");
    const operators = tokens(cst, "operator");
    let result = this.unary(operands[0]!);
    let next = 0;
    // One missing separator per term is enough: `[1 2 3]` gets one message, not two.
    let reported = false;
    for (const operand of operands.slice(1)) {
      if (operand.name === "unary") {
        const token = operators[next++]!;
        const right = this.unary(operand);
        if (token.image === "**") this.refusePythonPower(token, result, right);
        const op = (token.image === "**" ? "*" : token.image) as "*" | ".*" | "/";
        result = this.binary(op, false, result, right);
      } else {
        const right = this.power(operand);
        if (!reported) reported = this.checkJuxtaposition(result, right, leadingNumber(operand));
        result = this.binary("*", true, result, right);
      }
    }
    return result;
  }

  /** `z>=0 2 z<=1`, `variable X[m n]`: see juxtaposition.ts. */
  private checkJuxtaposition(left: Ast.Expr, right: Ast.Expr, number: IToken | undefined): boolean {
    const problem = juxtapositionProblem(this.place, {
      left: this.text(left.span),
      right: this.text(right.span),
      leadingNumber: number?.image,
    });
    if (problem === undefined) return false;
    const span = number === undefined ? right.span : spanOfToken(number);
    this.diagnostics.push({ message: problem.message, span, hint: problem.hint });
    return true;
  }

  /** `x**2`: Python's power; the tree gets a product, but the program is refused. */
  private refusePythonPower(token: IToken, base: Ast.Expr, exponent: Ast.Expr): void {
    const b = this.text(base.span);
    const e = this.text(exponent.span);
    this.diagnostics.push({
      message: "`**` is not an operator: use `^` for powers",
      span: spanOfToken(token),
      hint: e === "2" ? `write \`${b}^2\` (or \`square(${b})\`)` : `write \`${b}^${e}\``,
    });
  }

  /** `z <= 1 -1 <= z`: a sign against its operand after a space starts a new list item. */
  private checkGluedSign(left: Ast.Expr, op: IToken, right: Ast.Expr): void {
    const spaceBefore = op.startOffset > left.span.offset + left.span.length;
    const glued = right.span.offset === op.startOffset + op.image.length;
    if (!spaceBefore || !glued) return;
    const problem = gluedSignProblem(
      this.place,
      this.text(left.span),
      op.image as "+" | "-",
      this.text(right.span),
    );
    if (problem === undefined) return;
    const span = { ...spanOfToken(op), length: op.image.length + right.span.length };
    this.diagnostics.push({ message: problem.message, span, hint: problem.hint });
  }

  private unary(cst: CstNode): Ast.Expr {
    return this.applySigns(tokens(cst, "sign"), this.power(node(cst, "power")));
  }

  /** `a^b^c` is `a^(b^c)`; each exponent may carry signs, as in `x^-2`. */
  private power(cst: CstNode): Ast.Expr {
    const operands = nodes(cst, "operand");
    const signs = nodes(cst, "exponentSigns").map((s) => tokens(s, "sign"));
    let result = this.postfix(operands[operands.length - 1]!);
    for (let i = operands.length - 2; i >= 0; i--) {
      const exponent = this.applySigns(signs[i]!, result);
      const base = this.postfix(operands[i]!);
      result = this.make<Ast.PowerExpr>(
        { kind: "power", base, exponent, span: joinSpans(base.span, exponent.span) },
        base,
        exponent,
      );
    }
    return result;
  }

  private applySigns(signs: IToken[], operand: Ast.Expr): Ast.Expr {
    let result = operand;
    for (let i = signs.length - 1; i >= 0; i--) {
      const sign = signs[i]!;
      result = this.make<Ast.UnaryExpr>(
        {
          kind: "unary",
          op: sign.image as "-" | "+",
          operand: result,
          span: joinSpans(spanOfToken(sign), result.span),
        },
        result,
      );
    }
    return result;
  }

  private postfix(cst: CstNode): Ast.Expr {
    let result = this.primary(node(cst, "primary"));
    for (const suffix of elements(cst, "suffix")) {
      if (isCstNode(suffix)) {
        const indices = nodes(suffix, "indexItem").map((item) => this.indexItem(item));
        result = this.make<Ast.IndexExpr>(
          { kind: "index", base: result, indices, span: joinSpans(result.span, nodeSpan(suffix)) },
          result,
          ...indices.flatMap((i) => (i.kind === "slice" ? [i.start, i.end] : [i])),
        );
      } else {
        result = this.make<Ast.TransposeExpr>(
          { kind: "transpose", operand: result, span: joinSpans(result.span, spanOfToken(suffix)) },
          result,
        );
      }
    }
    return result;
  }

  private indexItem(cst: CstNode): Ast.IndexItem {
    return this.within("indices", () => this.indexItemWithin(cst));
  }

  private indexItemWithin(cst: CstNode): Ast.IndexItem {
    const start = optionalNode(cst, "start");
    const end = optionalNode(cst, "end");
    const startExpr = start ? this.expression(start) : null;
    if (!optionalToken(cst, "Colon")) return startExpr!;
    return {
      kind: "slice",
      start: startExpr,
      end: end ? this.expression(end) : null,
      span: nodeSpan(cst),
    };
  }

  private primary(cst: CstNode): Ast.Expr {
    const number = optionalToken(cst, "NumberLiteral");
    if (number) return this.number(number);
    const call = optionalNode(cst, "nameOrCall");
    if (call) return this.nameOrCall(call);
    const inner = optionalNode(cst, "parenthesized");
    if (inner) {
      // The parentheses belong to the span, so a caret under `(a + b)'` covers all of it.
      const expr = this.within("expression", () => this.expression(node(inner, "expression")));
      return this.make({ ...expr, span: nodeSpan(inner) }, ...childrenOf(expr));
    }
    const array = optionalNode(cst, "arrayLiteral");
    if (array) return this.arrayLiteral(array);
    return this.norm(node(cst, "norm"));
  }

  private arrayLiteral(cst: CstNode): Ast.ArrayLiteral {
    const entries = this.within("entries", () =>
      nodes(cst, "entry").map((e) => this.expression(e)),
    );
    return this.make<Ast.ArrayLiteral>({ kind: "array", entries, span: nodeSpan(cst) }, ...entries);
  }

  private number(t: IToken): Ast.NumberLiteral {
    const value = Number(t.image);
    if (!Number.isFinite(value)) {
      this.diagnostics.push({
        message: `number too large: \`${t.image}\` is beyond the largest double (about 1.8e308)`,
        span: spanOfToken(t),
      });
    }
    return this.make<Ast.NumberLiteral>({
      kind: "number",
      value,
      text: t.image,
      span: spanOfToken(t),
    });
  }

  private nameOrCall(cst: CstNode): Ast.Expr {
    const name = token(cst, "Identifier");
    if (!optionalToken(cst, "LParen")) {
      return this.make<Ast.NameRef>({ kind: "name", name: name.image, span: spanOfToken(name) });
    }
    const args = this.within("arguments", () =>
      nodes(cst, "argument").map((a) => this.expression(a)),
    );
    return this.make<Ast.CallExpr>(
      { kind: "call", callee: this.identifier(name), args, span: nodeSpan(cst) },
      ...args,
    );
  }

  private norm(cst: CstNode): Ast.Expr {
    const open = token(cst, "open");
    const arg = this.within("expression", () => this.expression(node(cst, "expression")));
    const subscript = optionalToken(cst, "NormSubscript");
    if (!optionalToken(cst, "close")) {
      this.diagnostics.push({
        message: "unterminated norm: `||` opened here is never closed",
        span: spanOfToken(open),
        hint: "close it with `||`, e.g. `||z - x||`",
      });
    }
    const p = subscript ? (subscript.image.slice(1) as "1" | "2" | "inf") : "2";
    return this.make<Ast.NormExpr>(
      { kind: "norm", arg, p, subscriptWritten: subscript !== undefined, span: nodeSpan(cst) },
      arg,
    );
  }

  private binary(
    op: Ast.BinaryExpr["op"],
    implicit: boolean,
    left: Ast.Expr,
    right: Ast.Expr,
  ): Ast.BinaryExpr {
    return this.make<Ast.BinaryExpr>(
      { kind: "binary", op, implicit, left, right, span: joinSpans(left.span, right.span) },
      left,
      right,
    );
  }

  /** Records the node's depth (one more than its deepest child). */
  private make<E extends Ast.Expr>(expr: E, ...children: (Ast.Expr | null)[]): E {
    let deepest = 0;
    for (const child of children) {
      if (child !== null) deepest = Math.max(deepest, this.depth.get(child) ?? 1);
    }
    this.depth.set(expr, deepest + 1);
    return expr;
  }
}

/** The number a juxtaposed factor (a `power` node) starts with, as in `0 2` or `0 1'z`. */
function leadingNumber(power: CstNode): IToken | undefined {
  const postfix = nodes(power, "operand")[0];
  const primary = postfix && optionalNode(postfix, "primary");
  return primary && optionalToken(primary, "NumberLiteral");
}

function childrenOf(expr: Ast.Expr): (Ast.Expr | null)[] {
  switch (expr.kind) {
    case "number":
    case "name":
      return [];
    case "unary":
    case "transpose":
      return [expr.operand];
    case "binary":
      return [expr.left, expr.right];
    case "power":
      return [expr.base, expr.exponent];
    case "call":
      return expr.args;
    case "array":
      return expr.entries;
    case "norm":
      return [expr.arg];
    case "index":
      return [
        expr.base,
        ...expr.indices.flatMap((i) => (i.kind === "slice" ? [i.start, i.end] : [i])),
      ];
  }
}

function nodeSpan(cst: CstNode): Ast.Span {
  return spanBetween(cst, cst);
}

function isCstNode(e: CstElement): e is CstNode {
  return (e as CstNode).children !== undefined;
}

function elements(cst: CstNode, label: string): CstElement[] {
  return cst.children[label] ?? [];
}

function nodes(cst: CstNode, label: string): CstNode[] {
  return elements(cst, label).filter(isCstNode);
}

function tokens(cst: CstNode, label: string): IToken[] {
  return elements(cst, label).filter((e): e is IToken => !isCstNode(e));
}

function optionalNode(cst: CstNode, label: string): CstNode | undefined {
  return nodes(cst, label)[0];
}

function optionalToken(cst: CstNode, label: string): IToken | undefined {
  return tokens(cst, label)[0];
}

function node(cst: CstNode, label: string): CstNode {
  const found = optionalNode(cst, label);
  if (!found) throw new Error(`internal error: ${cst.name} has no ${label}`);
  return found;
}

function token(cst: CstNode, label: string): IToken {
  const found = optionalToken(cst, label);
  if (!found) throw new Error(`internal error: ${cst.name} has no ${label}`);
  return found;
}

function firstToken(cst: CstNode): IToken {
  for (const list of Object.values(cst.children)) {
    for (const e of list) if (!isCstNode(e)) return e;
  }
  throw new Error(`internal error: ${cst.name} has no token`);
}
