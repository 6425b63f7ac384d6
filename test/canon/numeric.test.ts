import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, readExample } from "./helpers/compile.js";
import { compareWithSource, makeRng, sample } from "./helpers/numeric.js";

const EXAMPLES = readdirSync(new URL("../../examples/", import.meta.url)).filter((f) =>
  f.endsWith(".qp"),
);

// Programs that exercise every atom, sugar and lowering path (direct expansion, auxiliaries,
// parameter coefficients, maximize, chains, slices, matrices).
const INLINE: [string, string][] = [
  [
    "least squares with a parameter matrix and an l1 penalty",
    "dim n = 4; dim m = 3; parameter A[m,n]; parameter y[m]; variable z[n]\nminimize ||A z - y||^2 + 0.1*||z||_1 s.t. -1 <= z <= 1",
  ],
  [
    "a scaled quadratic form with a psd parameter",
    "dim n = 3; parameter P[n,n] psd; parameter q[n]; variable z[n]\nminimize 0.5*z' P z + q'z s.t. abs(z) <= 1",
  ],
  [
    "quad_form of an affine argument, max and min",
    "dim n = 3; parameter P[n,n] psd; variable z[n]\nminimize quad_form(z - 1, P) + max(z) - min(z[0:2])",
  ],
  [
    "a nonneg weight on a squared distance, huber, norm_inf, pos",
    "dim n = 4; parameter x[n]; parameter lam nonneg; variable z[n]\nminimize lam*||z - x||^2 + sum(huber(z, 0.5)) + norm_inf(z - x) + sum(pos(x - z))",
  ],
  [
    "maximize a concave objective with min in constraints",
    "dim n = 3; parameter x[n]; variable z[n]; variable t\nmaximize min(z) - square(t) + x'z - 2*abs(t - 1) s.t. z <= 1, sum(abs(z)) <= 2, t <= min(z[0], 3)",
  ],
  [
    "sum_squares of abs, dot, division by a parameter, elementwise max",
    "dim n = 3; parameter x[n]; parameter lam nonneg; variable z[n]\nminimize sum_squares(abs(z - 1)) + dot(x, z) s.t. z / lam <= x, max(z, x) <= 3",
  ],
  [
    "matrix variables, rows, columns and slices",
    "dim m = 2; dim n = 3; parameter B[m,n]; variable X[m,n]; variable w[n]\nminimize sum(square(X - B)) + ||X[0,:]' - w||^2 + X[1,1:3] * B[0,0:2]' s.t. X[:,0] == 1, X[0,1:3]' <= w[1:3]",
  ],
  [
    "constants and a constant psd quadratic form",
    "dim n = 3; constant D = diff(n); constant E = 2*eye(n) + ones(n, n); variable z[n]\nminimize z' E z + ||D z - 1||_inf + sum(z) / 4 s.t. zeros(n) <= z",
  ],
  [
    "a parameter-scaled quadratic with a parameter offset",
    "dim n = 2; parameter c nonneg; parameter x[n]; variable z[n]\nminimize c * ||z - x||^2 + 3*||z||_2^2 - x'z + 7",
  ],
  [
    "a nonpos parameter times a concave expression",
    "dim n = 2; parameter c nonpos; variable z[n]\nminimize c * min(z) + ||z||^2",
  ],
  [
    "n-ary max, a ones column on the right, grouped quadratic forms",
    "dim n = 3; parameter x[n]; variable z[n]; variable X[2, n]\nminimize max(z[0], z[1], x[2]) + z' * 1 + 1' X * 1 + z'(2 eye(n)) z + (z - x)'(z - x) + ||X||^2",
  ],
  [
    "parameter-dependent expressions divided by a parameter",
    "dim n = 2; parameter x[n]; parameter A[n, n]; parameter lam nonneg; variable z[n]\nminimize ||z||^2 + sum(x / lam) + sum(abs(z) / lam) s.t. (A z) / lam <= x / lam + 1",
  ],
  [
    "a psd parameter scaled by a nonneg constant in a quadratic form",
    "dim n = 2; parameter P[n, n] psd; variable z[n]\nminimize quad_form(z, 2 P) + z'(P/2)z + sum(z)",
  ],
  [
    "the squared l1 norm",
    "dim n = 3; parameter x[n]; variable z[n]\nminimize ||z - x||_1^2 + ||z||_inf^2",
  ],
];

describe("canonical data agrees with the source program", () => {
  it.each(EXAMPLES)("examples/%s: objective and every constraint at random points", (file) => {
    const source = readExample(file);
    const { canon, program } = compile(source);
    const rng = makeRng(11);
    for (let trial = 0; trial < 3; trial++)
      expect(compareWithSource(canon, program, sample(canon, program, rng))).toEqual([]);
  });

  it.each(INLINE)("%s", (_what, source) => {
    const { canon, program } = compile(source);
    const rng = makeRng(5);
    for (let trial = 0; trial < 3; trial++)
      expect(compareWithSource(canon, program, sample(canon, program, rng))).toEqual([]);
  });

  it("notices a wrong coefficient (the comparison can fail)", () => {
    const { canon, program } = compile(
      "dim n = 2; parameter x[n]; variable z[n]\nminimize ||z - x||^2 s.t. z >= x",
    );
    canon.Q.constant.value[0] *= 1.01;
    canon.h.terms.coef[0] = 2;
    const mismatches = compareWithSource(canon, program, sample(canon, program, makeRng(1)));
    expect(mismatches.map((m) => m.what)).toEqual(["objective", "constraint 0 `z >= x` entry 0"]);
  });
});
