/// <reference types="@webgpu/types" />
/**
 * `layer.apply` on tfjs's webgpu backend: the QP data built from the parameter tensors with tfjs
 * operations on the GPU, the solve in the backend's own GPUDevice (solver/webgpu/resident.ts),
 * and the outputs and gradients made from its buffers, so nothing between the network and the
 * QP layer passes through the CPU. Only the layer's constant index arrays are uploaded (once).
 *
 * The operands are the layer's affine maps of θ (runtime/affine.ts): entry e of an operand is
 * constant[e] + Σ coef·θ[param] over its terms, a gather and a segment sum; the backward pass is
 * their transpose, the same two operations the other way round.
 */
import type * as Tfjs from "@tensorflow/tfjs";
import type { CanonicalQP } from "../canon/index.js";
import type { WorkSlot } from "../solver/webgpu/layout.js";
import { solveResident, type ResidentSolve } from "../solver/webgpu/resident.js";
import { STATUS_SOLVED, STATUS_STALLED } from "../solver/webgpu/shader.js";
import type { SolverOptions } from "../solver/index.js";
import { ParameterError } from "./parameter-error.js";
import { checkParameterNames } from "./parameters.js";
import { OPERANDS, type OperandName, type PreparedProblem } from "./problem.js";
import { readValue, type NumericValue } from "./values.js";

type Tf = typeof Tfjs;
type Tensor = Tfjs.Tensor;

/** The backend object of tfjs's webgpu backend, as far as it is used here. */
interface WebGPUBackend {
  device: GPUDevice;
}

/** Whether tfjs's active backend is its webgpu backend. */
export function onWebGPUBackend(tf: Tf): boolean {
  return tf.getBackend() === "webgpu";
}

/** A parameter's value for this call: a [rows, size] tensor, rows 1 (shared) or the batch. */
interface ParameterRows {
  /** Makes the [rows, size] tensor (inside the operation, so that tfjs records nothing). */
  rows: () => Tensor;
  batched: boolean;
  /** The tensor given (differentiated), or null for a constant. */
  input: Tensor | null;
}

/** An operand's terms as tensors, uploaded once per layer and backend. */
interface MapTensors {
  index: Tfjs.Tensor1D;
  param: Tfjs.Tensor1D;
  coef: Tensor;
  constant: Tensor;
}

const mapCache = new WeakMap<PreparedProblem, Map<string, Record<OperandName, MapTensors>>>();

function mapTensors(tf: Tf, prepared: PreparedProblem): Record<OperandName, MapTensors> {
  let byBackend = mapCache.get(prepared);
  if (byBackend === undefined) {
    byBackend = new Map();
    mapCache.set(prepared, byBackend);
  }
  const backendName = tf.getBackend();
  const cached = byBackend.get(backendName);
  if (cached !== undefined) return cached;
  const made = Object.fromEntries(
    OPERANDS.map((name) => {
      const map = prepared.maps[name];
      return [
        name,
        {
          index: tf.keep(tf.tensor1d(map.index, "int32")),
          param: tf.keep(tf.tensor1d(map.param, "int32")),
          coef: tf.keep(tf.tensor2d(Float32Array.from(map.coef), [map.coef.length, 1])),
          constant: tf.keep(tf.tensor2d(Float32Array.from(map.constant), [1, map.size])),
        },
      ];
    }),
  ) as Record<OperandName, MapTensors>;
  byBackend.set(backendName, made);
  return made;
}

/**
 * Reads the inputs of `apply` for the GPU: names checked as `solve` checks them, tensors kept on
 * the GPU, plain values uploaded as constants. Returns each parameter's rows and the batch.
 */
function readInputs(
  tf: Tf,
  canon: CanonicalQP,
  inputs: Record<string, Tensor | NumericValue>,
  isTensor: (value: unknown) => value is Tensor,
): { parameters: ParameterRows[]; batch: number } {
  checkParameterNames(canon.parameters, inputs);
  let batch = 1;
  let batchFrom: string | null = null;
  const read = canon.parameters.map((parameter) => {
    const value = Object.getOwnPropertyDescriptor(inputs, parameter.name)?.value as unknown;
    let rows: number;
    let make: () => Tensor;
    let input: Tensor | null = null;
    if (isTensor(value)) {
      // applyLayer has checked the shape: the declared one, or a leading batch axis
      const batched =
        value.shape.length === parameter.shape.length + 1 ||
        (parameter.shape.length === 0 && value.shape.length === 2);
      rows = batched ? value.shape[0] : 1;
      input = value;
      make = () => tf.reshape(tf.cast(value, "float32"), [rows, parameter.size]);
    } else {
      const label = { text: `parameter ${parameter.name}`, parameter: parameter.name };
      const given = readValue(value, parameter.shape, label);
      rows = given.batch ?? 1;
      make = () => tf.tensor2d(Float32Array.from(given.data), [rows, parameter.size]);
    }
    if (rows > 1) {
      if (batchFrom !== null && rows !== batch) {
        throw new ParameterError(
          `parameter ${parameter.name} has a batch of ${rows}, but ${batchFrom} has ${batch}`,
          parameter.name,
        );
      }
      batch = rows;
      batchFrom = parameter.name;
    }
    return { make, rows, input };
  });
  const parameters = read.map(({ make, rows, input }) => ({
    rows: make,
    batched: rows > 1,
    input,
  }));
  return { parameters, batch };
}

