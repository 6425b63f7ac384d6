import { createToken, Lexer, type IToken, type TokenType } from "chevrotain";
import type { Diagnostic } from "./errors.js";

/**
 * The tokens of the language, in one list, longest match first. Newlines are significant (they
 * separate statements); spaces, tabs and `#` comments are dropped.
 */

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z][A-Za-z0-9_]*/ });

function keyword(name: string, pattern: RegExp): TokenType {
  return createToken({ name, pattern, longer_alt: Identifier });
}

export const Dim = keyword("Dim", /dim/);
export const Parameter = keyword("Parameter", /parameter/);
export const Constant = keyword("Constant", /constant/);
export const Variable = keyword("Variable", /variable/);
export const Minimize = keyword("Minimize", /minimize/);
export const Maximize = keyword("Maximize", /maximize/);
export const Output = keyword("Output", /output/);
/** `subject to` (any spaces or tabs between the words) and `s.t.` both open the constraints. */
export const SubjectTo = createToken({
  name: "SubjectTo",
  pattern: /subject[ \t]+to(?![A-Za-z0-9_])|s\.t\./,
});

/** `_1`, `_2`, `_inf` after a closing `||`. Names never start with `_`, so this is unambiguous. */
export const NormSubscript = createToken({
  name: "NormSubscript",
  pattern: /_(?:1|2|inf)(?![A-Za-z0-9_])/,
});

/**
 * Integers, decimals and exponents. A dot directly followed by `*` is the elementwise product,
 * so `2.*z` reads as `2 .* z` as in MATLAB.
 */
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /(?:\d+(?:\.(?!\*)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
});

export const NormBar = createToken({ name: "NormBar", pattern: /\|\|/ });
export const DotStar = createToken({ name: "DotStar", pattern: /\.\*/ });
export const EqualEqual = createToken({ name: "EqualEqual", pattern: /==/ });
export const LessEqual = createToken({ name: "LessEqual", pattern: /<=/ });
export const GreaterEqual = createToken({ name: "GreaterEqual", pattern: />=/ });
export const Equal = createToken({ name: "Equal", pattern: /=/ });
/** Strict inequalities are lexed only to say why they are refused. */
export const Less = createToken({ name: "Less", pattern: /</ });
export const Greater = createToken({ name: "Greater", pattern: />/ });
export const Plus = createToken({ name: "Plus", pattern: /\+/ });
export const Minus = createToken({ name: "Minus", pattern: /-/ });
/** Python's power operator, lexed only to say that powers are written `^`. */
export const StarStar = createToken({ name: "StarStar", pattern: /\*\*/ });
export const Star = createToken({ name: "Star", pattern: /\*/ });
export const Slash = createToken({ name: "Slash", pattern: /\// });
export const Caret = createToken({ name: "Caret", pattern: /\^/ });
export const Transpose = createToken({ name: "Transpose", pattern: /'/ });
export const Comma = createToken({ name: "Comma", pattern: /,/ });
export const Semicolon = createToken({ name: "Semicolon", pattern: /;/ });
export const Colon = createToken({ name: "Colon", pattern: /:/ });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/ });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/ });
export const LParen = createToken({ name: "LParen", pattern: /\(/ });
export const RParen = createToken({ name: "RParen", pattern: /\)/ });

export const Newline = createToken({ name: "Newline", pattern: /\r\n|\r|\n/, line_breaks: true });
export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
export const Comment = createToken({ name: "Comment", pattern: /#[^\r\n]*/, group: Lexer.SKIPPED });

export const allTokens: TokenType[] = [
  WhiteSpace,
  Comment,
  Newline,
  SubjectTo,
  Dim,
  Parameter,
  Constant,
  Variable,
  Minimize,
  Maximize,
  Output,
  NormSubscript,
  Identifier,
  NumberLiteral,
  NormBar,
  DotStar,
  EqualEqual,
  LessEqual,
  GreaterEqual,
  Equal,
  Less,
  Greater,
  Plus,
  Minus,
  StarStar,
  Star,
  Slash,
  Caret,
  Transpose,
  Comma,
  Semicolon,
  Colon,
  LBracket,
  RBracket,
  LParen,
  RParen,
];

/** Statement keywords: a line that starts with one of these starts a new statement. */
export const statementKeywords: TokenType[] = [
  Dim,
  Parameter,
  Constant,
  Variable,
  Minimize,
  Maximize,
  Output,
  SubjectTo,
];

const lexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });

