import type * as Tfjs from "@tensorflow/tfjs";
import { compile } from "./compile.js";
import type { Layer, SolveOptions } from "./layer.js";
import { tfjs, type Tensor } from "./tensorflow.js";
import { isNumericView, nest, type NestedNumbers, type NumericValue } from "./values.js";

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

/** Everything needed to rebuild the layer in another process: what `getConfig()` carries. */
export interface TfLayerDefinition {
  /** The program text and the dims it was compiled with (every dim, defaults included). */
  source: string;
  file: string;
  dims: Record<string, number>;
  inputs: string[];
  output: string;
  constants: Record<string, NestedNumbers | NestedNumbers[]>;
  /** The solve options that survive JSON: a warm start from a given output does not. */
  solve: Omit<SolveOptions, "warmStart"> & { warmStart?: boolean };
}

/** The registered name: saved models refer to the class as `optnet>OptnetQPLayer`. */
const CLASS_NAME = "OptnetQPLayer";
const PACKAGE = "optnet";

/** What `toTfLayer` hands over as it is: the compiled layer, constants and solve options. */
interface InProcess {
  layer: Layer;
  constants: Record<string, NumericValue>;
  solve: SolveOptions;
}

type TfLayerClass = new (
  config: Tfjs.serialization.ConfigDict,
  inProcess?: InProcess,
) => Tfjs.layers.Layer;

let registered: TfLayerClass | null = null;

/**
 * Registers the layer class with `tf.serialization`, so that `tf.loadLayersModel` rebuilds a
 * saved model containing it (program, dims and options are in its config). `toTfLayer` does this
 * too; a process that only loads a saved model calls it once before loading. Loads tfjs.
 */
export function registerTfLayer(): void {
  tfLayerClass();
}

/**
 * The layer as a `tf.layers.Layer`, for `tf.sequential()` / `tf.model()`: its input tensors
 * (with the model's batch axis) become the named parameters, its output one variable.
 * Trainable weights stay in the surrounding layers; this one only passes gradients through.
 */
export function toTfLayer(layer: Layer, options: TfLayerOptions = {}): Tfjs.layers.Layer {
  const definition = defineTfLayer(layer, options);
  const OptnetQPLayer = tfLayerClass();
  const config: Tfjs.serialization.ConfigDict = { [CONFIG_KEY]: encodeDefinition(definition) };
  if (options.name !== undefined) config.name = options.name;
  return new OptnetQPLayer(config, {
    layer,
    constants: options.constants ?? {},
    solve: options.solve ?? {},
  });
}

function defineTfLayer(layer: Layer, options: TfLayerOptions): TfLayerDefinition {
  const inputs = options.inputs ?? layer.parameters.map((p) => p.name);
  const output = layer.outputs.find((o) => o.name === (options.output ?? layer.outputs[0]?.name));
  if (output === undefined) {
    throw new Error(
      `toTfLayer: "${options.output}" is not an output variable (outputs: ${layer.outputs.map((o) => o.name).join(", ")})`,
    );
  }
  const { warmStart, ...solve } = options.solve ?? {};
  return {
    source: layer.canonical.source,
    file: layer.canonical.file,
    dims: { ...layer.canonical.dims },
    inputs,
    output: output.name,
    constants: plainConstants(layer, options.constants ?? {}),
    solve: typeof warmStart === "boolean" ? { ...solve, warmStart } : solve,
  };
}

/**
 * Constants as nested arrays in their parameters' declared shapes (a typed array holds row-major
 * members, which JSON would flatten into a different shape).
 */
