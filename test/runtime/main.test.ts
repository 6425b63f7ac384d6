import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";

it("npm start compiles, solves and trains, the loss falling at least 10-fold", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/runtime/main.ts"], {
    encoding: "utf8",
  });
  // stderr carries only the progress bar.
  expect(r.stderr).not.toMatch(/error|\n\s+at /i);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/minimize 1\/2 z'Qz \+ q'z/);
  expect(r.stdout.match(/^\s+\d+\s+solved\s/gm)).toHaveLength(4);
  const factor = Number(/\(([\d.]+)x lower\)/.exec(r.stdout)?.[1]);
  expect(factor).toBeGreaterThanOrEqual(10);
});
