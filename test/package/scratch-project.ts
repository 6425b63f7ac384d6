import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const repoModules = realpathSync(join(repoRoot, "node_modules"));

/**
 * What the copy that is packed leaves out: the tarball is built from the sources alone, and the
 * repository's own dist/ (which bin/optnet.js prefers when it exists) is never written.
 */
const NOT_COPIED = new Set([
  ".git",
  "node_modules",
  "dist",
  "test",
  "bench",
  "data",
  "docs",
  "tmp",
]);

export interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  exports?: Record<string, unknown>;
}

/** A project that has installed the packed tarball, as a user's would. */
export interface ScratchProject {
  /** The temporary folder holding the copy that was packed, the tarball and the project. */
  root: string;
  /** The project. */
  dir: string;
  /** The package.json inside the tarball. */
  packed: PackageJson;
  /** The tarball's file names, relative to the package root. */
  files: string[];
  /** Seconds `npm pack` took, the prepare script's build included. */
  packSeconds: number;
}

export function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  if (result.error !== undefined) throw result.error;
  return result;
}

function runOrThrow(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout;
}

/**
 * Packs the repository with `npm pack` (its `prepare` script builds dist/ and the WebAssembly
 * kernels) from a copy of the sources, then unpacks the tarball into node_modules/optnet of a
 * new project. The dependencies and the tfjs peer are links to the repository's installed ones,
 * so nothing is downloaded: what is tested is the tarball's contents, its package.json and its
 * typings, against the same versions the repository tests.
 */
export function packIntoScratchProject(): ScratchProject {
  const work = mkdtempSync(join(tmpdir(), "optnet-pack-"));
  const source = join(work, "source");
  mkdirSync(source);
  for (const entry of readdirSync(repoRoot)) {
    if (!NOT_COPIED.has(entry))
      cpSync(join(repoRoot, entry), join(source, entry), { recursive: true });
  }
  symlinkSync(repoModules, join(source, "node_modules"), "junction");

  const started = performance.now();
  const report = runOrThrow("npm", ["pack", "--json", "--pack-destination", work], source);
  const packSeconds = (performance.now() - started) / 1000;
  // npm prints the prepare script's output before the JSON report.
  const [packResult] = JSON.parse(report.slice(report.indexOf("[\n"))) as {
    filename: string;
    files: { path: string }[];
  }[];

  const dir = join(work, "project");
  const installed = join(dir, "node_modules", "optnet");
  mkdirSync(installed, { recursive: true });
  runOrThrow(
    "tar",
    ["-xzf", join(work, packResult.filename), "-C", installed, "--strip-components=1"],
    work,
  );
  const packed = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as PackageJson;

  const linked = [
    ...Object.keys(packed.dependencies ?? {}),
    ...Object.keys(packed.peerDependencies ?? {}),
    "@types/node",
  ];
  for (const name of linked) {
    const link = join(dir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(join(repoModules, name)), link, "junction");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "scratch", private: true }));
  return { root: work, dir, packed, files: packResult.files.map((f) => f.path), packSeconds };
}
