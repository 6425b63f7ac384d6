import { readFileSync } from "node:fs";
import { compileToCanonical, type CanonicalQP } from "../../../src/canon/index.js";
import { CompileError, parse, type Diagnostic, type Program } from "../../../src/dsl/index.js";

export interface Compiled {
  canon: CanonicalQP;
  program: Program;
  source: string;
}

export function compile(source: string, dims?: Record<string, number>): Compiled {
  const canon = compileToCanonical(source, dims === undefined ? {} : { dims });
  return { canon, program: parse(source, "<input>"), source };
}

export function readExample(name: string): string {
  return readFileSync(new URL(`../../../examples/${name}`, import.meta.url), "utf8");
}

/** The diagnostics of a program that must not compile. */
export function diagnosticsOf(source: string, dims?: Record<string, number>): Diagnostic[] {
  try {
    compileToCanonical(source, dims === undefined ? {} : { dims });
  } catch (e) {
    if (e instanceof CompileError) return e.diagnostics;
    throw e;
  }
  throw new Error(`expected a CompileError for:\n${source}`);
}

/** 1-based line and column of the first occurrence of `needle` (after `from`) in `source`. */
export function positionOf(
  source: string,
  needle: string,
  from = 0,
): { line: number; column: number } {
  const offset = source.indexOf(needle, from);
  if (offset < 0) throw new Error(`\`${needle}\` not in source`);
  const before = source.slice(0, offset).split("\n");
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/** Where the first diagnostic of a program that must not compile points, and what it says. */
export function firstError(source: string): { at: string; message: string; hint?: string } {
  const [d] = diagnosticsOf(source);
  return {
    at: `${d.span.line}:${d.span.column}`,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
  };
}
