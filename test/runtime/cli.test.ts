import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/runtime/cli.js";

const simplex = "examples/simplex.qp";
const dir = mkdtempSync(join(tmpdir(), "optnet-cli-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

async function runWithInput(input: string, ...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    out: (t) => (stdout += t),
    err: (t) => (stderr += t),
    input: () => input,
  });
  return { code, stdout, stderr };
}

describe("optnet compile", () => {
  it("prints the canonical form", async () => {
    const r = await run("compile", simplex);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/minimize/);
    expect(r.stderr).toBe("");
  });

  it("takes --dim and emits the canonical form as JSON", async () => {
    const r = await run("compile", simplex, "--dim", "n=4", "--emit", "json");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { sizes: { n: number } }).sizes.n).toBe(4);
  });

  it("emits a TypeScript module", async () => {
    const r = await run("compile", simplex, "--emit", "ts");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/export /);
  });

  it("exits 2 with the compiler's message and caret for a bad program", async () => {
    const r = await run(
      "compile",
      file("bad.qp", "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - y||^2\n"),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.qp:4:\d+: error/);
    expect(r.stderr).toMatch(/\^/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [["compile", "no/such/file.qp"], /cannot read no\/such\/file\.qp: no such file/],
    [["compile", simplex, "--dim", "n=0"], /must be a positive integer/],
    [["compile", simplex, "--emit", "xml"], /invalid/],
    [["solve", simplex], /required option '--params <file>'/],
    [["frobnicate"], /unknown command/],
    [["solve", simplex, "--params", "p.json", "--eps", "-1"], /expected a positive number/],
    [["solve", simplex, "--params", "p.json", "--max-iter", "2.5"], /expected a positive integer/],
  ])("exits 2 for bad input %j", async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("prints usage for --help on the program and each command, exit 0", async () => {
    for (const argv of [["--help"], ["compile", "--help"], ["solve", "--help"]]) {
      const r = await run(...argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: optnet/);
    }
  });
});

