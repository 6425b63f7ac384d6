import { compile, CompileError, type CompileOptions } from "../../src/index.js";

/** The CompileError that compiling `source` throws; fails the test on success or any other error. */
export function compileError(source: string, options: CompileOptions = {}): CompileError {
  try {
    compile(source, options);
  } catch (error) {
    if (error instanceof CompileError) return error;
    throw new Error(`expected a CompileError, got ${String(error)}`);
  }
  throw new Error("expected a CompileError, but the program compiled");
}

/** The error `f` throws (fails the test when it returns). */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`);
  }
  throw new Error("expected an error, but none was thrown");
}

/** Whether every number in a nested structure (arrays, typed arrays, objects) is finite. */
export function allFinite(value: unknown): boolean {
  if (typeof value === "number") return Number.isFinite(value);
  if (ArrayBuffer.isView(value)) return Array.from(value as Float64Array).every(Number.isFinite);
  if (Array.isArray(value)) return value.every(allFinite);
  if (value !== null && typeof value === "object") return Object.values(value).every(allFinite);
  return true;
}