/** θ for every member: [batch, parameterSize], shared parameters repeated. */
function thetaOf(tf: Tf, canon: CanonicalQP, parameters: ParameterRows[], batch: number): Tensor {
  const order = canon.parameters
    .map((p, i) => i)
    .sort((i, j) => {
      return canon.parameters[i].offset - canon.parameters[j].offset;
    });
  const pieces = order.map((i) =>
    tf.broadcastTo(parameters[i].rows(), [batch, canon.parameters[i].size]),
  );
  if (pieces.length === 0) return tf.zeros([batch, 0]);
  return tf.concat(pieces, 1);
}

/** One operand of every member, [batch, size]: its constant plus the terms of θ. */
function operandOf(
  tf: Tf,
  prepared: PreparedProblem,
  maps: Record<OperandName, MapTensors>,
  name: OperandName,
  theta: Tensor,
  batch: number,
): Tensor {
  const map = prepared.maps[name];
  const { constant, index, param, coef } = maps[name];
  if (map.index.length === 0) return tf.broadcastTo(constant, [batch, map.size]);
  const terms = tf.mul(tf.transpose(tf.gather(theta, param, 1)), coef); // [terms, batch]
  const entries = tf.unsortedSegmentSum(terms, index, map.size); // [size, batch]
  return tf.add(tf.transpose(entries), constant);
}

/** Σ over the operands' terms of coef·dOperand[index], into θ's entries: [batch, parameterSize]. */
function thetaGradient(
  tf: Tf,
  prepared: PreparedProblem,
  maps: Record<OperandName, MapTensors>,
  grads: Partial<Record<OperandName, Tensor>>,
  batch: number,
): Tensor {
  let total: Tensor = tf.zeros([prepared.parameterSize, batch]);
  for (const name of OPERANDS) {
    const d = grads[name];
    if (d === undefined || prepared.maps[name].index.length === 0) continue;
    const { index, param, coef } = maps[name];
    const terms = tf.mul(tf.gather(tf.transpose(d), index, 0), coef); // [terms, batch]
    total = tf.add(total, tf.unsortedSegmentSum(terms, param, prepared.parameterSize));
  }
  return tf.transpose(total);
}

/** u v' for each member: [batch, rows(u), cols(v)] flattened to [batch, rows·cols]. */
function outer(tf: Tf, u: Tensor, v: Tensor): Tensor {
  const [batch, rows] = u.shape as [number, number];
  const cols = v.shape[1] as number;
  const product = tf.matMul(tf.reshape(u, [batch, rows, 1]), tf.reshape(v, [batch, 1, cols]));
  return tf.reshape(product, [batch, rows * cols]);
}

/** A tensor of the solve's work buffer, [batch, work stride] (a copy made on the GPU). */
function workTensor(tf: Tf, solve: ResidentSolve): Tensor {
  const { batch, workStride } = solve.layout;
  return tf.tensor({ buffer: solve.buffers.work }, [batch, workStride], "float32");
}

/** Columns [slot, slot + length) of every member's work: [batch, length]. */
function slot(tf: Tf, work: Tensor, solve: ResidentSolve, name: WorkSlot, length: number) {
  return tf.slice(work, [0, solve.layout.work[name]], [-1, length]);
}

/**
 * The layer's outputs packed as [batch, width] (output variables in declaration order), as a
 * tfjs operation whose gradient is the layer's backward pass on the GPU. Inputs have been
 * checked for shape by applyLayer.
 */
