import { describe, expect, it } from "vitest";
import { createRandom } from "../../examples/experiments/lib/random.js";

describe("seeded random generator", () => {
  it("repeats the same sequence for the same seed and differs for another seed", () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it("draws integers inside the closed range, reaching both ends", () => {
    const random = createRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(random.int(10, 14));
    expect([...seen].sort()).toEqual([10, 11, 12, 13, 14]);
  });

  it("samples distinct indices", () => {
    const picked = createRandom(3).sample(16, 8);
    expect(new Set(picked).size).toBe(8);
    expect(picked.every((i) => i >= 0 && i < 16)).toBe(true);
  });

  it("draws normals with mean 0 and variance 1", () => {
    const random = createRandom(5);
    const draws = Array.from({ length: 40_000 }, () => random.normal());
    const mean = draws.reduce((s, v) => s + v, 0) / draws.length;
    const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / draws.length;
    // standard errors: 0.005 for the mean, about 0.007 for the variance
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });
});
