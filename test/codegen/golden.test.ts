import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe as group, expect, it } from "vitest";
import type { CanonicalQP } from "../../src/canon/index.js";
import { canonToJsonText, describe, emitTypeScript } from "../../src/codegen/index.js";
import { compileExampleOrSkip, exampleNames } from "./examples.js";
import { denoiseCanon, parametricEqualityCanon, simplexCanon } from "./handBuilt.js";

/**
 * What users read (the description, the generated module, the JSON) is pinned by golden files
 * so that a reviewer sees every change in the diff. `UPDATE_GOLDEN=1` rewrites them.
 */
const GOLDEN_DIR = join(import.meta.dirname, "golden");
const update = process.env.UPDATE_GOLDEN === "1";

const renderings: [suffix: string, render: (canon: CanonicalQP) => string | Promise<string>][] = [
  ["describe.txt", describe],
  ["generated.ts", emitTypeScript],
  ["json", canonToJsonText],
];

const handBuilt: [string, () => CanonicalQP][] = [
  ["hand-simplex", simplexCanon],
  ["hand-denoise", denoiseCanon],
  ["hand-parametric", parametricEqualityCanon],
];

const examples = exampleNames();

async function checkGolden(name: string, canon: CanonicalQP): Promise<void> {
  for (const [suffix, render] of renderings) {
    const file = join(GOLDEN_DIR, `${name}.${suffix}`);
    const actual = await render(canon);
    if (update) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, actual);
      continue;
    }
    expect(
      existsSync(file),
      `${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/codegen`,
    ).toBe(true);
    expect(actual, `${file} differs: if the change is intended, rerun with UPDATE_GOLDEN=1`).toBe(
      readFileSync(file, "utf8"),
    );
  }
}

group("golden renderings", () => {
  it.each(handBuilt)("%s matches its golden files", async (name, make) => {
    await checkGolden(name, make());
  });

  if (examples.length > 0) {
    it.for(examples)("examples/%s.qp matches its golden files", async (name, context) => {
      await checkGolden(`example-${name}`, compileExampleOrSkip(name, context));
    });
  }
});
