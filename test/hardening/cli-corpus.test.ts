import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/runtime/cli.js";

/**
 * A corpus of bad (and a few valid) inputs run through the command line: exit codes as in
 * LANGUAGE.md §5 (0 solved, 1 some member not solved, 2 compile error or bad input), the message
 * on stderr, never a stack trace. Most run in-process through `runCli`; a handful as real
 * processes, in parallel, each with a timeout.
 */

const corpus = "test/hardening/corpus";
const dir = mkdtempSync(join(tmpdir(), "optnet-hardening-"));

function generated(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[]): Promise<Result> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

function expectCleanError(r: Result, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr).not.toMatch(/node:internal|RangeError|TypeError|Maximum call stack/);
  expect(r.stdout).toBe("");
}

/** Programs in the corpus folder: compile's exit code and what stderr says. */
const programs: Record<string, [number, RegExp | null]> = {
  "empty.qp": [2, /empty\.qp:1:1: error: the program has no objective/],
  "only-comments.qp": [2, /no objective/],
  "binary.qp": [2, /binary\.qp:1:1: error: unexpected character U\+0000/],
  "unterminated-norm.qp": [2, /4:10: error: unterminated norm/],
  "unclosed-paren.qp": [2, /expected `\)`/],
  "dim-zero.qp": [2, /1:9: error: a size must be a positive integer, but this is 0/],
  "dim-negative.qp": [2, /but this is -4/],
  "dim-fraction.qp": [2, /but this is 2\.5/],
  "dim-huge.qp": [2, /the size 1000000000 exceeds the limit of 10000000 entries/],
  "dim-no-default.qp": [2, /dim `n` has no default/],
  "duplicate-name.qp": [2, /3:10: error: `x` is already declared as a parameter on line 2/],
  "two-objectives.qp": [2, /3:1: error: a second objective/],
  "no-objective.qp": [2, /no objective/],
  "no-variable.qp": [2, /declares no variable/],
  "number-overflow.qp": [2, /number too large: `1e999`/],
  "division-by-zero.qp": [2, /division by zero/],
  "non-ascii-name.qp": [2, /2:11: error: unexpected character `é` \(U\+00E9\)/],
  "strict-inequality.qp": [2, /strict inequality `>`/],
  "quadratic-constraint.qp": [2, /only linear constraints/],
  "nonconvex-objective.qp": [2, /non-convex objective/],
  "parameter-product.qp": [2, /not affine in the parameters/],
  "unknown-name.qp": [2, /unknown name `Qz`/],
  "bad-attribute.qp": [2, /unknown attribute `positive`/],
  "three-dims.qp": [2, /at most two dimensions/],
  "shape-mismatch.qp": [2, /shape mismatch/],
  "index-out-of-range.qp": [2, /out of bounds/],
  "uppercase-keyword.qp": [2, /keywords are lowercase: `minimize`/],
  "too-large.qp": [2, /too large: Q would be 20000×20000 = 400000000 entries, 3\.2 GB/],
  "at-sign.qp": [2, /unexpected `@`/],
  "string-literal.qp": [2, /no strings/],
  "crlf-tabs.qp": [0, null],
  "bom.qp": [0, null],
  "simplex.qp": [0, null],
  "clash.qp": [0, null],
};

describe("optnet compile on the corpus", () => {
  it("has an expectation for every program in the corpus folder", () => {
    const files = readdirSync(corpus).filter((f) => f.endsWith(".qp"));
    expect(files.sort()).toEqual(Object.keys(programs).sort());
  });

  it.each(Object.entries(programs))("%s", async (file, [code, message]) => {
    const r = await run(["compile", join(corpus, file)]);
    if (message === null) {
      expect(r.code).toBe(code);
      expect(r.stderr).toBe("");
      expect(r.stdout).toMatch(/minimize/);
    } else {
      expectCleanError(r, message);
      expect(r.stderr).toContain(`${join(corpus, file)}:`);
      expect(r.stderr).toMatch(/\n\s*\d+ \| .*\n\s*\| *\^/);
    }
  });
});

