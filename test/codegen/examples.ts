/** The programs in examples/, compiled by the compiler's middle (src/canon). */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { compileToCanonical, type CanonicalQP } from "../../src/canon/index.js";
import { CompileError } from "../../src/dsl/index.js";

export const EXAMPLES_DIR = join(import.meta.dirname, "..", "..", "examples");

/** Names (without .qp) of the example programs, sorted. */
export function exampleNames(): string[] {
  if (!existsSync(EXAMPLES_DIR)) return [];
  return readdirSync(EXAMPLES_DIR)
    .filter((file) => file.endsWith(".qp"))
    .map((file) => basename(file, ".qp"))
    .sort();
}

export function compileExample(name: string): CanonicalQP {
  const file = `${name}.qp`;
  return compileToCanonical(readFileSync(join(EXAMPLES_DIR, file), "utf8"), { file });
}

/**
 * The example compiled, or the test skipped with the compiler's message when the compiler
 * rejects it: whether an example compiles is the compiler's test to make (test/canon,
 * test/runtime); here it only means there is nothing to render.
 */
export function compileExampleOrSkip(
  name: string,
  context: { skip: (note?: string) => never },
): CanonicalQP {
  try {
    return compileExample(name);
  } catch (error) {
    if (error instanceof CompileError)
      context.skip(`examples/${name}.qp does not compile: ${error.message.split("\n")[0]}`);
    throw error;
  }
}
