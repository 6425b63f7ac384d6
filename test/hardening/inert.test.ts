import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { compile } from "../../src/index.js";
import { canonToJsonText, emitTypeScript } from "../../src/codegen/index.js";
import { applyMap, importModule, type EmittedModule } from "../codegen/reference.js";

/**
 * Generated code is data for the user to read or import, never run by the library itself; and
 * program text that reaches it (names, constraint text, comments inside a multi-line
 * constraint, the file name) stays inside comments and string literals.
 */

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

/** Code with comments removed and string and template literals emptied (enough for our sources). */
function codeOnly(source: string): string {
  let code = "";
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? source.length : end + 2;
      code += " ";
    } else if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < source.length && source[i] !== c) i += source[i] === "\\" ? 2 : 1;
      i++;
      code += '""';
    } else {
      code += c;
      i++;
    }
  }
  return code;
}

describe("nothing in src/ evaluates source text", () => {
  const files = sourceFiles("src");

  it("finds the sources", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each([
    ["eval(", /(^|[^\w.$])eval\s*\(/],
    ["new Function", /\bnew\s+Function\b/],
    ["Function(...) called", /(^|[^\w.$])Function\s*\(/],
    ["the vm module", /["'](node:)?vm["']/],
    ["vm.runIn… / new vm.Script", /\bvm\.(runIn\w+|Script|compileFunction|SourceTextModule)\b/],
    ["setTimeout/setInterval with a string", /\bset(Timeout|Interval)\s*\(\s*["'`]/],
    ["import() of a data: URL", /import\s*\(\s*["'`]data:/],
  ])("no %s", (_, pattern) => {
    const offenders = files.filter((file) => {
      const text = readFileSync(file, "utf8");
      // The vm module is matched in strings (its import specifier); the rest in code only.
      return pattern.test(pattern.source.includes("vm[") ? text : codeOnly(text));
    });
    expect(offenders).toEqual([]);
  });
});

const SENTINEL = "__optnetHardeningPwned";
const sentinel = globalThis as { [SENTINEL]?: unknown };

describe("a compiled program with hostile names and text emits inert TypeScript", () => {
  afterEach(() => {
    delete sentinel[SENTINEL];
  });

  // Valid program text: names that are JavaScript globals, and a constraint spread over lines
  // whose comment (part of the constraint's source span) tries to close the generated comment.
  const source = [
    "dim n = 2",
    "parameter process[n]",
    "parameter require",
    "parameter constructor nonneg",
    "variable globalThis[n]",
    "variable eval",
    `minimize ||globalThis - process||^2 + constructor * eval^2 + require * eval`,
    "subject to",
    `  globalThis[0] + # */ ${SENTINEL} = 1; /* \${${SENTINEL} = 2} \` \\u2028`,
    "    globalThis[1] <= 1",
  ].join("\n");
  const file = `evil.qp */ globalThis.${SENTINEL} = "file"; /*`;
  const layer = compile(source, { file });

  it("keeps every name in a string and every source text in a comment", async () => {
    const code = await emitTypeScript(layer.canonical);
    expect(code).toContain(SENTINEL); // the text is there, for the reader
    const executable = codeOnly(code);
    expect(executable).not.toContain(SENTINEL);
    expect(executable).not.toMatch(/\b(process|require|eval|globalThis)\b/);
  });

  it("imports and runs without side effects, computing the same QP data as the layer", async () => {
    const module = await importModule<EmittedModule>(await emitTypeScript(layer.canonical));
    expect(sentinel[SENTINEL]).toBeUndefined();
    expect(module.parameters.map((p) => p.name)).toEqual(["process", "require", "constructor"]);
    expect(module.variables.map((v) => v.name)).toEqual(["globalThis", "eval"]);
    const theta = Float64Array.of(0.5, -1, 2, 3);
    const data = module.buildQP(theta, 1);
    expect(Array.from(data.q)).toEqual(Array.from(applyMap(layer.canonical.q, theta)));
    expect(Array.from(data.G)).toEqual(Array.from(applyMap(layer.canonical.G, theta)));
    expect(sentinel[SENTINEL]).toBeUndefined();
  });

  it("keeps the hostile text as plain data in the JSON", () => {
    const parsed = JSON.parse(canonToJsonText(layer.canonical)) as { file: string };
    expect(parsed.file).toBe(file);
    expect(sentinel[SENTINEL]).toBeUndefined();
  });
});
