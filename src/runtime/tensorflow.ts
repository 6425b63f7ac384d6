import type * as Tfjs from "@tensorflow/tfjs";
import type { Layer, SolveOptions } from "./layer.js";
import { applyOnWebGPU, onWebGPUBackend } from "./gpu-apply.js";
import type { PreparedProblem } from "./problem.js";
import { ParameterError, batchingHint, formatShape } from "./parameter-error.js";
import type { NumericValue } from "./values.js";
import type { SolverOptions } from "../solver/index.js";
import { nodeBuiltin } from "../platform/node-builtin.js";

type Tf = typeof Tfjs;
export type Tensor = Tfjs.Tensor;

/** Parameter values for `apply`: tensors (differentiated) or plain values (constants). */
export type ApplyInputs = Record<string, Tensor | NumericValue>;
/** One float32 tensor per output variable, shaped [batch, ...variable shape]. */
export type ApplyOutputs = Record<string, Tensor>;

/**
 * `apply`'s options: the solve options, and where to solve. By default on the GPU when tfjs's
 * webgpu backend is active (the tensors stay there), else on the CPU solver.
 */
export interface ApplyOptions extends SolveOptions {
  device?: "cpu" | "webgpu";
}

/** The part of node:module used here (declared, so the core compiles without Node's types). */
interface NodeModule {
  createRequire(from: string): (id: string) => unknown;
}

let loaded: Tf | null = null;

/**
 * Hands optnet the TensorFlow.js module its tensors come from. Needed once in a page before
 * `apply` or `toTfLayer` (a bundle has no `require`, and a static import would put tfjs in every
 * page that uses optnet); in Node optnet finds the project's own copy by itself.
 */
export function useTensorFlow(tf: Tf): void {
  loaded = tf;
}

/**
 * tfjs takes a while to import; only users of `apply` pay for it. In Node the package's entry
 * is CommonJS either way, so `require` returns the very module an `import` of it gives the user.
 */
export function tfjs(): Tf {
  if (loaded !== null) return loaded;
  const nodeModule = nodeBuiltin<NodeModule>("node:module");
  if (nodeModule === undefined) {
    throw new Error(
      'apply and toTfLayer need TensorFlow.js: import * as tf from "@tensorflow/tfjs" and call ' +
        "useTensorFlow(tf) once before",
    );
  }
  loaded = nodeModule.createRequire(import.meta.url)("@tensorflow/tfjs") as Tf;
  return loaded;
}

function isTensor(value: unknown): value is Tensor {
  return value instanceof tfjs().Tensor;
}

/**
 * Whether a tensor holds values of the declared `shape`: one value, or a batch with a leading
 * axis. For a scalar parameter a [batch, 1] tensor is a batch too, unambiguously (rank 2 with a
 * trailing 1 has no other reading for a scalar), as `tf.layers.dense({ units: 1 })` makes them.
 */
function fitsTensor(tensorShape: readonly number[], shape: readonly number[]): boolean {
  if (shape.length === 0 && tensorShape.length === 2 && tensorShape[1] === 1) return true;
  const batched = tensorShape.length === shape.length + 1;
  if (!batched && tensorShape.length !== shape.length) return false;
  return tensorShape.slice(batched ? 1 : 0).every((d, i) => d === shape[i]);
}

/**
 * The layer as one differentiable tfjs operation. The forward pass reads the tensors once
 * (float32 → float64), solves, and returns all output variables packed in one [batch, k] tensor
 * that is then cut into one tensor per variable; the gradient is the layer's vjp.
 */
