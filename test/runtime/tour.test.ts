import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/runtime/cli.js";

/**
 * docs/TOUR.md is run, not just read: a ```qp file=… block must equal that file, every ```sh
 * and ```ts run block is executed and its output must equal the ```text output block after it.
 * `TOUR_UPDATE=1 npx vitest run test/runtime/tour.test.ts` writes the outputs into the tour.
 */
const root = fileURLToPath(new URL("../../", import.meta.url));
const tourPath = join(root, "docs/TOUR.md");
const tour = readFileSync(tourPath, "utf8");
const update = process.env.TOUR_UPDATE === "1";

interface Block {
  lang: string;
  info: string;
  body: string;
  /** Offsets of the body in the tour text. */
  start: number;
  end: number;
}

const blocks: Block[] = [...tour.matchAll(/^```(\S*)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => {
  const start = m.index + m[0].indexOf("\n") + 1;
  return { lang: m[1], info: m[2].trim(), body: m[3], start, end: start + m[3].length };
});

mkdirSync(join(root, "tmp"), { recursive: true });
const work = mkdtempSync(join(root, "tmp", "tour-"));

/** Iteration counts move with every change to the solver; the tour is not about them. */
function comparable(text: string): string {
  return text.replace(/\(\d+ iterations\)/g, "(N iterations)");
}

async function runShell(script: string): Promise<string> {
  let stdout = "";
  for (const line of script.split("\n").filter((l) => l.trim() !== "")) {
    const echo = /^echo '(.*)' > (\S+)$/.exec(line);
    if (echo !== null) {
      writeFileSync(join(work, echo[2]), `${echo[1]}\n`);
      continue;
    }
    const command = /^npx optnet (.*)$/.exec(line);
    if (command === null) throw new Error(`the tour test cannot run: ${line}`);
    const args = command[1].split(/\s+/).map((a) => (a.endsWith(".json") ? join(work, a) : a));
    const code = await runCli(args, { out: (t) => (stdout += t), err: (t) => (stdout += t) });
    expect(code, line).toBe(0);
  }
  return stdout;
}

function runTypeScript(source: string, index: number): string {
  const file = join(work, `snippet-${index}.ts`);
  writeFileSync(
    file,
    source.replaceAll('from "optnet"', `from ${JSON.stringify(join(root, "src/index.ts"))}`),
  );
  const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe("docs/TOUR.md", () => {
  it("shows examples/simplex.qp as it is", () => {
    const shown = blocks.filter((b) => b.info.startsWith("file="));
    expect(shown.length).toBeGreaterThan(0);
    for (const b of shown) expect(b.body).toBe(readFileSync(join(root, b.info.slice(5)), "utf8"));
  });

  it("prints what its commands and programs print", async () => {
    const replacements: { block: Block; text: string }[] = [];
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i];
      let output: string;
      if (b.lang === "sh") output = await runShell(b.body);
      else if (b.lang === "ts" && b.info === "run") output = runTypeScript(b.body, i);
      else continue;
      const next = blocks[i + 1];
      expect(
        next?.lang === "text" && next.info === "output",
        `an output block after block ${i}`,
      ).toBe(true);
      if (update) replacements.push({ block: next, text: output });
      else expect(comparable(next.body)).toBe(comparable(output));
    }
    if (update) {
      let text = tour;
      for (const { block, text: output } of replacements.reverse()) {
        text = text.slice(0, block.start) + output + text.slice(block.end);
      }
      writeFileSync(tourPath, text);
    }
  });
});
