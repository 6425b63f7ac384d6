export type * from "./ast.js";
export { CompileError, formatDiagnostic, formatDiagnostics } from "./errors.js";
export type { Diagnostic } from "./errors.js";
