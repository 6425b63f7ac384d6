import { readFileSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { CompileError, MAX_SOURCE_LENGTH } from "../dsl/index.js";
import { canonToJsonText, emitTypeScript } from "../codegen/index.js";
import { compile } from "./compile.js";
import type { LayerOutput } from "./output.js";
import { ParameterError } from "./parameter-error.js";
import type { NestedNumbers, ParameterValues } from "./values.js";

/** Where the CLI writes (and reads `--params -` from); the process's streams by default. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  /** All of standard input as text; the process's when absent. */
  input?(): string;
}

/** package.json sits two folders up from both src/runtime/cli.ts and dist/runtime/cli.js. */
function packageVersion(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    return (JSON.parse(text) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

const processOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A bad input the user can fix: printed as one message, exit code 2. */
class InputError extends Error {}

/**
 * Runs the command line (docs/LANGUAGE.md §12) and returns its exit code: 0 when every problem
 * was solved, 1 when some member was not, 2 for a compile error or bad input. Never throws.
 */
export async function runCli(
  argv: readonly string[],
  io: CliOutput = processOutput,
): Promise<number> {
  let exitCode = 0;
  const program = new Command()
    .name("optnet")
    .description("Convex quadratic programs written as text, as differentiable layers (OptNet).")
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("compile")
    .description("parse, check and canonicalize a program; print its canonical form")
    .argument("<file>", "the program (.qp)")
    .option("--dim <name=value>", "set a dim, e.g. --dim n=10 (repeatable)", collectDim)
    .addOption(
      new Option("--emit <format>", "what to print")
        .choices(["canon", "ts", "json"])
        .default("canon"),
    )
    .action(async (file: string, options: { dim?: Record<string, number>; emit: string }) => {
      const layer = compile(readSource(file), { dims: options.dim ?? {}, file });
      if (options.emit === "ts") io.out(await emitTypeScript(layer.canonical));
      else if (options.emit === "json") io.out(ensureNewline(canonToJsonText(layer.canonical)));
      else io.out(ensureNewline(layer.describe()));
    });

  program
    .command("solve")
    .description("solve a program for parameter values given as JSON (a batch with a leading axis)")
    .argument("<file>", "the program (.qp)")
    .requiredOption(
      "--params <file>",
      "JSON object mapping each parameter to its value (- reads it from standard input)",
    )
    .option("--dim <name=value>", "set a dim, e.g. --dim n=10 (repeatable)", collectDim)
    .option("--json", "print the result as JSON")
    .option("--eps <tolerance>", "solver tolerance on residuals and gap (default 1e-9)", positive)
    .option("--max-iter <count>", "solver iteration cap (default 50)", positiveInteger)
    .action((file: string, options: SolveCommandOptions) => {
      const layer = compile(readSource(file), { dims: options.dim ?? {}, file });
      const out = layer.solve(readParams(options.params, io), {
        ...(options.eps !== undefined ? { eps: options.eps } : {}),
        ...(options.maxIter !== undefined ? { maxIter: options.maxIter } : {}),
      });
      io.out(options.json === true ? `${JSON.stringify(jsonResult(out))}\n` : textResult(out));
      for (const line of warningLines(out)) io.err(`optnet: warning: ${line}\n`);
      exitCode = out.status.every((s) => s === "solved") ? 0 : 1;
    });

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliOutput): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are not errors.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CompileError) io.err(`${error.message}\n`);
  else if (error instanceof ParameterError) io.err(`optnet: ${error.message}\n`);
  else if (error instanceof InputError) io.err(`optnet: ${error.message}\n`);
  else {
    const message = error instanceof Error ? error.message : String(error);
    io.err(`optnet: unexpected error: ${message.split("\n")[0]}\n`);
  }
  return 2;
}

interface SolveCommandOptions {
  dim?: Record<string, number>;
  params: string;
  json?: boolean;
  eps?: number;
  maxIter?: number;
}

function positive(value: string): number {
  const number = Number(value);
  if (!(number > 0) || !Number.isFinite(number)) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  }
  return number;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  }
  return number;
}

function collectDim(value: string, dims: Record<string, number> = {}): Record<string, number> {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S+)\s*$/.exec(value);
  if (match === null) throw new InvalidArgumentError(`expected name=value, got "${value}"`);
  const size = Number(match[2]);
  if (!Number.isInteger(size) || size <= 0) {
    throw new InvalidArgumentError(
      `the size of ${match[1]} must be a positive integer, got "${match[2]}"`,
    );
  }
  return { ...dims, [match[1]]: size };
}

/** A parameter file above this size is refused before it is read: JSON.parse holds it twice. */
export const MAX_PARAMS_FILE_BYTES = 256 * 1024 * 1024;

/**
 * The program's text. A file above the compiler's source limit is refused from its size, before
 * it is read, with the compiler's message: a UTF-8 file of n bytes holds at most n characters,
 * and one of more than 4 × the limit has more characters than the limit allows.
 */
