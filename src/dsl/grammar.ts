import { CstParser, tokenMatcher, type CstNode, type IToken, type TokenType } from "chevrotain";
import * as T from "./tokens.js";
import { errorMessages } from "./messages.js";

/** Deeper nesting of parentheses, norms, calls and brackets than this is refused, not overflowed. */
export const MAX_NESTING = 100;

/** Thrown (and turned into one diagnostic) when an expression nests deeper than MAX_NESTING. */
export class NestingTooDeep extends Error {
  constructor(readonly token: IToken) {
    super(`expressions nest too deeply (more than ${MAX_NESTING} levels)`);
  }
}

/**
 * The grammar of LANGUAGE.md §1–§2, one rule per construct. The parser reads one statement (or one
 * constraint) at a time: `parse.ts` splits the program at newlines and `;`, which keeps one
 * syntax error from hiding the next.
 *
 *   expression     = additive
 *   additive       = multiplicative (("+" | "-") multiplicative)*
 *   multiplicative = unary (("*" | ".*" | "/" | "**") unary | power)* -- `A z` is juxtaposition;
 *                                                                   `**` only to refuse it
 *   unary          = ("-" | "+")* power
 *   power          = postfix ("^" ("-" | "+")* postfix)*          -- right associative
 *   postfix        = primary ("'" | "[" indexItem ("," indexItem)* "]")*
 *   primary        = number | name ["(" [expression ("," expression)*] ")"]
 *                  | "(" expression ")" | "||" expression ["||" [subscript]]
 *                  | "[" expression ("," expression)* "]"            -- `[1, 2]`, `[[1, 0], [0, 1]]`
 */
export class QpGrammar extends CstParser {
  /** One entry per open bracket or norm: true where the innermost one is a norm. */
  private insideNorm: boolean[] = [];
  private nesting = 0;

  constructor() {
    super(T.allTokens, {
      recoveryEnabled: false,
      nodeLocationTracking: "full",
      errorMessageProvider: errorMessages,
    });
    this.performSelfAnalysis();
  }

  override reset(): void {
    super.reset();
    this.insideNorm = [];
    this.nesting = 0;
  }