export function applyLayer(
  layer: Layer,
  prepared: PreparedProblem,
  inputs: ApplyInputs,
  options: ApplyOptions,
): ApplyOutputs {
  const tf = tfjs();
  if (typeof inputs !== "object" || inputs === null) {
    throw new ParameterError("apply needs an object mapping parameter names to tensors or values");
  }
  const entries = Object.keys(inputs).map(
    (name) => [name, Object.getOwnPropertyDescriptor(inputs, name)?.value] as const,
  );
  const tensorInputs = entries.filter((entry): entry is readonly [string, Tensor] =>
    isTensor(entry[1]),
  );
  const tensorNames = tensorInputs.map(([name]) => name);
  const constants = Object.fromEntries(entries.filter(([, v]) => !isTensor(v))) as Record<
    string,
    NumericValue
  >;
  const shapes = new Map(layer.parameters.map((p) => [p.name, p.shape]));
  for (const [name, tensor] of tensorInputs) {
    const shape = shapes.get(name);
    if (shape === undefined) continue; // solve() reports the unknown name
    if (!fitsTensor(tensor.shape, shape)) {
      throw new ParameterError(
        `parameter ${name}: expected a tensor of shape ${formatShape(shape)} or ` +
          `[${["batch", ...shape].join(", ")}]` +
          `${shape.length === 0 ? " or [batch, 1]" : ""}, got ${formatShape(tensor.shape)}` +
          batchingHint(tensor.shape, shape),
        name,
      );
    }
  }
  const outputs = layer.outputs;
  const sizes = outputs.map((o) => o.shape.reduce((a, b) => a * b, 1));
  const width = sizes.reduce((a, b) => a + b, 0);

  const solve = (tensors: Tensor[]) => {
    const params: Record<string, NumericValue> = { ...constants };
    tensorNames.forEach((name, i) => {
      Object.defineProperty(params, name, { value: tensors[i].dataSync(), enumerable: true });
    });
    const { device: _device, ...solveOptions } = options;
    const out = layer.solve(params, solveOptions);
    const packed = new Float32Array(out.batch * width);
    for (let b = 0, k = 0; b < out.batch; b++) {
      outputs.forEach((o) => {
        for (const v of [out.variables[o.name][b]].flat(2) as number[]) packed[k++] = v;
      });
    }
    return { out, value: tf.tensor2d(packed, [out.batch, width]) };
  };

  const onGpu =
    options.device === "webgpu" || (options.device === undefined && onWebGPUBackend(tf));
  if (onGpu && !onWebGPUBackend(tf)) {
    throw new Error(
      `apply with device "webgpu" needs tfjs's webgpu backend active (import ` +
        `"@tensorflow/tfjs-backend-webgpu" and await tf.setBackend("webgpu")); tfjs's backend is "${tf.getBackend()}"`,
    );
  }
  let packed: Tensor;
  if (onGpu) {
    packed = applyOnWebGPU(
      tf,
      layer.canonical,
      prepared,
      inputs,
      solverOptionsOf(options),
      isTensor,
    );
  } else if (tensorNames.length === 0) {
    packed = solve([]).value;
  } else {
    const op = tf.customGrad((...args: unknown[]) => {
      const tensors = args.slice(0, tensorNames.length) as Tensor[];
      const { out, value } = solve(tensors);
      const gradFunc = (dy: Tensor): Tensor[] => {
        const dyData = dy.dataSync();
        const upstream: Record<string, Float64Array> = {};
        let column = 0;
        outputs.forEach((o, i) => {
          const g = new Float64Array(out.batch * sizes[i]);
          for (let b = 0; b < out.batch; b++) {
            for (let j = 0; j < sizes[i]; j++) g[b * sizes[i] + j] = dyData[b * width + column + j];
          }
          Object.defineProperty(upstream, o.name, { value: g, enumerable: true });
          column += sizes[i];
        });
        const grads = layer.vjp(out, upstream);
        return tensors.map((t, i) =>
          tf.tensor(Float32Array.from(grads[tensorNames[i]] as Float64Array), t.shape),
        );
      };
      return { value, gradFunc };
    });
    packed = op(...tensorInputs.map(([, tensor]) => tensor));
  }

  const result: ApplyOutputs = {};
  let column = 0;
  outputs.forEach((o, i) => {
    const piece = tf.slice(packed, [0, column], [-1, sizes[i]]);
    Object.defineProperty(result, o.name, {
      value: tf.reshape(piece, [packed.shape[0], ...o.shape]),
      enumerable: true,
    });
    column += sizes[i];
  });
  return result;
}

/** The options the GPU solver reads (those of the CPU solver alone are refused there). */
function solverOptionsOf(options: ApplyOptions): SolverOptions {
  const { eps, epsAbs, maxIter } = options;
  for (const key of ["warmStart", "workers", "kernels", "structure", "scaling"] as const) {
    if (options[key] !== undefined) {
      throw new Error(
        `apply on the GPU (tfjs's webgpu backend) does not take ${key}; pass device: "cpu" to use the CPU solver`,
      );
    }
  }
  return {
    ...(eps === undefined ? {} : { eps }),
    ...(epsAbs === undefined ? {} : { epsAbs }),
    ...(maxIter === undefined ? {} : { maxIter }),
  };
}