function readSource(file: string): string {
  const bytes = fileSize(file);
  if (bytes > 4 * MAX_SOURCE_LENGTH) {
    const message =
      `the program is ${bytes} bytes long, over the limit of ${MAX_SOURCE_LENGTH} characters ` +
      `(about 1 MB)`;
    throw new CompileError(
      [{ message, span: { line: 1, column: 1, offset: 0, length: 0 } }],
      "",
      file,
    );
  }
  return readText(file);
}

/** `--params -`: the parameters come on standard input. */
const STDIN = "-";

function readParams(file: string, io: CliOutput): ParameterValues {
  const source = file === STDIN ? "standard input" : file;
  const tooLarge = (bytes: number) =>
    new InputError(
      `${source} is ${bytes} bytes, over the limit of ${MAX_PARAMS_FILE_BYTES} bytes (256 MiB) ` +
        `for a parameter file; solve a smaller batch per file`,
    );
  if (file !== STDIN) {
    const bytes = fileSize(file);
    if (bytes > MAX_PARAMS_FILE_BYTES) throw tooLarge(bytes);
  }
  const text = file === STDIN ? readStdin(io) : readText(file);
  // A pipe has no size to check first: its text is measured once read.
  if (file === STDIN && text.length > MAX_PARAMS_FILE_BYTES) throw tooLarge(text.length);
  try {
    return JSON.parse(text) as ParameterValues;
  } catch (error) {
    throw new InputError(`${source} is not valid JSON: ${(error as Error).message}`);
  }
}

function readStdin(io: CliOutput): string {
  try {
    return io.input !== undefined ? io.input() : readFileSync(0, "utf8");
  } catch (error) {
    throw new InputError(`cannot read standard input: ${describeFsError(error)}`);
  }
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${describeFsError(error)}`);
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a directory";
  if (code === "EACCES") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}

/**
 * What `--json` prints (docs/LANGUAGE.md §12): `status`, `objective` and `variables` first, then
 * what the layer adds.
 */
export interface JsonResult {
  status: string[];
  objective: (number | null)[];
  variables: Record<string, NestedNumbers[]>;
  iterations: number[];
  /** One entry per source constraint (each link of a chain is one), in source order. */
  duals: {
    constraint: string;
    line: number;
    column: number;
    relation: "==" | "<=" | ">=";
    /** Per member, in the constraint's shape: ν for an equality, λ >= 0 for an inequality. */
    values: NestedNumbers[];
  }[];
  /** Per member, the messages of its warnings (empty when none). */
  warnings: string[][];
}

/** `{"status": [...], "objective": [...], "variables": {"z": [...]}, ...}`, one entry per member. */
export function jsonResult(out: LayerOutput): JsonResult {
  return {
    status: out.status,
    // JSON has no ±Infinity or NaN: an objective without a finite value is null.
    objective: out.objective.map((v) => (Number.isFinite(v) ? v : null)),
    variables: out.variables,
    iterations: out.iterations,
    duals: out.duals.map((d) => ({
      constraint: d.text,
      line: d.line,
      column: d.column,
      relation: d.relation,
      values: d.values,
    })),
    warnings: out.warnings.map((list) => list.map((w) => w.message)),
  };
}

/** Each warning as one line, prefixed with its member in a batch of several. */
function warningLines(out: LayerOutput): string[] {
  return out.warnings.flatMap((list, b) =>
    list.map((w) => (out.batch > 1 ? `member ${b}: ${w.message}` : w.message)),
  );
}

function textResult(out: LayerOutput): string {
  const lines: string[] = [];
  for (let b = 0; b < out.batch; b++) {
    const indent = out.batch > 1 ? "  " : "";
    if (out.batch > 1) lines.push(`member ${b}:`);
    lines.push(`${indent}status     ${out.status[b]} (${out.iterations[b]} iterations)`);
    lines.push(`${indent}objective  ${formatNumber(out.objective[b])}`);
    for (const [name, values] of Object.entries(out.variables)) {
      lines.push(`${indent}${name.padEnd(10)} ${formatValue(values[b])}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Six significant digits; entries below the solver's tolerance relative to the largest one print
 * as 0, so that a human reads `[0, 0, 1]` rather than `[-3.5e-12, 1.1e-9, 1]` (--json keeps all).
 */
function formatValue(value: NestedNumbers): string {
  const entries = [value].flat(2) as number[];
  const noise = 1e-8 * Math.max(1, ...entries.filter(Number.isFinite).map(Math.abs));
  const format = (v: NestedNumbers): string =>
    Array.isArray(v) ? `[${v.map(format).join(", ")}]` : formatNumber(Math.abs(v) < noise ? 0 : v);
  return format(value);
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(6));
  return String(Object.is(rounded, -0) ? 0 : rounded);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
