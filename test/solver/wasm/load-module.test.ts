import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const srcDir = new URL("../../../src/", import.meta.url);

function sources(dir: URL): URL[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(new URL(`${entry.name}/`, dir))
      : entry.name.endsWith(".ts")
        ? [new URL(entry.name, dir)]
        : [],
  );
}

describe("the WebAssembly kernels are built, never compiled by the library", () => {
  it("no module of the library runs a child process (the .wasm comes from npm run build)", () => {
    const spawning = sources(srcDir)
      .filter((file) => /from "node:child_process"/.test(readFileSync(file, "utf8")))
      .map((file) => file.pathname.slice(srcDir.pathname.length));
    expect(spawning).toEqual([]);
  });
});
