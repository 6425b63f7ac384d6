import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";

/** Node's built-ins, as an import names them. */
const NODE_BUILTIN =
  /^(?:node:.+|fs|fs\/promises|path|os|url|module|worker_threads|child_process)$/;
/** `import … from "node:…"`, `import("node:…")` or `require("node:…")` left in the output. */
const NODE_IMPORT =
  /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`](?:node:[\w/]+|fs|path|os|url|module|worker_threads|child_process)["'`]/;

export interface Bundle {
  /** Every file written, relative to the output folder. */
  files: string[];
  /** The text of each .js file. */
  js: string[];
  /**
   * Every import of a Node built-in the bundler was asked to resolve, with its importer: Vite
   * replaces each by an empty stub for the browser (with a warning only), so the output alone
   * would not show them.
   */
  nodeImports: string[];
}

/** Builds the page in `root` (index.html) for the browser, as an application's Vite would. */
export async function bundlePage(root: string): Promise<Bundle> {
  const { build } = await import("vite");
  const nodeImports: string[] = [];
  const outDir = join(root, "dist");
  const recordNodeImports = {
    name: "record-node-imports",
    enforce: "pre" as const,
    resolveId(source: string, importer: string | undefined) {
      if (NODE_BUILTIN.test(source)) nodeImports.push(`${source} from ${importer}`);
      return null;
    },
  };
  await build({
    root,
    configFile: false,
    logLevel: "warn",
    plugins: [recordNodeImports],
    build: { outDir, target: "es2022" },
    server: { fs: { strict: false } },
  });
  const files = readdirSync(outDir, { recursive: true }).map(String);
  const js = files
    .filter((f) => f.endsWith(".js"))
    .map((f) => readFileSync(join(outDir, f), "utf8"));
  return { files, js, nodeImports };
}

/** What a bundle must hold for a page: no Node, the kernels, nothing else from the sources. */
export function expectBrowserReady(bundle: Bundle): void {
  expect(bundle.nodeImports).toEqual([]);
  expect(bundle.js.length).toBeGreaterThan(0);
  for (const text of bundle.js) expect(text).not.toMatch(NODE_IMPORT);
  // plain and shared memory, each also in relaxed SIMD
  expect(bundle.files.filter((f) => /kernels-[\w-]+\.wasm$/.test(f))).toHaveLength(4);
  // Only the page, its scripts and the kernels: no source file taken for an asset.
  expect(bundle.files.filter((f) => !/\.(js|wasm|html)$/.test(f) && f !== "assets")).toEqual([]);
}
