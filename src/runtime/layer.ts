import type { CanonicalQP } from "../canon/index.js";
import { describe as describeCanonical } from "../codegen/index.js";
import type { QPBatch, QPBatchSolution, SolverOptions } from "../solver/index.js";
import type { SolverDevice } from "../solver/types.js";
import { solveBatchOnDevice, type WebGPUSolution } from "../solver/webgpu/index.js";
import { parameterGradients, upstreamToDz, type ParameterGradient } from "./gradients.js";
import { buildOutput, type LayerOutput } from "./output.js";
import { readParameters, type ParameterBatch } from "./parameters.js";
import type { NumericValue, ParameterValues } from "./values.js";
import { buildBatch, prepareProblem, type PreparedProblem } from "./problem.js";
import { solveProblem, type WorkerOption } from "./solve.js";
import {
  applyLayer,
  type ApplyInputs,
  type ApplyOptions,
  type ApplyOutputs,
} from "./tensorflow.js";
import { toTfLayer, type TfLayerOptions } from "./tf-layer.js";
import { findZeroRows, watchZeroRows } from "./zero-rows.js";
import type * as Tfjs from "@tensorflow/tfjs";

export interface SolveOptions {
  /**
   * Relative tolerance (solver default 1e-9): each residual and the gap against eps times 1 + the
   * size of their terms (SolverOptions.eps).
   */
  eps?: number;
  /**
   * Absolute tolerance in the problem's own units (solver default 0): `{ eps: 0, epsAbs: 1e-9 }`
   * asks every residual and the gap to be at most 1e-9, qpbenchmark's "high accuracy".
   */
  epsAbs?: number;
  /** Ruiz equilibration of the data before the iteration (default true; SolverOptions.scaling). */
  scaling?: boolean;
  /** Iteration cap (solver default 50). */
  maxIter?: number;
  /** The solver's dense kernels (default: WebAssembly SIMD for larger problems). */
  kernels?: "wasm" | "typescript";
  /**
   * Start from a previous solution: an output of this layer's `solve`, or `true` for the last
   * solve of this layer. Used only when the problem sizes (batch, n, m, p) match.
   */
  warmStart?: LayerOutput | boolean;
  /**
   * Worker threads for a large batch: a count, `false` for none. By default a batch of at least
   * 64 problems with at least 10 columns is split across the machine's cores, at least 32
   * members to a thread (below that, the messages cost more than the second thread saves; the
   * measurements are beside the thresholds in solve.ts).
   */
  workers?: WorkerOption;
  /**
   * Exploit the structure of the program (default true): bound rows as diagonal updates,
   * auxiliary columns of epigraphs eliminated in closed form, sparse products, and the
   * factorizations these allow (a diagonal one for a diagonal Q with bounds, an O(n) one along a
   * path of differences). `false` factors the whole KKT system in the dense form, as a dense
   * solver does (bound rows and sparse products are kept): the same algorithm and statuses,
   * slower; for comparisons (the benchmark's "dense path") and as a fallback.
   */
  structure?: boolean;
}

/** What `solve` keeps for `vjp` and warm starts, off the output's public surface. */
interface SolveRecord {
  layer: Layer;
  params: ParameterBatch;
  solution: QPBatchSolution;
}

const records = new WeakMap<LayerOutput, SolveRecord>();

/** The raw solver result behind an output (z with auxiliary columns, λ, ν, s): for tests. */
export function solutionOf(out: LayerOutput): QPBatchSolution | undefined {
  return records.get(out)?.solution;
}

/**
 * A compiled QP layer: built once from a CanonicalQP, then called with parameter values. Each
 * call only evaluates the parameter-dependent parts of Q..h; the rest is prepared here.
 */
export class Layer {
  readonly canonical: CanonicalQP;
  readonly #prepared: PreparedProblem;
  readonly #watchedRows: ReturnType<typeof watchZeroRows>;
  #last: SolveRecord | null = null;

  constructor(canonical: CanonicalQP) {
    this.canonical = canonical;
    this.#prepared = prepareProblem(canonical);
    this.#watchedRows = watchZeroRows(canonical, this.#prepared);
  }

  /** Parameter names and shapes, in declaration order. */
  get parameters(): { name: string; shape: number[] }[] {
    return this.canonical.parameters.map((p) => ({ name: p.name, shape: [...p.shape] }));
  }

  /** Output variable names and shapes (per member), in declaration order. */
  get outputs(): { name: string; shape: number[] }[] {
    return this.canonical.variables
      .filter((v) => v.output)
      .map((v) => ({ name: v.name, shape: [...v.shape] }));
  }

  /** The canonical form as text (what `optnet compile` prints). */
  describe(): string {
    return describeCanonical(this.canonical);
  }

