import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { canonToJsonText, emitTypeScript } from "../../src/codegen/index.js";
import { ParameterError, compile } from "../../src/runtime/index.js";

beforeAll(() => {
  tf.enableProdMode();
});

// u = max(B, 0) entrywise: a closed form for values given and returned as [2, 1].
const clipped = compile(
  "dim T = 2\nparameter B[2, 1]\nvariable u[T, 1]\nminimize ||u - B||^2\ns.t. u >= 0\n",
);
// z = x at n = 1: a 1-vector that must stay a 1-vector.
const copy = (n: number) =>
  compile("dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\n", { dims: { n } });
// z = x - s (no constraints): a scalar parameter beside a vector one.
const shifted = compile(
  "parameter s\nparameter x[2]\nvariable z[2]\nminimize ||z - x||^2 + 2 s sum(z)\n",
);

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParameterError);
    return (error as Error).message;
  }
  throw new Error("expected a ParameterError");
}

function expectClose(actual: unknown, expected: unknown, digits = 7): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, digits));
  } else {
    expect(actual).toBeCloseTo(expected as number, digits);
  }
}

describe("shapes are kept as declared", () => {
  it("reports the declared shapes [2, 1] and [T, 1], not flattened ones", () => {
    expect(clipped.parameters).toEqual([{ name: "B", shape: [2, 1] }]);
    expect(clipped.outputs).toEqual([{ name: "u", shape: [2, 1] }]);
    expect(clipped.describe()).toMatch(/B\s+\[2×1\].*parameter B\[2, 1\]/);
    expect(clipped.describe()).toMatch(/u\s+\[2×1\].*variable u\[T, 1\]/);
    const json = JSON.parse(canonToJsonText(clipped.canonical)) as {
      parameters: { shape: number[] }[];
      columns: { shape: number[] }[];
    };
    expect(json.parameters[0].shape).toEqual([2, 1]);
    expect(json.columns[0].shape).toEqual([2, 1]);
  });

  it("shows the declared shapes in the generated TypeScript module's tables", async () => {
    const module = await emitTypeScript(clipped.canonical);
    expect(module).toMatch(/name: "B", shape: \[2, 1\], size: 2/);
    expect(module).toMatch(/name: "u", shape: \[2, 1\], size: 2/);
  });

  it("takes a [2, 1] parameter as [[a], [b]] and returns a [T, 1] variable as [[u0], [u1]]", () => {
    const out = clipped.solve({ B: [[0.005], [0.1]] });
    expect(out.status).toEqual(["solved"]);
    expectClose(out.variables.u, [[[0.005], [0.1]]]);
  });

  it("takes a batch of [2, 1] values with one leading axis, member by member", () => {
    const out = clipped.solve({
      B: [
        [[-1], [2]],
        [[0.5], [-0.25]],
      ],
    });
    expectClose(out.variables.u, [
      [[0], [2]],
      [[0.5], [0]],
    ]);
  });

  it("returns the duals of `u >= 0` in u's declared shape [T, 1], and of `z >= 0` at n = 1 as [1]", () => {
    // u = max(B, 0): the bound's multiplier is 2·max(-B, 0) (stationarity 2(u - B) - λ = 0).
    const out = clipped.solve({ B: [[-1], [2]] });
    expectClose(out.duals[0].values, [[[2], [0]]]);
    const simplex = compile(
      "dim n = 3\nparameter x[n]\nvariable z[n]\nminimize ||z - x||^2\ns.t. z >= 0, 1'z = 1\n",
      {
        dims: { n: 1 },
      },
    );
    const one = simplex.solve({ x: [0.5] });
    expect(one.duals[0].values).toEqual([[expect.closeTo(0, 7)]]);
    // z = 1: stationarity 2(z - x) + ν = 0 gives ν = -1 for the scalar `1'z = 1`.
    expect(one.duals[1].values).toEqual([expect.closeTo(-1, 7)]);
  });

  it("refuses a flat [2] for a [2, 1] parameter, saying shapes are kept as declared", () => {
    expect(messageOf(() => clipped.solve({ B: [0.005, 0.1] }))).toBe(
      "parameter B: expected shape [2, 1] or [batch, 2, 1], got shape [2]; shapes are kept as " +
        "declared, a size of 1 included: give this value with shape [2, 1], or a batch of them " +
        "with shape [batch, 2, 1]",
    );
  });

  it("returns vjp gradients in the declared shape and takes upstream gradients in it", () => {
    const B = [
      [[-1], [2]],
      [[0.5], [3]],
    ];
    const out = clipped.solve({ B });
    const w = [
      [[1], [-2]],
      [[4], [0.5]],
    ];
    // dℓ/dB = w where B > 0 (u = B there), 0 where the bound u >= 0 is active.
    expectClose(clipped.vjp(out, { u: w }).B, [
      [[0], [-2]],
      [[4], [0.5]],
    ]);
    expect(
      messageOf(() =>
        clipped.vjp(out, {
          u: [
            [1, -2],
            [4, 0.5],
          ],
        }),
      ),
    ).toMatch(
      /^upstream gradient of u: expected shape \[2, 1\] or \[batch, 2, 1\], got shape \[2, 2\]/,
    );
  });

  it("keeps a dim of 1 as an axis: x[n] with n = 1 takes [0.3] and a batch [[0.3], [0.5]]", () => {
    const layer = copy(1);
    expect(layer.parameters).toEqual([{ name: "x", shape: [1] }]);
    expectClose(layer.solve({ x: [0.3] }).variables.z, [[0.3]]);
    expectClose(layer.solve({ x: [[0.3], [0.5]] }).variables.z, [[0.3], [0.5]]);
    expectClose(layer.vjp(layer.solve({ x: [0.3] }), { z: [[2]] }).x, [2]);
  });

  it("refuses a number or a flat list for a 1-vector, explaining the batch axis", () => {
    const layer = copy(1);
    expect(messageOf(() => layer.solve({ x: 0.3 }))).toBe(
      "parameter x: expected shape [1] or [batch, 1], got shape [] (a scalar); shapes are kept " +
        "as declared, a size of 1 included: give this value with shape [1], or a batch of them " +
        "with shape [batch, 1]",
    );
    expect(messageOf(() => layer.solve({ x: [0.3, 0.5] }))).toBe(
      "parameter x: expected shape [1] or [batch, 1], got shape [2]; a batch adds a leading " +
        "axis to the declared shape: 2 values of shape [1] are given with shape [2, 1]",
    );
  });

  it("refuses a [batch, 1] array for a scalar parameter in solve: a batch of scalars is [batch]", () => {
    expect(messageOf(() => shifted.solve({ s: [[1], [2]], x: [0, 0] }))).toBe(
      "parameter s: expected shape [] (a scalar) or [batch] (a list of scalars), got shape " +
        "[2, 1]; a batch of scalars is a list of shape [batch], not [batch, 1]",
    );
    expectClose(shifted.solve({ s: [1, 2], x: [0, 0] }).variables.z, [
      [-1, -1],
      [-2, -2],
    ]);
  });
});

