import { describe, expect, it } from "vitest";
import {
  createWasmKernelsSync,
  solveBatch,
  typescriptKernels,
  WASM_MIN_VARIABLES,
  type DenseKernels,
  type QPBatch,
  type QPBatchSolution,
} from "../../src/solver/index.js";
import { hasRelaxedSimd } from "../../src/solver/wasm/index.js";
import { relativeError } from "./helpers/dense.js";
import { createRandom, randomProblem, stackBatch, type DenseProblem } from "./helpers/problems.js";
import { randomArray, syrkRef } from "./wasm/reference.js";
import { mulberry32 } from "../../bench/lib/random.js";

const KERNELS = ["typescript", "wasm"] as const;

/** Members [from, to) of a batch whose operands are all batched. */
function sliceBatch(problem: QPBatch, from: number, to: number): QPBatch {
  const { n, m, p } = problem;
  const cut = (data: Float64Array, size: number) => ({
    data: data.slice(from * size, to * size),
    shared: false,
  });
  return {
    ...problem,
    batch: to - from,
    Q: cut(problem.Q.data, n * n),
    q: cut(problem.q.data, n),
    A: cut(problem.A.data, m * n),
    b: cut(problem.b.data, m),
    G: cut(problem.G.data, p * n),
    h: cut(problem.h.data, p),
  };
}

function expectBitwiseEqual(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      expect.fail(`${what}[${i}]: ${actual[i]} differs from ${expected[i]}`);
    }
  }
}

/** The WebAssembly kernels' name here: relaxed SIMD where the engine has it. */
const WASM_KERNELS = hasRelaxedSimd() ? "wasm-relaxed-simd" : "wasm-simd";

describe("kernel choice", () => {
  it("runs small problems on TypeScript kernels and larger ones on WebAssembly by default", () => {
    const small = solveBatch(stackBatch([randomProblem(WASM_MIN_VARIABLES - 1, 0, 4, 1)]));
    const large = solveBatch(stackBatch([randomProblem(WASM_MIN_VARIABLES, 0, 4, 1)]));
    expect(small.kernels).toBe("typescript");
    expect(large.kernels).toBe(WASM_KERNELS);
  });

  it("follows options.kernels, and a provider given as argument overrides it", () => {
    const problem = stackBatch([randomProblem(20, 2, 10, 3)]);
    expect(solveBatch(problem, { kernels: "typescript" }).kernels).toBe("typescript");
    expect(solveBatch(stackBatch([randomProblem(3, 0, 2, 3)]), { kernels: "wasm" }).kernels).toBe(
      WASM_KERNELS,
    );
    const own: DenseKernels = createWasmKernelsSync();
    expect(solveBatch(problem, { kernels: "typescript" }, own).kernels).toBe(WASM_KERNELS);
  });

  it("reports the workspace bytes, which grow linearly with the batch", () => {
    const problems = [1, 2, 3, 4].map((seed) => randomProblem(15, 3, 20, seed));
    const bytes = [1, 2, 4].map(
      (size) => solveBatch(stackBatch(problems.slice(0, size))).workspaceBytes!,
    );
    // at least Q, G and the factor L of every member
    expect(bytes[0]).toBeGreaterThan(8 * (2 * 15 * 15 + 20 * 15));
    expect(bytes[2] - bytes[1]).toBe(2 * (bytes[1] - bytes[0]));
  });

  it("keeps a WebAssembly solution's backward pass valid after later solves", () => {
    const problem = stackBatch([randomProblem(16, 2, 24, 5), randomProblem(16, 2, 24, 6)]);
    const upstream = Float64Array.from({ length: 32 }, createRandom(8).normal);
    const first = solveBatch(problem, { kernels: "wasm" });
    const fresh = solveBatch(problem, { kernels: "wasm" }).backward(upstream);
    for (let seed = 10; seed < 15; seed++) {
      solveBatch(stackBatch([randomProblem(16, 2, 24, seed)]), { kernels: "wasm" });
    }
    const late = first.backward(upstream);
    for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
      expectBitwiseEqual(late[key]!, fresh[key]!, key);
    }
  });
});