  /**
   * Solves the program for a batch of parameter values. Each value is a number, a (nested)
   * array or a typed array, with or without a leading batch axis; values without one are shared
   * by every member. Throws a ParameterError for a value the layer cannot use.
   *
   * Memory: a solve's workspace (about 8·(2n² + (m+p)n + (m+p)²) bytes per member, more for
   * operands that vary per member) is kept by the output for `vjp`. A batch whose workspace
   * exceeds 1 GiB is solved in chunks that fit, one after the other, with the same results as
   * one solve; a batch that needs more than the machine's memory in all, or a member that alone
   * exceeds WebAssembly's 4 GiB, is refused with a ParameterError stating the bytes needed, the
   * limit and a batch size that fits.
   */
  solve(
    params: ParameterValues,
    options: SolveOptions & { device: "webgpu" },
  ): Promise<LayerOutput>;
  solve(params: ParameterValues, options?: SolveOptions & { device?: "cpu" }): LayerOutput;
  /**
   * With `{ device: "webgpu" }` the batch is solved in f32 on a GPU (docs/GPU.md) and the output
   * comes as a Promise; without an adapter, on the CPU after one notice.
   */
  solve(
    params: ParameterValues,
    options: SolveOptions & { device?: SolverDevice } = {},
  ): LayerOutput | Promise<LayerOutput> {
    const parameterBatch = readParameters(
      this.canonical.parameters,
      this.canonical.parameterSize,
      params,
    );
    const built = buildBatch(this.#prepared, parameterBatch);
    const problem = options.structure === false ? { ...built, structure: {} } : built;
    const solverOptions: SolverOptions = {};
    if (options.structure === false) solverOptions.structure = false;
    if (options.eps !== undefined) solverOptions.eps = options.eps;
    if (options.epsAbs !== undefined) solverOptions.epsAbs = options.epsAbs;
    if (options.scaling !== undefined) solverOptions.scaling = options.scaling;
    if (options.maxIter !== undefined) solverOptions.maxIter = options.maxIter;
    if (options.kernels !== undefined) solverOptions.kernels = options.kernels;
    const warm = this.#warmStartFrom(options.warmStart, problem);
    if (warm !== null) {
      const { z, lam, nu, s } = warm.solution;
      solverOptions.warmStart = { z, lam, nu, s };
    }
    const warnings = findZeroRows(this.canonical, this.#watchedRows, problem);
    const finish = (solution: QPBatchSolution) => {
      const out = buildOutput(this.canonical, problem, parameterBatch.theta, solution, warnings);
      const record = { layer: this, params: parameterBatch, solution };
      records.set(out, record);
      this.#last = record;
      return out;
    };
    if (options.device === "webgpu") return solveBatchOnDevice(problem, solverOptions).then(finish);
    return finish(solveProblem(problem, solverOptions, options.workers));
  }

  /**
   * Gradients of a loss with respect to every parameter, given the loss's gradient with respect
   * to the output variables of `out` (same shapes as `out.variables`; a missing variable counts
   * as zero). Each gradient has the form its parameter was given to `solve` in, summed over the
   * batch for a parameter given without a batch axis. Members that were not solved contribute
   * zero.
   */
  vjp(
    out: LayerOutput,
    upstream: Readonly<Record<string, NumericValue>>,
    options: { device: "webgpu" },
  ): Promise<Record<string, ParameterGradient>>;
  vjp(
    out: LayerOutput,
    upstream: Readonly<Record<string, NumericValue>>,
    options?: { device?: "cpu" },
  ): Record<string, ParameterGradient>;
  /**
   * With `{ device: "webgpu" }`, for an output that `solve` made on the GPU, the backward solve
   * runs there with the factors it kept, and the gradients come as a Promise (otherwise the same
   * gradients are computed on the CPU from the factors it read back).
   */
  vjp(
    out: LayerOutput,
    upstream: Readonly<Record<string, NumericValue>>,
    options: { device?: SolverDevice } = {},
  ): Record<string, ParameterGradient> | Promise<Record<string, ParameterGradient>> {
    const record = records.get(out);
    if (record === undefined || record.layer !== this) {
      throw new Error("vjp needs an output returned by this layer's solve()");
    }
    const dz = upstreamToDz(this.canonical, upstream, out.batch);
    const solution = record.solution as QPBatchSolution & Partial<WebGPUSolution>;
    const request = this.#prepared.request;
    if (options.device === "webgpu") {
      const grads =
        solution.backwardOnDevice !== undefined
          ? solution.backwardOnDevice(dz, request)
          : Promise.resolve(solution.backward(dz, request));
      return grads.then((g) => parameterGradients(this.#prepared, record.params, g));
    }
    return parameterGradients(this.#prepared, record.params, solution.backward(dz, request));
  }

  /**
   * The layer as a TensorFlow.js operation: tensors (or plain values, treated as constants) in,
   * one tensor per output variable out, each with a leading batch axis; differentiable with
   * respect to every tensor input. Loads @tensorflow/tfjs on first use. When tfjs's webgpu
   * backend is active the solve and its gradient run on the backend's GPU device in f32, the
   * tensors never leaving it (docs/GPU.md); `device: "cpu"` keeps the CPU solver.
   */
  apply(inputs: ApplyInputs, options: ApplyOptions = {}): ApplyOutputs {
    return applyLayer(this, this.#prepared, inputs, options);
  }

  /**
   * The layer as a `tf.layers.Layer` for `tf.sequential()` and `tf.model()`, fed by its
   * parameters in `options.inputs` order. Loads @tensorflow/tfjs on first use.
   */
  toTfLayer(options: TfLayerOptions = {}): Tfjs.layers.Layer {
    return toTfLayer(this, options);
  }

  /** Forgets the last solution kept for `warmStart: true`. */
  dispose(): void {
    this.#last = null;
  }

  #warmStartFrom(warmStart: SolveOptions["warmStart"], problem: QPBatch): SolveRecord | null {
    if (warmStart === undefined || warmStart === false) return null;
    const record = warmStart === true ? this.#last : records.get(warmStart);
    if (record === undefined) {
      throw new Error("warmStart needs an output returned by this layer's solve()");
    }
    if (record === null) return null;
    const s = record.solution;
    const fits =
      s.batch === problem.batch && s.n === problem.n && s.m === problem.m && s.p === problem.p;
    return fits ? record : null;
  }
}
