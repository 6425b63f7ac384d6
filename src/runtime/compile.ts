import { compileToCanonical } from "../canon/index.js";
import { Layer } from "./layer.js";

export interface CompileOptions {
  /** Values for the program's `dim` symbols, overriding their defaults. */
  dims?: Record<string, number>;
  /** File name used in error messages (default `<input>`). */
  file?: string;
}

/**
 * Compiles a program into a reusable layer. Throws a CompileError, with every problem found and
 * where, for a program that is not a valid convex QP. The language: docs/LANGUAGE.md.
 */
export function compile(source: string, options: CompileOptions = {}): Layer {
  return new Layer(
    compileToCanonical(source, { dims: options.dims ?? {}, file: options.file ?? "<input>" }),
  );
}
