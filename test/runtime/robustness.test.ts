import { mkdtempSync, openSync, closeSync, ftruncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_SOURCE_LENGTH } from "../../src/dsl/index.js";
import { compile, ParameterError } from "../../src/runtime/index.js";
import { MAX_PARAMS_FILE_BYTES, runCli } from "../../src/runtime/cli.js";
import { estimateWorkspace, membersPerChunk } from "../../src/runtime/memory.js";
import { readParameters } from "../../src/runtime/parameters.js";
import { buildBatch, prepareProblem } from "../../src/runtime/problem.js";
import { solveProblem } from "../../src/runtime/solve.js";
import { solveBatch, type QPBatch } from "../../src/solver/index.js";
import { seededRandom, spd, vector } from "./helpers/random.js";

const dir = mkdtempSync(join(tmpdir(), "optnet-robust-"));
const simplexSource =
  "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0\n  1'z = 1\n";
const simplex = compile(simplexSource);

function thrownBy(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** A file of `bytes` bytes that takes no disk space (sparse): reading it would be the bug. */
function sparseFile(name: string, bytes: number): string {
  const path = join(dir, name);
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

describe("parameter values nested too deep or ragged", () => {
  it("refuses a value nested 100,000 levels deep with a ParameterError naming it", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const error = thrownBy(() => simplex.solve({ x: deep as number[] }));
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as ParameterError).parameter).toBe("x");
    expect((error as ParameterError).message).toMatch(
      /parameter x: expected shape \[3\] or \[batch, 3\], got an array nested at least 9 levels deep/,
    );
  });

  it("says so from the CLI, not as an unexpected error", async () => {
    const params = join(dir, "deep.json");
    writeFileSync(params, `{"x": ${"[".repeat(100_000)}1${"]".repeat(100_000)}}`);
    const program = join(dir, "simplex.qp");
    writeFileSync(program, simplexSource);
    const r = await cli("solve", program, "--params", params);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^optnet: parameter x: expected shape \[3\]/);
    expect(r.stderr).not.toMatch(/unexpected/);
  });

  it("names the member of a ragged batch", () => {
    const error = thrownBy(() =>
      simplex.solve({
        x: [
          [1, 2, 3],
          [1, 2],
        ],
      }),
    );
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as ParameterError).member).toBe(1);
    expect((error as ParameterError).message).toMatch(
      /parameter x: ragged array in member 1: a list at depth 1 has length 2/,
    );
  });

  it("names the member of a batch ragged deeper down", () => {
    const layer = compile(
      "dim n = 2\nparameter P[n, n] psd\nvariable z[n]\nminimize quad_form(z, P) + sum(z)\ns.t. z >= 0",
    );
    const I = [
      [1, 0],
      [0, 1],
    ];
    const error = thrownBy(() => layer.solve({ P: [I, I, [[1, 0], [0]]] }));
    expect((error as ParameterError).member).toBe(2);
  });
});

describe("the CLI checks file sizes before reading", () => {
  it("refuses a program file over the source limit from its size, with the compiler's message", async () => {
    // 5 GB: reading it would fail with a different message (Node cannot read it into a string)
    const r = await cli("compile", sparseFile("huge.qp", 5 * 1024 ** 3));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(
        `huge\\.qp:1:1: error: the program is 5368709120 bytes long, over the limit of ${MAX_SOURCE_LENGTH} characters`,
      ),
    );
  });

  it("refuses a parameter file over its limit without reading it", async () => {
    const program = join(dir, "simplex2.qp");
    writeFileSync(program, simplexSource);
    const params = sparseFile("huge.json", MAX_PARAMS_FILE_BYTES + 1);
    const r = await cli("solve", program, "--params", params);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/huge\.json is 268435457 bytes, over the limit of 268435456 bytes/);
  });
});

