/**
 * The language front end: source text → syntax tree (LANGUAGE.md §1–§2).
 *
 *   parse(source, file?)   the Program, or a CompileError listing every syntax error
 *   printExpr(expr)        an expression back as source text (`||D z||_1`, `A z - y`)
 *   printProgram(program)  a whole program back as source text
 *   tokenize(source)       the tokens and the diagnostics for characters that fit none
 *   spanText, describeSpan helpers for messages that quote or locate source text
 *   MAX_*                  the limits on program text (docs/SAFETY.md)
 */
export type * from "./ast.js";
export { CompileError, formatDiagnostic, formatDiagnostics } from "./errors.js";
export type { Diagnostic } from "./errors.js";
export { parse } from "./parse.js";
export { tokenize, type Tokens } from "./tokens.js";
export { printExpr, printProgram, type PrintOptions } from "./print.js";
export { spanText, describeSpan } from "./span.js";
export { MAX_NESTING } from "./grammar.js";
export { MAX_EXPRESSION_DEPTH } from "./build.js";
export {
  MAX_SOURCE_LENGTH,
  MAX_NAME_LENGTH,
  MAX_STATEMENTS,
  MAX_STATEMENT_TOKENS,
  MAX_TOKENS,
  MAX_REPORTED_DIAGNOSTICS,
  MAX_DIAGNOSTICS,
} from "./limits.js";
