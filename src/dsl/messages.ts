import {
  EOF,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from "chevrotain";

/**
 * Syntax error messages in plain words: what was expected, after what, and what came instead,
 * instead of chevrotain's lists of token paths.
 */

const tokenWords: Record<string, string> = {
  Identifier: "a name",
  NumberLiteral: "a number",
  NormBar: "`||`",
  NormSubscript: "a norm subscript",
  Newline: "the end of the line",
  SubjectTo: "`subject to`",
};

/** How a token type is named in a message: `]`, `a name`, … */
export function describeTokenType(type: TokenType): string {
  if (type === EOF) return "the end of the statement";
  const words = tokenWords[type.name];
  if (words !== undefined) return words;
  const pattern = type.PATTERN;
  if (pattern instanceof RegExp) return `\`${pattern.source.replace(/\\/g, "")}\``;
  return type.name;
}

/** How a token found in the source is named in a message. */
export function describeToken(token: IToken | undefined): string {
  if (token === undefined || tokenMatcher(token, EOF)) return "the end of the statement";
  if (token.tokenType.name === "SubjectTo") return `\`${token.image.replace(/\s+/g, " ")}\``;
  return `\`${token.image}\``;
}

function after(previous: IToken | undefined): string {
  if (previous === undefined || tokenMatcher(previous, EOF) || previous.image === "") return "";
  return ` after ${describeToken(previous)}`;
}

/** What a rule starts with, in words. */
const ruleExpectation: Record<string, string> = {
  primary: "an expression",
  unary: "an expression",
  power: "an expression",
  postfix: "an expression",
  expression: "an expression",
  additive: "an expression",
  multiplicative: "an expression",
  indexItem: "an index or a slice",
  relation: "`==`, `<=` or `>=`",
  declaration: "`parameter` or `variable`",
  objective: "`minimize` or `maximize`",
};

export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous }) {
    return `expected ${describeTokenType(expected)}${after(previous)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return unexpectedMessage(firstRedundant);
  },
  buildNoViableAltMessage({ actual, previous, ruleName }) {
    const expected = ruleExpectation[ruleName] ?? "something else";
    return `expected ${expected}${after(previous)}, found ${describeToken(actual[0])}`;
  },
  buildEarlyExitMessage({ actual, previous, ruleName }) {
    const expected = ruleExpectation[ruleName] ?? "something else";
    return `expected ${expected}${after(previous)}, found ${describeToken(actual[0])}`;
  },
};

const keywordTypes = new Set([
  "Dim",
  "Parameter",
  "Constant",
  "Variable",
  "Minimize",
  "Maximize",
  "Output",
]);

/** A token left over after a complete statement or constraint. */
export function unexpectedMessage(token: IToken): string {
  const name = token.tokenType.name;
  if (keywordTypes.has(name)) {
    return `unexpected ${describeToken(token)}: each statement starts on a new line or after \`;\``;
  }
  if (name === "RParen" || name === "RBracket")
    return `unexpected ${describeToken(token)}: nothing to close`;
  if (name === "NormSubscript") {
    return `unexpected ${describeToken(token)}: a norm subscript follows a closing \`||\``;
  }
  if (name === "Colon") return "unexpected `:`: slices are written inside brackets, `z[1:n]`";
  if (["Equal", "EqualEqual", "LessEqual", "GreaterEqual", "Less", "Greater"].includes(name)) {
    return `unexpected ${describeToken(token)}: constraints go after \`subject to\` (or \`s.t.\`)`;
  }
  return `unexpected ${describeToken(token)}`;
}