describe.each(KERNELS)("per-member independence, %s kernels", (kernels) => {
  // members of different sizes of z, an infeasible one and one that hits the iteration cap
  const problems = [0, 1, 2, 3, 4, 5].map((k) => randomProblem(14, 2, 20, 300 + k));
  problems[2] = { ...problems[2], b: problems[2].b.map((v) => 1e3 * v) };
  problems[4].h[0] = -1e3;
  problems[4].G.fill(0, 0, 14);

  it("solves a slice of a batch bitwise like the same members inside the whole batch", () => {
    const whole = stackBatch(problems);
    const upstream = Float64Array.from({ length: 6 * 14 }, createRandom(4).normal);
    const full = solveBatch(whole, { kernels });
    const part = solveBatch(sliceBatch(whole, 2, 5), { kernels });
    expect(full.status.slice(2, 5)).toEqual(part.status);
    expect(part.status).toContain("infeasible");
    const members = (s: QPBatchSolution, data: Float64Array, size: number, from: number) =>
      data.subarray(from * size, (from + 3) * size);
    for (const [key, size] of [
      ["z", 14],
      ["lam", 20],
      ["nu", 2],
      ["s", 20],
    ] as const) {
      expectBitwiseEqual(part[key], members(full, full[key], size, 2), key);
    }
    expectBitwiseEqual(part.iterations, full.iterations.subarray(2, 5), "iterations");
    const fullGrads = full.backward(upstream);
    const partGrads = part.backward(upstream.slice(2 * 14, 5 * 14));
    for (const [key, size] of [
      ["Q", 14 * 14],
      ["G", 20 * 14],
      ["h", 20],
      ["A", 2 * 14],
    ] as const) {
      expectBitwiseEqual(partGrads[key]!, fullGrads[key]!.subarray(2 * size, 5 * size), key);
    }
  });

  it("gives a member the same iterations whatever the other members need", () => {
    const capped = solveBatch(stackBatch(problems), { kernels, maxIter: 3 });
    const alone = solveBatch(stackBatch([problems[0]]), { kernels, maxIter: 3 });
    expect(capped.iterations[0]).toBe(alone.iterations[0]);
    expectBitwiseEqual(capped.z.subarray(0, 14), alone.z, "z");
  });
});

/** A random QP whose G ends with bound rows: z_j ≤ u_j for some j, −z_j ≤ −l_j for others. */
function withBounds(base: DenseProblem, bounds: [column: number, sign: number][], seed: number) {
  const random = createRandom(seed);
  const { n, p } = base;
  const rows = p + bounds.length;
  const G = new Float64Array(rows * n);
  G.set(base.G);
  const h = new Float64Array(rows);
  h.set(base.h);
  bounds.forEach(([column, sign], t) => {
    G[(p + t) * n + column] = sign;
    // sign·z_j ≤ h with h > 0: the origin is strictly feasible, and some bounds are active
    h[p + t] = 0.05 + 0.3 * Math.abs(random.normal());
  });
  // the origin strictly feasible on the general rows too
  for (let i = 0; i < p; i++) h[i] = Math.abs(h[i]) + 0.1;
  const problem: DenseProblem = { ...base, p: rows, G, h };
  const structure = {
    boundRows: {
      row: Int32Array.from(bounds, (_, t) => p + t),
      column: Int32Array.from(bounds, ([column]) => column),
      sign: Float64Array.from(bounds, ([, sign]) => sign),
    },
  };
  return { problem, structure };
}