export interface Tokens {
  tokens: IToken[];
  diagnostics: Diagnostic[];
}

/** Splits source text into tokens; characters that fit no token become diagnostics. */
export function tokenize(source: string): Tokens {
  const result = lexer.tokenize(source);
  const diagnostics = result.errors.map((e): Diagnostic => {
    const text = source.slice(e.offset, e.offset + e.length);
    const span = { line: e.line ?? 1, column: e.column ?? 1, offset: e.offset, length: e.length };
    if (text.startsWith(".")) return { ...dotMessage(source, e.offset), span };
    return { message: unexpectedCharacterMessage(text), span };
  });
  return { tokens: result.tokens, diagnostics };
}

function unexpectedCharacterMessage(text: string): string {
  const first = String.fromCodePoint(text.codePointAt(0) ?? 0);
  const shown = describeCharacter(first);
  if (first === "|") {
    return `unexpected ${shown}: a norm is written \`||x||\` and an absolute value \`abs(x)\``;
  }
  if (first === "@") {
    return `unexpected ${shown}: use \`*\` or juxtaposition for the matrix product (\`A * z\` or \`A z\`)`;
  }
  if (first === "_") {
    return `unexpected ${shown}: names start with a letter; \`_1\`, \`_2\`, \`_inf\` only follow a norm's closing \`||\``;
  }
  if (first === '"') {
    return `unexpected ${shown}: the language has no strings (\`'\` is the transpose)`;
  }
  if (/\p{L}/u.test(first) && first.charCodeAt(0) > 127) {
    return `unexpected character ${shown}: names use only ASCII letters, digits and \`_\``;
  }
  return `unexpected character ${shown}`;
}

/** CVXPY's constructors that are statements here: what they are, and how they are written. */
const cvxpyStatements: Record<string, [string, string]> = {
  Minimize: ["the objective is a statement", "minimize EXPR"],
  Maximize: ["the objective is a statement", "maximize EXPR"],
  Variable: ["a variable is declared by a statement", "variable z[n]"],
  Parameter: ["a parameter is declared by a statement", "parameter x[n]"],
  Problem: ["a problem is written as statements", "minimize EXPR` then `subject to CONSTRAINTS"],
};

/** A `.` that starts no number: a module prefix (`cp.sum_squares`), or `s.t` missing a dot. */
function dotMessage(source: string, offset: number): { message: string; hint?: string } {
  const before = /[A-Za-z][A-Za-z0-9_]*$/.exec(source.slice(Math.max(0, offset - 64), offset))?.[0];
  const after = /^[A-Za-z][A-Za-z0-9_]*/.exec(source.slice(offset + 1, offset + 65))?.[0];
  if (before === undefined || after === undefined) return { message: "unexpected `.`" };
  if (before === "s" && after === "t") {
    return { message: "unexpected `.`: `s.t.` is written with two dots", hint: "write `s.t.`" };
  }
  const written = `\`${before}.${after}\``;
  if (before !== "cp" && before !== "cvxpy") {
    return {
      message: `unexpected \`.\`: names have no module prefix (${written})`,
      hint: `write \`${after}\``,
    };
  }
  const statement = cvxpyStatements[after];
  if (statement !== undefined) {
    return {
      message: `unexpected \`.\`: ${written} is CVXPY; here ${statement[0]}`,
      hint: `write \`${statement[1]}\``,
    };
  }
  return {
    message: `unexpected \`.\`: ${written} is CVXPY; here names take no prefix`,
    hint: `write \`${after}\``,
  };
}

function describeCharacter(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code < 32 || code === 127 || (code >= 0x80 && code < 0xa0) || code === 0xfffd) return hex;
  return `\`${ch}\` (${hex})`.replace(/ \(U\+00[0-7][0-9A-F]\)$/, "");
}
