/**
 * Where the small-member kernels decline a factorization (kkt/small-wasm.ts factorSmallMember:
 * a failed pivot, too many heavy rows), the iteration starts over on the general measures and
 * forms with the iterate unchanged. Here every other one of their factorizations is declined.
 */
import { describe, expect, it, vi } from "vitest";
import { solveBatch } from "../../src/solver/index.js";
import { relativeError } from "./helpers/dense.js";
import { randomProblem, stackBatch } from "./helpers/problems.js";

let calls = 0;
vi.mock("../../src/solver/kkt/small-wasm.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/solver/kkt/small-wasm.js")>();
  return {
    ...original,
    factorSmallMember: (...args: Parameters<typeof original.factorSmallMember>) =>
      ++calls % 2 === 0 ? false : original.factorSmallMember(...args),
  };
});

describe("small dense members whose kernels decline a factorization", () => {
  it("take that iteration on the general forms, to the general path's answer", () => {
    const n = 10;
    const batch = stackBatch([1, 2, 3, 4].map((seed) => randomProblem(n, 0, n, seed)));
    const declined = solveBatch(batch);
    const general = solveBatch(batch, { kernels: "typescript" });
    expect(calls).toBeGreaterThan(8);
    expect(declined.status).toEqual(general.status);
    expect(declined.status.every((s) => s === "solved")).toBe(true);
    expect(Array.from(declined.iterations)).toEqual(Array.from(general.iterations));
    expect(relativeError(declined.z, general.z)).toBeLessThan(1e-9);
  });
});
