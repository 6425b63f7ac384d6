import type * as Tfjs from "@tensorflow/tfjs";
import type { Layer, SolveOptions } from "./layer.js";
import { tfjs, type Tensor } from "./tensorflow.js";
import type { NumericValue } from "./values.js";

export interface TfLayerOptions {
  /** The parameters fed by the tf.layers input(s), in order (default: all parameters). */
  inputs?: string[];
  /** Values of the other parameters, fixed (default: none). */
  constants?: Record<string, NumericValue>;
  /** The output variable the layer returns (default: the first). */
  output?: string;
  /** Options of every solve. */
  solve?: SolveOptions;
  /** The tf.layers name (unique within a model). */
  name?: string;
}

/**
 * The layer as a `tf.layers.Layer`, for `tf.sequential()` / `tf.model()`: its input tensors
 * (with the model's batch axis) become the named parameters, its output one variable.
 * Trainable weights stay in the surrounding layers; this one only passes gradients through.
 */
export function toTfLayer(layer: Layer, options: TfLayerOptions = {}): Tfjs.layers.Layer {
  const tf = tfjs();
  const inputs = options.inputs ?? layer.parameters.map((p) => p.name);
  const output = layer.outputs.find((o) => o.name === (options.output ?? layer.outputs[0]?.name));
  if (output === undefined) {
    throw new Error(
      `toTfLayer: "${options.output}" is not an output variable (outputs: ${layer.outputs.map((o) => o.name).join(", ")})`,
    );
  }
  const constants = options.constants ?? {};

  class OptnetQPLayer extends tf.layers.Layer {
    static readonly className = "OptnetQPLayer";

    override computeOutputShape(): Tfjs.Shape {
      return [null, ...output!.shape];
    }

    override call(tensors: Tensor | Tensor[]): Tensor {
      const list = Array.isArray(tensors) ? tensors : [tensors];
      if (list.length !== inputs.length) {
        throw new Error(
          `toTfLayer: expected ${inputs.length} input tensor(s) (${inputs.join(", ")}), got ${list.length}`,
        );
      }
      const values: Record<string, Tensor | NumericValue> = { ...constants };
      inputs.forEach((name, i) =>
        Object.defineProperty(values, name, { value: list[i], enumerable: true }),
      );
      return layer.apply(values, options.solve)[output!.name];
    }

    override getClassName(): string {
      return OptnetQPLayer.className;
    }
  }
  return new OptnetQPLayer(options.name === undefined ? {} : { name: options.name });
}