  dimStatement = this.RULE("dimStatement", () => {
    this.CONSUME(T.Dim);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Equal);
      this.SUBRULE(this.expression);
    });
  });

  /** `parameter D[n-1, n] nonneg` and `variable z[n]`. */
  declaration = this.RULE("declaration", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Parameter) }, { ALT: () => this.CONSUME(T.Variable) }]);
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LBracket);
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.expression);
      });
      this.CONSUME(T.RBracket);
    });
    this.MANY2(() => this.CONSUME2(T.Identifier, { LABEL: "attribute" }));
  });

  constantStatement = this.RULE("constantStatement", () => {
    this.CONSUME(T.Constant);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equal);
    this.SUBRULE(this.expression);
  });

  objective = this.RULE("objective", () => {
    this.OR([{ ALT: () => this.CONSUME(T.Minimize) }, { ALT: () => this.CONSUME(T.Maximize) }]);
    this.SUBRULE(this.expression);
  });

  outputStatement = this.RULE("outputStatement", () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(T.Comma));
      this.CONSUME2(T.Identifier);
    });
  });

  /** `a <= b`, `a == b`, chains `0 <= z <= 1`; strict `<` is parsed so it can be refused clearly. */
  constraint = this.RULE("constraint", () => {
    this.SUBRULE(this.expression);
    this.MANY(() => {
      this.SUBRULE(this.relation);
      this.SUBRULE2(this.expression);
    });
  });

  relation = this.RULE("relation", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.EqualEqual) },
      { ALT: () => this.CONSUME(T.Equal) },
      { ALT: () => this.CONSUME(T.LessEqual) },
      { ALT: () => this.CONSUME(T.GreaterEqual) },
      { ALT: () => this.CONSUME(T.Less) },
      { ALT: () => this.CONSUME(T.Greater) },
    ]);
  });

  expression = this.RULE("expression", () => {
    this.enterNesting();
    this.SUBRULE(this.additive);
    this.nesting--;
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "operator" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "operator" }) },
      ]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  /** Operands and operators in source order; the builder folds them left to right. */
  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary, { LABEL: "operand" });
    this.MANY({
      // Inside `||…||` a `||` after an operand closes the norm; it never starts a juxtaposed one.
      GATE: () => !(this.insideNorm.at(-1) === true && tokenMatcher(this.LA(1), T.NormBar)),
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.OR2([
                { ALT: () => this.CONSUME(T.Star, { LABEL: "operator" }) },
                { ALT: () => this.CONSUME(T.StarStar, { LABEL: "operator" }) },
                { ALT: () => this.CONSUME(T.DotStar, { LABEL: "operator" }) },
                { ALT: () => this.CONSUME(T.Slash, { LABEL: "operator" }) },
              ]);
              this.SUBRULE2(this.unary, { LABEL: "operand" });
            },
          },
          { ALT: () => this.SUBRULE(this.power, { LABEL: "operand" }) },
        ]);
      },
    });
  });

  unary = this.RULE("unary", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "sign" }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "sign" }) },
      ]);
    });
    this.SUBRULE(this.power);
  });

  power = this.RULE("power", () => {
    this.SUBRULE(this.postfix, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE(this.exponentSigns);
      this.SUBRULE2(this.postfix, { LABEL: "operand" });
    });
  });

  /** The signs before one exponent (`x^-2`); a separate rule keeps them apart from the next. */
  exponentSigns = this.RULE("exponentSigns", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "sign" }) },
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "sign" }) },
      ]);
    });
  });

  postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Transpose, { LABEL: "suffix" }) },
        { ALT: () => this.SUBRULE(this.index, { LABEL: "suffix" }) },
      ]);
    });
  });

  index = this.RULE("index", () => {
    this.CONSUME(T.LBracket);
    this.insideNorm.push(false);
    this.SUBRULE(this.indexItem);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.indexItem);
    });
    this.insideNorm.pop();
    this.CONSUME(T.RBracket);
  });

  /** `i`, `a:b`, `:b`, `a:`, `:` */
  indexItem = this.RULE("indexItem", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          this.OPTION(() => this.SUBRULE(this.expression, { LABEL: "end" }));
        },
      },
      {
        ALT: () => {
          this.SUBRULE2(this.expression, { LABEL: "start" });
          this.OPTION2(() => {
            this.CONSUME2(T.Colon);
            this.OPTION3(() => this.SUBRULE3(this.expression, { LABEL: "end" }));
          });
        },
      },
    ]);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
      { ALT: () => this.SUBRULE(this.parenthesized) },
      { ALT: () => this.SUBRULE(this.norm) },
      { ALT: () => this.SUBRULE(this.arrayLiteral) },
    ]);
  });

  arrayLiteral = this.RULE("arrayLiteral", () => {
    this.CONSUME(T.LBracket);
    this.insideNorm.push(false);
    this.SUBRULE(this.expression, { LABEL: "entry" });
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.expression, { LABEL: "entry" });
    });
    this.insideNorm.pop();
    this.CONSUME(T.RBracket);
  });

  nameOrCall = this.RULE("nameOrCall", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.insideNorm.push(false);
      this.OPTION2(() => {
        this.SUBRULE(this.expression, { LABEL: "argument" });
        this.MANY(() => {
          this.CONSUME(T.Comma);
          this.SUBRULE2(this.expression, { LABEL: "argument" });
        });
      });
      this.insideNorm.pop();
      this.CONSUME(T.RParen);
    });
  });

  parenthesized = this.RULE("parenthesized", () => {
    this.CONSUME(T.LParen);
    this.insideNorm.push(false);
    this.SUBRULE(this.expression);
    this.insideNorm.pop();
    this.CONSUME(T.RParen);
  });

  /** The closing `||` is optional here so that a missing one is reported at the opening one. */
  norm = this.RULE("norm", () => {
    this.CONSUME(T.NormBar, { LABEL: "open" });
    this.insideNorm.push(true);
    this.SUBRULE(this.expression);
    this.insideNorm.pop();
    this.OPTION(() => {
      this.CONSUME2(T.NormBar, { LABEL: "close" });
      this.OPTION2(() => this.CONSUME(T.NormSubscript));
    });
  });

  private enterNesting(): void {
    this.nesting++;
    if (this.nesting > MAX_NESTING + 1 && !this.RECORDING_PHASE)
      throw new NestingTooDeep(this.LA(0));
  }
}

export type RuleName =
  | "dimStatement"
  | "declaration"
  | "constantStatement"
  | "objective"
  | "outputStatement"
  | "constraint";

const grammar = new QpGrammar();

export interface RuleResult {
  cst: CstNode | undefined;
  errors: { message: string; token: IToken }[];
  nestingTooDeep?: IToken;
}

/** Runs one top-level rule over one statement's tokens. */
export function parseRule(rule: RuleName, tokens: IToken[]): RuleResult {
  grammar.input = tokens;
  try {
    const cst = grammar[rule]() as CstNode | undefined;
    return { cst, errors: grammar.errors.map((e) => ({ message: e.message, token: e.token })) };
  } catch (e) {
    if (e instanceof NestingTooDeep) return { cst: undefined, errors: [], nestingTooDeep: e.token };
    if (e instanceof RangeError) return { cst: undefined, errors: [], nestingTooDeep: tokens[0] };
    throw e;
  }
}

export function isToken(token: IToken, type: TokenType): boolean {
  return tokenMatcher(token, type);
}
