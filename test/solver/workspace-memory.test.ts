/**
 * The workspace leaves its data, factors and range-space cache unzeroed (workspace.ts,
 * WRITTEN_BEFORE_READ): kernel memory reused from an earlier solve holds that solve's numbers
 * there. A provider that fills every entry `alloc` is not asked to zero with NaN shows that no path
 * reads one before writing it: each example program's batch and the paper's problems (every KKT
 * form between them) solve and differentiate bit for bit as on zeroed memory.
 */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { randomBatch, randomUpstream } from "../../bench/lib/generator.js";
import {
  createWasmKernelsSync,
  typescriptKernels,
  type DenseKernels,
  type QPBatch,
} from "../../src/solver/index.js";
import { solveBatch } from "../../src/solver/pdipm.js";
import { EXAMPLES_DIR, exampleBatch } from "../runtime/helpers/examples.js";

/** `base` whose buffers hold NaN wherever `alloc` does not promise a zero. */
function poisoning(base: DenseKernels): { kernels: DenseKernels; poisoned: () => number } {
  let poisoned = 0;
  const kernels = Object.create(base) as DenseKernels;
  kernels.alloc = (length: number, zeroed = length) => {
    const buffer = base.alloc(length, zeroed);
    buffer.fill(NaN, Math.min(length, zeroed));
    poisoned += Math.max(0, length - zeroed);
    return buffer;
  };
  return { kernels, poisoned: () => poisoned };
}

/** Everything a solve and its backward pass return, as plain numbers. */
function outcome(problem: QPBatch, kernels: DenseKernels) {
  const solution = solveBatch(problem, {}, kernels);
  const gradients = solution.backward(randomUpstream(problem.batch, problem.n, 3));
  return {
    status: solution.status,
    iterations: Array.from(solution.iterations),
    z: Array.from(solution.z),
    lam: Array.from(solution.lam),
    nu: Array.from(solution.nu),
    gradients: Object.fromEntries(
      Object.entries(gradients).map(([name, values]) => [name, Array.from(values)]),
    ),
  };
}

const PROBLEMS: [string, () => QPBatch][] = [
  ...readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith(".qp"))
    .sort()
    .map((file): [string, () => QPBatch] => [file, () => exampleBatch(file, [1, 2, 3])]),
  ["the paper's QPs at n = p = 10", () => randomBatch(4, 10, 10, 1)],
  ["the paper's QPs at n = p = 60 (range-space)", () => randomBatch(3, 60, 60, 2)],
  ["the paper's QPs at n = 40, p = 20, m = 5", () => randomBatch(3, 40, 20, 3, { m: 5 })],
];

describe.each([
  ["wasm", () => createWasmKernelsSync()],
  ["typescript", () => typescriptKernels],
] as const)("unzeroed workspace memory (%s kernels)", (_, makeKernels) => {
  it.each(PROBLEMS)("%s: the same solution and gradients on memory full of NaN", (_, make) => {
    const problem = make();
    const base = makeKernels();
    const { kernels, poisoned } = poisoning(base);
    expect(outcome(problem, kernels)).toEqual(outcome(problem, base));
    // the poison reached the factors and the data, not only padding
    expect(poisoned()).toBeGreaterThan(problem.batch * problem.n * problem.n);
  });
});