function plainConstants(
  layer: Layer,
  constants: Record<string, NumericValue>,
): TfLayerDefinition["constants"] {
  const shapes = new Map(layer.parameters.map((p) => [p.name, p.shape]));
  const plain: TfLayerDefinition["constants"] = {};
  for (const name of Object.keys(constants)) {
    const value = Object.getOwnPropertyDescriptor(constants, name)?.value as NumericValue;
    const shape = shapes.get(name);
    let converted = value as NestedNumbers | NestedNumbers[];
    if (isNumericView(value) && shape !== undefined) {
      const data = Float64Array.from(value);
      const size = shape.reduce((a, b) => a * b, 1);
      const members = data.length / size;
      converted =
        members === 1
          ? nest(data, 0, shape)
          : Array.from({ length: members }, (_, b) => nest(data, b * size, shape));
    }
    Object.defineProperty(plain, name, { value: converted, enumerable: true });
  }
  return plain;
}

/**
 * tfjs rewrites every string of a saved config to snake_case and back to camelCase (and so the
 * keys of nested objects), which would mangle program text and names: the definition travels as
 * the hexadecimal UTF-8 bytes of its JSON, which both rewritings leave as they are.
 */
const CONFIG_KEY = "optnetDefinition";

function encodeDefinition(definition: TfLayerDefinition): string {
  const bytes = new TextEncoder().encode(JSON.stringify(definition));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function decodeDefinition(config: Tfjs.serialization.ConfigDict): TfLayerDefinition {
  const hex = config[CONFIG_KEY];
  if (typeof hex !== "string" || !/^(?:[0-9a-f]{2})*$/.test(hex)) {
    throw new Error(
      `${CLASS_NAME}: the layer's config lacks its program (the hexadecimal "${CONFIG_KEY}" ` +
        `that getConfig() writes)`,
    );
  }
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  return JSON.parse(new TextDecoder().decode(bytes)) as TfLayerDefinition;
}

function tfLayerClass(): TfLayerClass {
  if (registered !== null) return registered;
  const tf = tfjs();

  class OptnetQPLayer extends tf.layers.Layer {
    static readonly className = CLASS_NAME;
    readonly #definition: TfLayerDefinition;
    readonly #layer: Layer;
    readonly #constants: Record<string, NumericValue>;
    readonly #solve: SolveOptions;
    readonly #outputShape: number[];

    /**
     * From `toTfLayer` (the compiled layer, and constants and options as given: a warm start
     * from an output works in this process) or from a saved config (compiled here).
     */
    constructor(config: Tfjs.serialization.ConfigDict, inProcess?: InProcess) {
      const { [CONFIG_KEY]: _, ...base } = config;
      super(base);
      this.#definition = decodeDefinition(config);
      const { source, file, dims, output } = this.#definition;
      this.#layer = inProcess?.layer ?? compile(source, { dims, file });
      this.#constants = inProcess?.constants ?? this.#definition.constants;
      this.#solve = inProcess?.solve ?? this.#definition.solve;
      const shape = this.#layer.outputs.find((o) => o.name === output)?.shape;
      if (shape === undefined) {
        throw new Error(`${CLASS_NAME}: "${output}" is not an output variable of the program`);
      }
      this.#outputShape = shape;
    }

    override computeOutputShape(): Tfjs.Shape {
      return [null, ...this.#outputShape];
    }

    override call(tensors: Tensor | Tensor[]): Tensor {
      const { inputs, output } = this.#definition;
      const list = Array.isArray(tensors) ? tensors : [tensors];
      if (list.length !== inputs.length) {
        throw new Error(
          `toTfLayer: expected ${inputs.length} input tensor(s) (${inputs.join(", ")}), got ${list.length}`,
        );
      }
      const values: Record<string, Tensor | NumericValue> = { ...this.#constants };
      inputs.forEach((name, i) =>
        Object.defineProperty(values, name, { value: list[i], enumerable: true }),
      );
      return this.#layer.apply(values, this.#solve)[output];
    }

    override getConfig(): Tfjs.serialization.ConfigDict {
      return { ...super.getConfig(), [CONFIG_KEY]: encodeDefinition(this.#definition) };
    }

    override getClassName(): string {
      return CLASS_NAME;
    }
  }
  tf.serialization.registerClass(OptnetQPLayer, PACKAGE);
  registered = OptnetQPLayer;
  return OptnetQPLayer;
}