describe("layer.apply with declared shapes", () => {
  it("returns a [T, 1] variable as a [batch, T, 1] tensor", () => {
    const out = clipped.apply({ B: tf.tensor3d([[[-1], [2]]]) });
    expect(out.u.shape).toEqual([1, 2, 1]);
    expectClose(out.u.arraySync(), [[[0], [2]]], 6);
  });

  it("takes a scalar parameter as a [batch, 1] tensor or a [batch] one, with gradients of its shape", () => {
    const x = tf.tensor1d([1, 2]);
    const column = tf.tensor2d([[1], [2], [3]]);
    const fromColumn = shifted.apply({ s: column, x }).z;
    expect(fromColumn.shape).toEqual([3, 2]);
    expectClose(fromColumn.arraySync(), [
      [0, 1],
      [-1, 0],
      [-2, -1],
    ]);
    const flat = shifted.apply({ s: tf.tensor1d([1, 2, 3]), x }).z;
    expectClose(flat.arraySync(), fromColumn.arraySync());
    // z = x - s: d sum(z) / ds = -2 per member.
    const grad = tf.grad((s: tf.Tensor) => tf.sum(shifted.apply({ s, x }).z))(column);
    expect(grad.shape).toEqual([3, 1]);
    expectClose(grad.arraySync(), [[-2], [-2], [-2]], 5);
  });

  it("feeds a scalar parameter from tf.layers.dense({ units: 1 }) inside tf.model", () => {
    const input = tf.input({ shape: [3] });
    const dense = tf.layers.dense({ units: 1, useBias: false, kernelInitializer: "ones" });
    const s = dense.apply(input) as tf.SymbolicTensor;
    const qp = compile("parameter s\nvariable z[2]\nminimize ||z||^2 + 2 s sum(z)\n");
    const z = qp.toTfLayer({ inputs: ["s"] }).apply(s) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: z });
    const result = model.predict(
      tf.tensor2d([
        [1, 2, 3],
        [0, 0, 0.5],
      ]),
    ) as tf.Tensor;
    expect(result.shape).toEqual([2, 2]);
    expectClose(
      result.arraySync(),
      [
        [-6, -6],
        [-0.5, -0.5],
      ],
      5,
    );
  });

  it("refuses a tensor that fits no reading of the declared shape, naming the batch rule", () => {
    expect(messageOf(() => clipped.apply({ B: tf.tensor2d([[0.005, 0.1]]) }))).toBe(
      "parameter B: expected a tensor of shape [2, 1] or [batch, 2, 1], got [1, 2]",
    );
    expect(messageOf(() => clipped.apply({ B: tf.tensor1d([0.005, 0.1]) }))).toMatch(
      /got \[2\]; shapes are kept as declared/,
    );
    expect(messageOf(() => shifted.apply({ s: tf.zeros([3, 2]), x: [1, 2] }))).toBe(
      "parameter s: expected a tensor of shape [] (a scalar) or [batch] or [batch, 1], got [3, 2]",
    );
  });
});