describe.each(KERNELS)("bound rows given as structure, %s kernels", (kernels) => {
  const cases = [
    { n: 16, m: 3, p: 10, bounds: 16 },
    { n: 12, m: 0, p: 0, bounds: 24 },
    { n: 20, m: 5, p: 4, bounds: 30 },
  ];
  it.each(cases)(
    "n=$n m=$m p=$p with $bounds bound rows: same solution and gradients as dense",
    ({ n, m, p, bounds }) => {
      const built = [0, 1, 2].map((k) => {
        const list: [number, number][] = Array.from({ length: bounds }, (_, t) => [
          (t * 7) % n,
          t < n ? 1 : -1,
        ]);
        return withBounds(randomProblem(n, m, p, 900 + 10 * n + k), list, k);
      });
      const dense = stackBatch(built.map((b) => b.problem));
      const structured = { ...dense, structure: built[0].structure };
      // every member has the same bound rows
      built.forEach((b) => expect(b.structure).toEqual(built[0].structure));
      const upstream = Float64Array.from({ length: 3 * n }, createRandom(n).normal);
      const a = solveBatch(dense, { kernels });
      const b = solveBatch(structured, { kernels });
      expect(b.status).toEqual(["solved", "solved", "solved"]);
      expect(a.status).toEqual(b.status);
      expect(relativeError(b.z, a.z)).toBeLessThan(1e-8);
      expect(relativeError(b.lam, a.lam)).toBeLessThan(1e-6);
      expect(Math.max(...b.iterations)).toBeLessThanOrEqual(Math.max(...a.iterations) + 1);
      const ga = a.backward(upstream);
      const gb = b.backward(upstream);
      for (const key of ["Q", "q", "A", "b", "G", "h"] as const) {
        expect(relativeError(gb[key]!, ga[key]!), key).toBeLessThan(1e-6);
      }
    },
  );

  it("rejects bound rows that G's data contradicts, naming the entry", () => {
    const { problem, structure } = withBounds(randomProblem(5, 0, 3, 1), [[2, 1]], 1);
    const batch = { ...stackBatch([problem]), structure };
    batch.G.data[3 * 5 + 1] = 0.5;
    expect(() => solveBatch(batch, { kernels })).toThrow(/G\[3, 1\] = 0.5/);
    const twice = {
      ...stackBatch([problem]),
      structure: {
        boundRows: {
          row: Int32Array.from([3, 3]),
          column: Int32Array.from([2, 2]),
          sign: Float64Array.from([1, 1]),
        },
      },
    };
    expect(() => solveBatch(twice, { kernels })).toThrow(/row 3 twice/);
  });
});

describe("the fused kernels syrkPlus, scaleColumns and gemvPair", () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 9, 13])("agree with the reference at k = %i", (k) => {
    const random = mulberry32(k);
    const n = 7 + (k % 3);
    const wasm = createWasmKernelsSync();
    for (const kernels of [typescriptKernels, wasm]) {
      const X = kernels.alloc(k * n);
      X.set(randomArray(random, k * n));
      const C = kernels.alloc(k * k);
      C.set(randomArray(random, k * k));
      const out = kernels.alloc(k * k).fill(99);
      kernels.syrkPlus!(X, 0, k, n, C, 0, out, 0);
      const expected = new Float64Array(k * k);
      syrkRef(X, k, n, expected);
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          const want = j <= i ? expected[i * k + j] + C[i * k + j] : 99;
          expect(Math.abs(out[i * k + j] - want), `${kernels.name} (${i}, ${j})`).toBeLessThan(
            1e-13 * Math.max(1, Math.abs(want)),
          );
        }
      }
      const d = kernels.alloc(n);
      d.set(randomArray(random, n));
      const scaled = kernels.alloc(k * n);
      kernels.scaleColumns!(X, 0, k, n, d, 0, scaled, 0);
      for (let i = 0; i < k * n; i++) expect(scaled[i]).toBe(X[i] * d[i % n]);
    }
  });

  it.each([
    [1, 1],
    [2, 3],
    [5, 4],
    [7, 9],
    [10, 10],
  ])("gemvPair on %i×%i: y = M x, v = d∘y + c, out = beta·out + Mᵀv", (rows, cols) => {
    const random = mulberry32(rows * 31 + cols);
    for (const kernels of [typescriptKernels, createWasmKernelsSync()]) {
      for (const scaled of [true, false]) {
        const take = (length: number) => {
          const buffer = kernels.alloc(length);
          buffer.set(randomArray(random, length));
          return buffer;
        };
        const [M, x, d, c, out] = [
          take(rows * cols),
          take(cols),
          take(rows),
          take(rows),
          take(cols),
        ];
        const [y, v] = [kernels.alloc(rows), kernels.alloc(rows)];
        const before = out.slice();
        kernels.gemvPair!(
          M,
          0,
          rows,
          cols,
          x,
          0,
          y,
          0,
          scaled ? d : null,
          0,
          c,
          0,
          v,
          0,
          0.5,
          out,
          0,
        );
        for (let i = 0; i < rows; i++) {
          let yi = 0;
          for (let j = 0; j < cols; j++) yi += M[i * cols + j] * x[j];
          expect(Math.abs(y[i] - yi)).toBeLessThan(1e-13 * Math.max(1, Math.abs(yi)) * cols);
          expect(v[i]).toBe(scaled ? d[i] * y[i] + c[i] : c[i]);
        }
        for (let j = 0; j < cols; j++) {
          let want = 0.5 * before[j];
          for (let i = 0; i < rows; i++) want += M[i * cols + j] * v[i];
          expect(Math.abs(out[j] - want), `${kernels.name} ${j}`).toBeLessThan(1e-12);
        }
      }
    }
  });
});
