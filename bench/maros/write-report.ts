/**
 * Regenerates the Markdown page from a results file:
 *   node --import tsx bench/maros/write-report.ts [results.json] [MAROS.md]
 */

import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import prettier from "prettier";
import { marosReport } from "./report.js";
import type { MarosResults } from "./results.js";

/** The page, formatted as the repository's prettier would so that a committed page stays clean. */
export async function formattedReport(results: MarosResults): Promise<string> {
  return prettier.format(marosReport(results), { parser: "markdown", printWidth: 100 });
}

export async function writeReport(results: MarosResults, path: string): Promise<void> {
  writeFileSync(path, await formattedReport(results));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [input = "bench/maros/results.json", output = "bench/MAROS.md"] = process.argv.slice(2);
  const results = JSON.parse(readFileSync(input, "utf8")) as MarosResults;
  await writeReport(results, output);
  console.error(`${output} written from ${input}`);
}
