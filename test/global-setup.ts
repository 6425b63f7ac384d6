/**
 * Before the suite: the WebAssembly kernels are rebuilt where they are missing or older than
 * asm/kernels.ts, so that a change to the kernels is tested without a manual build (the library
 * itself only loads the built file).
 */
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("../", import.meta.url);
const source = fileURLToPath(new URL("asm/kernels.ts", root));
const built = [
  "kernels.wasm",
  "kernels-shared.wasm",
  "kernels-relaxed.wasm",
  "kernels-shared-relaxed.wasm",
].map((file) => fileURLToPath(new URL(`src/solver/wasm/${file}`, root)));

export default function setup(): void {
  const stale = built.some(
    (path) => !existsSync(path) || statSync(path).mtimeMs < statSync(source).mtimeMs,
  );
  if (!stale) return;
  execFileSync(process.execPath, [fileURLToPath(new URL("scripts/build-wasm.mjs", root))], {
    stdio: "inherit",
  });
}
