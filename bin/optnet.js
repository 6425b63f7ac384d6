#!/usr/bin/env node
// The optnet command: the built CLI from dist/ when there is one, else the TypeScript sources
// through tsx (a development checkout before `npm run build`).
import { existsSync } from "node:fs";

const built = new URL("../dist/runtime/cli.js", import.meta.url);
let cli;
if (existsSync(built)) {
  cli = await import(built.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import(new URL("../src/runtime/cli.ts", import.meta.url).href);
}
process.exitCode = await cli.runCli(process.argv.slice(2));
