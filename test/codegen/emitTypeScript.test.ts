import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe as group, expect, it } from "vitest";
import { instantiate, type CanonicalQP } from "../../src/canon/index.js";
import { compileExampleOrSkip, exampleNames } from "./examples.js";
import { emitTypeScript } from "../../src/codegen/index.js";
import { denoiseCanon, parametricEqualityCanon, simplexCanon } from "./handBuilt.js";
import {
  MAP_NAMES,
  applyMap,
  dot,
  importModule,
  randomCanon,
  randomVector,
  seededRandom,
  type EmittedModule,
} from "./reference.js";

const cases: [string, () => CanonicalQP][] = [
  ["simplex", simplexCanon],
  ["denoise", denoiseCanon],
  ["parametric equality", parametricEqualityCanon],
  ["simplex without row provenance", () => ({ ...simplexCanon(), inequalityRows: [] })],
  ...[1, 2, 3, 4, 5, 6].map((seed): [string, () => CanonicalQP] => [
    `random #${seed}`,
    () => randomCanon(seed),
  ]),
];

async function emitAndImport(canon: CanonicalQP): Promise<EmittedModule> {
  return importModule<EmittedModule>(await emitTypeScript(canon));
}

group("emitTypeScript", () => {
  it.each(cases)(
    "%s: buildQP gives exactly the data of the affine maps, member by member",
    async (_, make) => {
      const canon = make();
      const module = await emitAndImport(canon);
      const random = seededRandom(11);
      const batch = 3;
      const theta = randomVector(random, batch * canon.parameterSize);
      const data = module.buildQP(theta, batch);
      for (const name of MAP_NAMES) {
        const map = canon[name];
        const size = map.rows * map.cols;
        expect(data[name].length).toBe(batch * size);
        for (let k = 0; k < batch; k++) {
          const expected = applyMap(map, theta, k * canon.parameterSize);
          expect(data[name].subarray(k * size, (k + 1) * size)).toEqual(expected);
        }
      }
    },
  );

  it.each(cases)("%s: gradTheta is the transpose of buildQP's parameter part", async (_, make) => {
    const canon = make();
    const module = await emitAndImport(canon);
    const random = seededRandom(23);
    const batch = 2;
    const theta = randomVector(random, batch * canon.parameterSize);
    const withTheta = module.buildQP(theta, batch);
    const constantOnly = module.buildQP(new Float64Array(theta.length), batch);
    const upstream = Object.fromEntries(
      MAP_NAMES.map((name) => [name, randomVector(random, withTheta[name].length)]),
    ) as Record<(typeof MAP_NAMES)[number], Float64Array>;
    const dTheta = module.gradTheta(
      upstream.Q,
      upstream.q,
      upstream.A,
      upstream.b,
      upstream.G,
      upstream.h,
      batch,
    );
    expect(dTheta.length).toBe(batch * canon.parameterSize);
    for (let k = 0; k < batch; k++) {
      // ⟨L(θ_k), U_k⟩ = ⟨θ_k, Lᵀ U_k⟩ for the linear part L(θ) = buildQP(θ) − buildQP(0)
      let lhs = 0;
      for (const name of MAP_NAMES) {
        const size = withTheta[name].length / batch;
        const part = withTheta[name].subarray(k * size, (k + 1) * size);
        const base = constantOnly[name].subarray(k * size, (k + 1) * size);
        const linear = part.map((v, i) => v - base[i]!);
        lhs += dot(linear, upstream[name].subarray(k * size, (k + 1) * size));
      }
      const P = canon.parameterSize;
      const rhs = dot(theta.subarray(k * P, (k + 1) * P), dTheta.subarray(k * P, (k + 1) * P));
      expect(rhs).toBeCloseTo(lhs, 10);
    }
  });

  it("gradTheta of a unit upstream gradient recovers each map coefficient", async () => {
    const canon = denoiseCanon();
    const module = await emitAndImport(canon);
    const dG = new Float64Array(canon.p * canon.n);
    dG[1 * canon.n + 2] = 1; // G[1, 2] = D[1, 2] (offset 4 + 1·4 + 2)
    dG[4 * canon.n + 2] = 1; // G[4, 2] = -D[1, 2]
    const zeros = (k: number) => new Float64Array(k);
    const dTheta = module.gradTheta(zeros(49), zeros(7), zeros(0), zeros(0), dG, zeros(14), 1);
    expect([...dTheta]).toEqual([...zeros(17)]);
    dG[4 * canon.n + 2] = 0;
    const only = module.gradTheta(zeros(49), zeros(7), zeros(0), zeros(0), dG, zeros(14), 1);
    expect(only[10]).toBe(1);
    expect(only.reduce((a, b) => a + Math.abs(b), 0)).toBe(1);
  });

  it("exports the sizes and where each parameter and variable lives", async () => {
    const module = await emitAndImport(denoiseCanon());
    expect([module.n, module.m, module.p, module.parameterSize]).toEqual([7, 0, 14, 17]);
    expect(module.parameters).toEqual([
      { name: "x", shape: [4], size: 4, offset: 0 },
      { name: "D", shape: [3, 4], size: 12, offset: 4 },
      { name: "lam", shape: [], size: 1, offset: 16 },
    ]);
    expect(module.variables).toEqual([{ name: "z", shape: [4], size: 4, column: 0, output: true }]);
  });

  it("rejects a theta whose length does not match the batch", async () => {
    const module = await emitAndImport(simplexCanon());
    expect(() => module.buildQP(new Float64Array(5), 2)).toThrow(/theta has 5 entries, expected 6/);
    expect(() => module.buildQP(new Float64Array(0), -1)).toThrow(/batch/);
  });

  it("builds an empty batch", async () => {
    const module = await emitAndImport(simplexCanon());
    const data = module.buildQP(new Float64Array(0), 0);
    expect(MAP_NAMES.map((name) => data[name].length)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("labels row ranges with their source constraint and line", async () => {
    const code = await emitTypeScript(denoiseCanon());
    expect(code).toContain("// G rows 0..5: norm1 of ||D z||_1, line 6");
    expect(code).toContain("// G rows 6..9: 0 <= z, line 7");
    expect(code).toContain("// h rows 10..13: z <= 1, line 7");
  });

  it("emits a module that needs no imports and type-checks on its own, even with unchecked indexing", async () => {
    const code = await emitTypeScript(denoiseCanon());
    expect(code).not.toMatch(/^\s*import\b/m);
    expect(code).not.toMatch(/\brequire\(/);
    const dir = mkdtempSync(join(tmpdir(), "optnet-codegen-tsc-"));
    const file = join(dir, "layer.ts");
    writeFileSync(file, code);
    const tsc = join(process.cwd(), "node_modules", ".bin", "tsc");
    const args = ["--noEmit", "--strict", "--noUncheckedIndexedAccess", "--target", "es2022"];
    const run = () =>
      execFileSync(tsc, [...args, "--module", "nodenext", file], { encoding: "utf8", cwd: dir });
    expect(run).not.toThrow();
  });
});

group("emitTypeScript on the example programs", () => {
  const examples = exampleNames();
  it.skipIf(examples.length === 0).for(examples)(
    "%s: the generated module reproduces canon's instantiate and its transpose",
    async (name, context) => {
      const canon = compileExampleOrSkip(name, context);
      const module = await emitAndImport(canon);
      const random = seededRandom(5);
      const batch = 2;
      const P = canon.parameterSize;
      const theta = randomVector(random, batch * P);
      const data = module.buildQP(theta, batch);
      const upstream = Object.fromEntries(
        MAP_NAMES.map((key) => [key, randomVector(random, data[key].length)]),
      ) as Record<(typeof MAP_NAMES)[number], Float64Array>;
      const dTheta = module.gradTheta(
        upstream.Q,
        upstream.q,
        upstream.A,
        upstream.b,
        upstream.G,
        upstream.h,
        batch,
      );
      for (let k = 0; k < batch; k++) {
        const member = theta.subarray(k * P, (k + 1) * P);
        const expected = instantiate(canon, member);
        const constant = instantiate(canon, new Float64Array(P));
        let lhs = 0;
        for (const key of MAP_NAMES) {
          const size = expected[key].length;
          expect(data[key].subarray(k * size, (k + 1) * size)).toEqual(expected[key]);
          const linear = expected[key].map((v, i) => v - constant[key][i]!);
          lhs += dot(linear, upstream[key].subarray(k * size, (k + 1) * size));
        }
        const rhs = dot(member, dTheta.subarray(k * P, (k + 1) * P));
        expect(rhs).toBeCloseTo(lhs, 9);
      }
    },
  );
});