/** A batch of random strictly convex QPs with inequalities, Q shared or per member. */
function randomBatch(batch: number, n: number, sharedQ: boolean): QPBatch {
  const rand = seededRandom(11);
  const p = n;
  const members = sharedQ ? 1 : batch;
  const Q = Float64Array.from(Array.from({ length: members }, () => spd(rand, n).flat()).flat());
  const G = Float64Array.from(Array.from({ length: p * n }, () => rand() * 2 - 1));
  return {
    batch,
    n,
    m: 0,
    p,
    Q: { data: Q, shared: sharedQ },
    q: { data: Float64Array.from(vector(rand, batch * n)), shared: false },
    A: { data: new Float64Array(0), shared: true },
    b: { data: new Float64Array(0), shared: true },
    G: { data: G, shared: true },
    h: {
      data: Float64Array.from(Array.from({ length: batch * p }, () => 1 + rand())),
      shared: false,
    },
  };
}

function simplexBatch(n: number, batch: number): QPBatch {
  const layer = compile(simplexSource, { dims: { n } });
  const prepared = prepareProblem(layer.canonical);
  const x = Float64Array.from(vector(seededRandom(3), batch * n));
  const params = readParameters(layer.canonical.parameters, layer.canonical.parameterSize, { x });
  return buildBatch(prepared, params);
}

describe("a batch too large for one solve's memory", () => {
  const problem = randomBatch(7, 18, false);
  const { perMember, shared } = estimateWorkspace(problem);

  it("is solved in chunks with the same solution and gradients as one solve", () => {
    const limits = { chunkBytes: shared + 3 * perMember, memberBytes: 1e12, totalBytes: 1e12 };
    expect(membersPerChunk(problem, limits)).toBe(3);
    const whole = solveBatch(problem);
    const chunked = solveProblem(problem, {}, false, limits);
    expect(chunked.status).toEqual(whole.status);
    expect(Array.from(chunked.z)).toEqual(Array.from(whole.z));
    expect(Array.from(chunked.lam)).toEqual(Array.from(whole.lam));
    expect(Array.from(chunked.iterations)).toEqual(Array.from(whole.iterations));
    const dz = Float64Array.from(vector(seededRandom(5), problem.batch * problem.n));
    const request = { Q: true, q: true, G: true, h: true };
    const gWhole = whole.backward(dz, request);
    const gChunked = chunked.backward(dz, request);
    for (const key of ["Q", "q", "G", "h"] as const) {
      expect(Array.from(gChunked[key]!)).toEqual(Array.from(gWhole[key]!));
    }
  });

  it("refuses a batch over the total limit, stating its size, the bytes and a batch that fits", () => {
    const limits = { chunkBytes: 1e12, memberBytes: 1e12, totalBytes: shared + 4.5 * perMember };
    const error = thrownBy(() => solveProblem(problem, {}, false, limits));
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `a batch of 7 \\(n = 18, m = 0, p = 18\\) needs about .*\\(${shared + 7 * perMember} bytes\\).*solve batches of at most 4 members`,
      ),
    );
  });

  it("refuses a member that alone exceeds the per-solve limit", () => {
    const limits = { chunkBytes: 1e12, memberBytes: perMember, totalBytes: 1e12 };
    const error = thrownBy(() => solveProblem(problem, {}, false, limits));
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as Error).message).toMatch(
      /one member \(n = 18, m = 0, p = 18\) needs about .* per solve/,
    );
  });

  it.each([
    ["random inequality QPs with Q per member", () => problem],
    ["a layer with bounds and an equality (simplex, n = 30)", () => simplexBatch(30, 5)],
  ])("estimates at least the workspace the solver reports: %s", (_, make) => {
    const batch = make();
    const estimate = estimateWorkspace(batch);
    const solution = solveBatch(batch, { kernels: "wasm" });
    expect(solution.workspaceBytes).toBeGreaterThan(0);
    expect(estimate.shared + batch.batch * estimate.perMember).toBeGreaterThanOrEqual(
      solution.workspaceBytes!,
    );
  });

  it("refuses the layer's batch of 2,000 at n = 2000 before solving (hundreds of GB)", () => {
    const layer = compile(
      "dim n = 2000\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0\n  sum(z) = 1",
    );
    const x = new Float64Array(2000 * 2000);
    const error = thrownBy(() => layer.solve({ x }));
    expect(error).toBeInstanceOf(ParameterError);
    expect((error as Error).message).toMatch(
      /a batch of 2000 \(n = 2000, m = 1, p = 2000\) needs about [\d.]+ GB/,
    );
  });
});