describe("optnet solve", () => {
  const batch = file(
    "batch.json",
    JSON.stringify({
      x: [
        [0.25, 0.5, 0.9],
        [1, 2, 3.5],
      ],
    }),
  );

  it("prints {status, objective, variables} with --json, one entry per member", async () => {
    const r = await run("solve", simplex, "--params", batch, "--json");
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as {
      status: string[];
      objective: number[];
      variables: { z: number[][] };
    };
    expect(Object.keys(result)).toEqual([
      "status",
      "objective",
      "variables",
      "iterations",
      "duals",
      "warnings",
    ]);
    expect(result.status).toEqual(["solved", "solved"]);
    expect(result.variables.z[1][0]).toBeCloseTo(0, 6);
    expect(result.variables.z[1][2]).toBeCloseTo(1, 6);
    // ||z - x||^2 at z = (0, 0, 1), x = (1, 2, 3.5): 1 + 4 + 6.25
    expect(result.objective[1]).toBeCloseTo(11.25, 6);
  });

  it("adds iterations, duals per source constraint and warnings to --json, ending in a newline", async () => {
    const r = await run("solve", simplex, "--params", batch, "--json");
    expect(r.stdout.endsWith("}\n")).toBe(true);
    const result = JSON.parse(r.stdout) as {
      iterations: number[];
      duals: {
        constraint: string;
        line: number;
        column: number;
        relation: string;
        values: number[][] | number[];
      }[];
      warnings: string[][];
    };
    expect(result.iterations).toHaveLength(2);
    result.iterations.forEach((k) => expect(k).toBeGreaterThan(0));
    expect(r.stdout).toBe((await run("solve", simplex, "--params", batch, "--json")).stdout);
    expect(result.duals.map(({ values: _, ...d }) => d)).toEqual([
      { constraint: "z >= 0", line: 7, column: 3, relation: ">=" },
      { constraint: "1'z = 1", line: 8, column: 3, relation: "==" },
    ]);
    // Member 1 sits at the vertex (0, 0, 1): stationarity 2(z - x) + ν·1 − λ = 0 gives
    // ν = 2·(3.5 − 1) = 5 from the free entry, and λ = (2·(−1) + 5, 2·(−2) + 5, 0) = (3, 1, 0).
    const [bounds, sum] = result.duals.map((d) => d.values);
    expect(sum[1] as number).toBeCloseTo(5, 6);
    (bounds[1] as number[]).forEach((v, i) => expect(v).toBeCloseTo([3, 1, 0][i], 6));
    expect(result.warnings).toEqual([[], []]);
    const text = await run("solve", simplex, "--params", batch);
    result.iterations.forEach((k, b) =>
      expect(text.stdout).toContain(`member ${b}:\n  status     solved (${k} iterations)`),
    );
  });

  it("reads the parameters from standard input with --params -", async () => {
    const r = await runWithInput('{"x": [1, 2, 3.5]}', "solve", simplex, "--params", "-", "--json");
    expect(r.code).toBe(0);
    expect(
      (JSON.parse(r.stdout) as { variables: { z: number[][] } }).variables.z[0][2],
    ).toBeCloseTo(1, 6);
    const bad = await runWithInput("{not json", "solve", simplex, "--params", "-");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^optnet: standard input is not valid JSON: /);
  });

  it("warns on stderr, and in --json, about a constraint a member's parameters empty", async () => {
    const program = file(
      "emptied.qp",
      "parameter p\nvariable z\nminimize (z - 1)^2\ns.t. p z <= 0.5\n",
    );
    const params = file("p.json", '{"p": [2, 0]}');
    const message =
      "line 4: `p z <= 0.5` has only zero coefficients on the variables for this member's " +
      "parameter values: it reads 0 <= 0.5, which always holds (the constraint restricts nothing)";
    const r = await run("solve", program, "--params", params, "--json");
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { warnings: string[][] }).warnings).toEqual([[], [message]]);
    expect(r.stderr).toBe(`optnet: warning: member 1: ${message}\n`);
    const one = await run("solve", program, "--params", file("p0.json", '{"p": 0}'));
    expect(one.stderr).toBe(`optnet: warning: ${message}\n`);
  });

  it("keeps declared shapes on the command line: --dim n=1 leaves a 1-vector a 1-vector", async () => {
    const program = file(
      "copy.qp",
      "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\n",
    );
    const params = file("x1.json", '{"x": [[0.3], [0.5]]}');
    const r = await run("solve", program, "--dim", "n=1", "--params", params, "--json");
    expect(r.code).toBe(0);
    const { variables } = JSON.parse(r.stdout) as { variables: { z: number[][] } };
    expect(variables.z).toHaveLength(2);
    expect(variables.z[0]).toHaveLength(1);
    expect(variables.z[1][0]).toBeCloseTo(0.5, 7);
    const flat = await run(
      "solve",
      program,
      "--dim",
      "n=1",
      "--params",
      file("x2.json", '{"x": [0.3, 0.5]}'),
    );
    expect(flat.code).toBe(2);
    expect(flat.stderr).toMatch(/2 values of shape \[1\] are given with shape \[2, 1\]/);
  });

  it("passes --eps and --max-iter to the solver", async () => {
    const r = await run("solve", simplex, "--params", batch, "--max-iter", "1", "--json");
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { status: string[] }).status).toEqual([
      "max_iterations",
      "max_iterations",
    ]);
    expect((await run("solve", simplex, "--params", batch, "--eps", "1e-11")).code).toBe(0);
  });

  it("makes a batch of one when no batch axis is given, and prints text without --json", async () => {
    const r = await run("solve", simplex, "--params", file("one.json", '{"x": [1, 2, 3.5]}'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/status\s+solved/);
    expect(r.stdout).toMatch(/z\s+\[0, 0, 1\]/);
  });

  it("exits 1 when some member is infeasible, saying which", async () => {
    const program = file(
      "clash.qp",
      "parameter c\nvariable z\nminimize z^2\ns.t. z >= c, z <= 1\n",
    );
    const r = await run("solve", program, "--params", file("c.json", '{"c": [0.5, 2]}'), "--json");
    expect(r.code).toBe(1);
    const { status, objective } = JSON.parse(r.stdout) as {
      status: string[];
      objective: (number | null)[];
    };
    expect(status[0]).toBe("solved");
    // z = 0.5 minimizes z^2 on [0.5, 1]; the member without a solution has no finite objective.
    expect(objective[0]).toBeCloseTo(0.25, 6);
    expect(objective[1]).toBeNull();
    // The solver proves it: a Farkas certificate, not a numerical failure.
    expect(status[1]).toBe("infeasible");
  });

  it.each([
    ['{"xx": [1, 2, 3]}', /unknown parameter "xx" \(did you mean "x"\?\)/],
    ['{"x": [1, 2]}', /expected shape \[3\] or \[batch, 3\], got shape \[2\]/],
    ["{not json", /is not valid JSON/],
  ])("exits 2 for bad parameters %s", async (json, message) => {
    const r = await run("solve", simplex, "--params", file("bad.json", json));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the optnet command as a process", () => {
  it("runs from the sources with exit codes and JSON output", () => {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/runtime/cli.ts",
        "solve",
        simplex,
        "--params",
        join(dir, "batch.json"),
        "--json",
      ],
      { encoding: "utf8" },
    );
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string[] }).status).toEqual(["solved", "solved"]);
    const bad = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/runtime/cli.ts", "solve", simplex, "--params", "missing.json"],
      { encoding: "utf8" },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("reads --params - from the process's standard input", () => {
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/runtime/cli.ts", "solve", simplex, "--params", "-", "--json"],
      { encoding: "utf8", input: '{"x": [[0.25, 0.5, 0.9], [1, 2, 3.5]]}' },
    );
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string[] }).status).toEqual(["solved", "solved"]);
  });

  it("answers --help through the bin shim", () => {
    const r = spawnSync(process.execPath, ["bin/optnet.js", "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: optnet/);
  });
});
