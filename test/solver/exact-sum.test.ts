import { describe, expect, it } from "vitest";
import { ExactSum, exactDot, productError } from "../../src/solver/exact-sum.js";

describe("double-double sums", () => {
  it("keeps each addition's rounding: 1e16 + 1 − 1e16 is 1", () => {
    const sum = new ExactSum();
    for (const x of [1e16, 1, -1e16]) sum.add(x);
    expect(sum.value()).toBe(1);
  });

  it("takes a product's error exactly: (1 + 2^-30)² − 1 − 2^-29 is 2^-60", () => {
    const a = 1 + 2 ** -30;
    expect(a * a - 1 - 2 ** -29).toBe(0);
    expect(productError(a, a, a * a)).toBe(2 ** -60);
    const sum = new ExactSum();
    sum.addProduct(a, a);
    sum.add(-1);
    sum.add(-(2 ** -29));
    expect(sum.value()).toBe(2 ** -60);
  });

  it("gives a dot product of cancelling terms of 1e10 exactly, where float64 reads 0", () => {
    // fl(1e10/3)·3 − 1e10: the stored third's error, tripled; float64 rounds the product to 1e10
    const third = 1e10 / 3;
    const x = Float64Array.from([third, 1]);
    const y = Float64Array.from([3, -1e10]);
    expect(x[0] * y[0] + x[1] * y[1]).toBe(0);
    // third = k·2^-21 with an integer k (its ulp at 3.3e9); the exact value in integers
    const k = BigInt(third * 2 ** 21);
    const exact = Number(3n * k - 10000000000n * 2n ** 21n) / 2 ** 21;
    expect(exact).not.toBe(0);
    expect(exactDot(x, 0, y, 0, 2).value()).toBe(exact);
  });
});
