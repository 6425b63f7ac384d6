import { compile } from "../../../src/index.js";
import { tf } from "./tf.js";

/** The part of the library's Layer that the experiments use: a differentiable tfjs apply. */
export interface TensorLayer {
  apply(params: Record<string, tf.Tensor>, options?: { eps?: number; maxIter?: number }): unknown;
}

/** Compiles a QP layer written as text through the public API. */
export function compileLayer(source: string, dims?: Record<string, number>): TensorLayer {
  return compile(source, dims ? { dims } : {});
}

/**
 * Applies the layer and returns the (batch × size) tensor of one output variable, whether the
 * layer returns that tensor itself or a record of tensors keyed by variable name.
 */
export function applyLayer(
  layer: TensorLayer,
  params: Record<string, tf.Tensor>,
  output: string,
  options: { eps?: number; maxIter?: number } = {},
): tf.Tensor2D {
  const result = layer.apply(params, options);
  const tensor =
    result instanceof tf.Tensor ? result : (result as Record<string, tf.Tensor>)[output];
  if (!(tensor instanceof tf.Tensor))
    throw new Error(`the layer returned no tensor for '${output}'`);
  return tensor.rank === 2 ? (tensor as tf.Tensor2D) : tensor.reshape([tensor.shape[0] ?? 1, -1]);
}