/** Generated inputs: too large or too deep to keep as files. */
const generatedPrograms: [string, () => string, RegExp][] = [
  [
    "a 300-character name",
    () => `variable ${"a".repeat(300)}\nminimize 1`,
    /over the limit of 256/,
  ],
  [
    "parentheses 5000 deep",
    () => `variable z\nminimize ${"(".repeat(5000)}z${")".repeat(5000)}`,
    /more than 100 levels/,
  ],
  ["norms 3000 deep", () => `variable z\nminimize ${"||".repeat(3000)}z`, /more than 100 levels/],
  [
    "a 1.2 MB file",
    () => `${"# padding\n".repeat(120_000)}variable z\nminimize z^2`,
    /over the limit of 1000000 characters/,
  ],
  [
    "10,001 constraints",
    () => `variable z\nminimize z^2\ns.t.\n${"z >= 0\n".repeat(10_001)}`,
    /more than 10000 statements/,
  ],
  [
    "a sum of 20,000 terms",
    () => `variable z\nminimize ${Array(20_000).fill("z").join("+")}`,
    /over the limit of 20000 \(split it/,
  ],
  ["2,000 lines of garbage", () => "@ $ ? !\n".repeat(2_000), /more errors not shown/],
  [
    "a 3000×3000 constant squared",
    () =>
      "dim n = 3000\nconstant A = ones(n, n)\nconstant B = A * A\nvariable z[n]\nminimize sum(B z)",
    /too large to compile/,
  ],
  [
    "9 million parameter entries",
    () => "dim n = 3000\nparameter G[n, n]\nvariable z[n]\nminimize ||z||^2\ns.t. G z <= 1",
    /over the limit of 1000000/,
  ],
];

describe("optnet compile on generated inputs", () => {
  it.each(generatedPrograms)("%s", async (name, text, message) => {
    const file = generated(`${name.replace(/\W+/g, "-")}.qp`, text());
    expectCleanError(await run(["compile", file]), message);
  });
});

describe("optnet compile with bad --dim values", () => {
  it.each([
    ["n=0", /the size of n must be a positive integer, got "0"/],
    ["n=-2", /got "-2"/],
    ["n=1.5", /got "1.5"/],
    ["n=abc", /got "abc"/],
    ["n", /expected name=value, got "n"/],
    ["n=1e9", /set dim `n` to 1000000000, which exceeds the limit of 10000000 entries/],
    ["n=20000", /Q would be 20000×20000 = 400000000 entries, 3\.2 GB/],
    ["__proto__=3", /the compile options give dim `__proto__`, which the program does not declare/],
    ["constructor=3", /dim `constructor`, which the program does not declare/],
  ])("--dim %s", async (dim, message) => {
    expectCleanError(await run(["compile", join(corpus, "simplex.qp"), "--dim", dim]), message);
  });
});

describe("optnet solve with bad parameter files", () => {
  const simplex = join(corpus, "simplex.qp");
  it.each([
    ["proto-key.json", /unknown parameter "__proto__"; the layer's parameters are: x/],
    ["constructor-key.json", /unknown parameter "constructor"/],
    ["string-entry.json", /parameter x, entry \[1\]: the string "2" is not a number/],
    ["nan-string.json", /the string "NaN" is not a number/],
    ["huge-number.json", /parameter x, entry \[1\]: Infinity is not a finite number/],
    ["ragged.json", /parameter x: ragged array/],
    ["missing.json", /missing value for parameter x/],
    ["misspelled.json", /unknown parameter "xx" \(did you mean "x"\?\)/],
    ["array.json", /must be given as an object/],
    ["null.json", /must be given as an object/],
    ["wrong-shape.json", /expected shape \[3\] or \[batch, 3\], got shape \[1, 1, 3\]/],
  ])("%s", async (file, message) => {
    const r = await run(["solve", simplex, "--params", join(corpus, file)]);
    expectCleanError(r, message);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it.each([
    ["not JSON", () => generated("bad.json", '{"x": [1, 2, 3'), /is not valid JSON/],
    ["a directory", () => dir, /cannot read .*: it is a directory/],
    ["a missing file", () => join(dir, "missing.json"), /cannot read .*: no such file/],
  ])("%s", async (_, path, message) => {
    expectCleanError(await run(["solve", simplex, "--params", path()]), message);
  });

  it("solves a batch (exit 0) and reports an infeasible member with exit 1", async () => {
    const ok = await run([
      "solve",
      simplex,
      "--params",
      join(corpus, "simplex-batch.json"),
      "--json",
    ]);
    expect(ok.code).toBe(0);
    expect((JSON.parse(ok.stdout) as { status: string[] }).status).toEqual(["solved", "solved"]);
    const clash = join(corpus, "clash.qp");
    const bad = await run(["solve", clash, "--params", join(corpus, "clash.json"), "--json"]);
    expect(bad.code).toBe(1);
    const result = JSON.parse(bad.stdout) as { status: string[]; objective: (number | null)[] };
    expect(result.status).toEqual(["solved", "infeasible"]);
    expect(result.objective[1]).toBeNull();
  });
});

/** Runs the real command (from the sources, through tsx) with a time limit. */
function spawnCli(argv: string[]): Promise<Result & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/runtime/cli.ts", ...argv], {
      timeout: 30_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code, signal) => resolve({ code: code ?? -1, stdout, stderr, signal }));
  });
}

describe("the optnet command as real processes", () => {
  it("exits 0, 1 and 2 as documented, with one-line-per-error messages and no stack trace", async () => {
    const cases: [string[], number, RegExp][] = [
      [["compile", join(corpus, "crlf-tabs.qp")], 0, /minimize/],
      [
        ["solve", join(corpus, "clash.qp"), "--params", join(corpus, "clash.json")],
        1,
        /infeasible/,
      ],
      [["compile", join(corpus, "binary.qp")], 2, /unexpected character U\+0000/],
      [["compile", join(corpus, "too-large.qp")], 2, /3\.2 GB/],
      [
        ["compile", generated("deep.qp", `variable z\nminimize ${"(".repeat(5000)}z`)],
        2,
        /more than 100 levels/,
      ],
      [
        ["solve", join(corpus, "simplex.qp"), "--params", join(corpus, "proto-key.json")],
        2,
        /__proto__/,
      ],
    ];
    const results = await Promise.all(cases.map(([argv]) => spawnCli(argv)));
    results.forEach((r, i) => {
      const [, code, message] = cases[i]!;
      expect(r.signal).toBeNull();
      expect(r.code).toBe(code);
      expect(code === 2 ? r.stderr : r.stdout).toMatch(message);
      expect(r.stderr).not.toMatch(/^ {4}at |node:internal/m);
    });
  });
});
