import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { compile, CompileError } from "../../src/index.js";

/**
 * docs/LANGUAGE.md is compiled, not just read. Conventions of the document:
 *
 * - Every program is a fenced block tagged ```qp and is a complete program. Its dims take their
 *   defaults (`dim n = 3`), or the values of a first line `# dims: n=3, m=2` (how a user passes
 *   `--dim n=3 --dim m=2`).
 * - A program meant to be refused is followed immediately (nothing but blank lines between) by a
 *   ```text block holding the error as `optnet compile example.qp` prints it: the compiler's
 *   message (`CompileError.message`, which the CLI writes to stderr as it is) for a file named
 *   `example.qp`. The block's lines must equal the message's first lines: at least the first,
 *   `example.qp:line:col: error: message`; the caret lines and `= help:` where shown.
 * - Every other ```qp block must compile without error. A block carries no tag after `qp`:
 *   every program on the page is checked, none skipped.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const document = readFileSync(`${root}docs/LANGUAGE.md`, "utf8");
const FILE = "example.qp";

interface Snippet {
  /** 1-based line of the opening fence in docs/LANGUAGE.md. */
  line: number;
  source: string;
  /** The lines of the ```text block right after it, or null when the program is valid. */
  expectedError: string[] | null;
}

function lineOf(offset: number): number {
  return document.slice(0, offset).split("\n").length;
}

function snippets(): Snippet[] {
  const fence = /^```qp([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  return [...document.matchAll(fence)].map((m) => {
    const after = document.slice(m.index + m[0].length);
    const text = /^\s*\n```text\n([\s\S]*?)^```[ \t]*$/m.exec(after);
    const info = m[1].trim();
    if (info !== "")
      throw new Error(`docs/LANGUAGE.md:${lineOf(m.index)}: unknown tag \`qp ${info}\``);
    return {
      line: lineOf(m.index),
      source: m[2],
      expectedError:
        text !== null && text.index === 0 ? text[1].replace(/\n$/, "").split("\n") : null,
    };
  });
}

/** `# dims: n=3, m=2` on the first line → { n: 3, m: 2 }. */
function dimsOf(source: string): Record<string, number> {
  const header = /^# dims:(.*)$/m.exec(source.split("\n")[0] ?? "");
  if (header === null) return {};
  return Object.fromEntries(
    header[1]
      .split(",")
      .map((pair) => pair.trim().split("="))
      .map(([name, value]) => [name.trim(), Number(value)]),
  );
}

/** The printed error of a program, or null when it compiles. */
function compileError(source: string): string | null {
  try {
    compile(source, { dims: dimsOf(source), file: FILE });
    return null;
  } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
}

function check(snippet: Snippet): void {
  const printed = compileError(snippet.source);
  if (snippet.expectedError === null) {
    expect(printed, `the program at docs/LANGUAGE.md:${snippet.line} should compile`).toBeNull();
    return;
  }
  expect(
    printed,
    `the program at docs/LANGUAGE.md:${snippet.line} should be refused`,
  ).not.toBeNull();
  const lines = printed!.split("\n");
  expect(lines.slice(0, snippet.expectedError.length).join("\n")).toBe(
    snippet.expectedError.join("\n"),
  );
}

const all = snippets();
const title = (s: Snippet) =>
  `line ${s.line}: ${s.expectedError === null ? "compiles" : s.expectedError[0]}`;

describe("docs/LANGUAGE.md", () => {
  it("has programs, valid and refused, each refusal shown as printed for example.qp", () => {
    expect(all.filter((s) => s.expectedError === null).length).toBeGreaterThan(10);
    expect(all.filter((s) => s.expectedError !== null).length).toBeGreaterThan(20);
    for (const s of all.filter((x) => x.expectedError !== null))
      expect(s.expectedError![0], `docs/LANGUAGE.md:${s.line}`).toMatch(
        /^example\.qp:\d+:\d+: error: /,
      );
  });

  it.each(all.map((s) => [title(s), s] as const))("%s", (_, s) => check(s));
});