export function applyOnWebGPU(
  tf: Tf,
  canon: CanonicalQP,
  prepared: PreparedProblem,
  inputs: Record<string, Tensor | NumericValue>,
  options: SolverOptions,
  isTensor: (value: unknown) => value is Tensor,
): Tensor {
  const { n, m, p } = canon;
  const outputs = canon.variables.filter((v) => v.output);
  const outputColumns = outputs.flatMap((v) => {
    const size = v.shape.reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, j) => v.column + j);
  });
  const width = outputColumns.length;
  // dz's columns from dy's: each output column's place in the packed tensor, the rest a zero
  const fromPacked = new Int32Array(n).fill(width);
  outputColumns.forEach((column, k) => (fromPacked[column] = k));

  const { device } = tf.backend() as unknown as WebGPUBackend;
  const maps = mapTensors(tf, prepared);
  const { parameters, batch } = readInputs(tf, canon, inputs, isTensor);
  const differentiated = parameters.filter((r) => r.input !== null);

  const forward = (): { value: Tensor; solve: ResidentSolve } => {
    const data = tf.tidy(() => {
      const theta = thetaOf(tf, canon, parameters, batch);
      const pieces = OPERANDS.map((name) =>
        tf.reshape(operandOf(tf, prepared, maps, name, theta, batch), [-1]),
      ).filter((t) => t.size > 0);
      return pieces.length > 0 ? tf.concat(pieces, 0) : tf.zeros([1]);
    });
    const onGpu = data.dataToGPU();
    const solve = solveResident(device, { batch, n, m, p }, onGpu.buffer!, options);
    onGpu.tensorRef.dispose();
    data.dispose();
    const value = tf.tidy(() => {
      const z = slot(tf, workTensor(tf, solve), solve, "z", n);
      return tf.gather(z, tf.tensor1d(Int32Array.from(outputColumns), "int32"), 1);
    });
    return { value, solve };
  };

  const backward = (dy: Tensor, solve: ResidentSolve): Tensor[] =>
    tf.tidy(() => {
      const padded = tf.concat([tf.cast(dy, "float32"), tf.zeros([batch, 1])], 1);
      const dz = tf.gather(padded, tf.tensor1d(fromPacked, "int32"), 1);
      const onGpu = dz.dataToGPU();
      solve.backward(onGpu.buffer!);
      onGpu.tensorRef.dispose();
      const work = workTensor(tf, solve);
      const state = tf.tensor({ buffer: solve.buffers.state }, [batch, 2], "int32");
      const status = tf.slice(state, [0, 0], [-1, 1]);
      const solved = tf.logicalOr(
        tf.equal(status, STATUS_SOLVED),
        tf.equal(status, STATUS_STALLED),
      );
      // members the shader did not solve hold their last iteration's step there: zero gradient
      const take = (name: WorkSlot, length: number) => {
        const values = slot(tf, work, solve, name, length);
        return tf.where(tf.broadcastTo(solved, values.shape), values, tf.zerosLike(values));
      };
      const z = slot(tf, work, solve, "z", n);
      const lam = slot(tf, work, solve, "lam", p);
      const nu = slot(tf, work, solve, "nu", m);
      const dzs = take("dz", n);
      const dnu = take("dnu", m);
      const yG = take("yG", p);
      const grads: Partial<Record<OperandName, Tensor>> = {};
      const wanted = (name: OperandName) => prepared.request[name] === true;
      if (wanted("Q")) grads.Q = tf.mul(0.5, tf.add(outer(tf, dzs, z), outer(tf, z, dzs)));
      if (wanted("q")) grads.q = dzs;
      if (wanted("A")) grads.A = tf.add(outer(tf, dnu, z), outer(tf, nu, dzs));
      if (wanted("b")) grads.b = tf.neg(dnu);
      if (wanted("G")) grads.G = tf.add(outer(tf, yG, z), outer(tf, lam, dzs));
      if (wanted("h")) grads.h = tf.neg(yG);
      const dTheta = thetaGradient(tf, prepared, maps, grads, batch);
      return differentiated.map((r) => {
        const parameter = canon.parameters[parameters.indexOf(r)];
        const piece = tf.slice(dTheta, [0, parameter.offset], [-1, parameter.size]);
        const summed = r.batched ? piece : tf.sum(piece, 0, true);
        return tf.reshape(summed, r.input!.shape);
      });
    });

  // With no gradient being recorded (inference, model.predict) the buffers go at once: only a
  // gradient would need them, and GPU memory is not what the garbage collector watches.
  if (differentiated.length === 0 || !tf.engine().isTapeOn()) {
    const { value, solve } = forward();
    solve.dispose();
    return value;
  }
  const op = tf.customGrad((...args: unknown[]) => {
    void args;
    const { value, solve } = forward();
    // the buffers live as long as the gradient may still be asked for
    const holder = { solve };
    const gradFunc = (dy: Tensor): Tensor[] => {
      const grads = backward(dy, holder.solve);
      releaseWhenCollected.unregister(holder);
      holder.solve.dispose();
      return grads;
    };
    releaseWhenCollected.register(gradFunc, solve, holder);
    return { value, gradFunc };
  });
  return op(...differentiated.map((r) => r.input!));
}

const releaseWhenCollected = new FinalizationRegistry<ResidentSolve>((solve) => solve.dispose());
