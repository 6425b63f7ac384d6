import type { CanonParameter } from "../canon/index.js";
import {
  createWasmKernelsSync,
  WASM_MIN_VARIABLES,
  type WasmDenseKernels,
} from "../solver/index.js";
import { ParameterError, closestName } from "./parameter-error.js";
import { entryIndex, readValue, type ReadValue } from "./values.js";

/** One parameter's value as given to solve, read and checked. */
export interface GivenParameter extends ReadValue {
  parameter: CanonParameter;
}

/** All parameter values of one call, with the batch they make. */
export interface ParameterBatch {
  batch: number;
  /** In the order of the layer's parameters. */
  given: GivenParameter[];
  /** batch × parameterSize: every member's θ, unbatched parameters repeated. */
  theta: Float64Array;
}

/** Refuses a name that is not a parameter (suggesting the closest) and a parameter left out. */
export function checkParameterNames(
  parameters: readonly CanonParameter[],
  record: Record<string, unknown>,
): void {
  const names = parameters.map((p) => p.name);
  for (const key of Object.keys(record)) {
    if (names.includes(key)) continue;
    const suggestion = closestName(key, names);
    throw new ParameterError(
      `unknown parameter "${key}"` +
        (suggestion !== null ? ` (did you mean "${suggestion}"?)` : "") +
        `; the layer's parameters are: ${names.length > 0 ? names.join(", ") : "none"}`,
      key,
    );
  }
  const missing = names.filter((name) => !Object.hasOwn(record, name));
  if (missing.length > 0) {
    throw new ParameterError(
      `missing value for parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`,
      missing[0],
    );
  }
}

/**
 * Reads and validates the parameter values of one call. A parameter given without a leading batch
 * axis (or with a batch axis of length 1) is shared by every member of the batch.
 */
export function readParameters(
  parameters: readonly CanonParameter[],
  parameterSize: number,
  values: unknown,
): ParameterBatch {
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new ParameterError(
      `parameters must be given as an object mapping each parameter name to its value`,
    );
  }
  const record = values as Record<string, unknown>;
  checkParameterNames(parameters, record);

  const given = parameters.map((parameter) => ({
    parameter,
    ...readValue(Object.getOwnPropertyDescriptor(record, parameter.name)?.value, parameter.shape, {
      text: `parameter ${parameter.name}`,
      parameter: parameter.name,
    }),
  }));
  const batch = commonBatch(given);
  for (const g of given) checkAttributes(g);

  const theta = new Float64Array(batch * parameterSize);
  for (const g of given) {
    const { offset, size } = g.parameter;
    const varies = g.batch !== null && g.batch > 1;
    for (let b = 0; b < batch; b++) {
      theta.set(
        g.data.subarray(varies ? b * size : 0, (varies ? b * size : 0) + size),
        b * parameterSize + offset,
      );
    }
  }
  return { batch, given, theta };
}

function commonBatch(given: readonly GivenParameter[]): number {
  let batch = 1;
  let setBy: string | null = null;
  for (const g of given) {
    if (g.batch === null || g.batch === 1) continue;
    if (setBy !== null && g.batch !== batch) {
      throw new ParameterError(
        `inconsistent batch sizes: parameter ${setBy} has a batch of ${batch} but parameter ` +
          `${g.parameter.name} has a batch of ${g.batch}`,
        g.parameter.name,
      );
    }
    batch = g.batch;
    setBy = g.parameter.name;
  }
  return batch;
}

function checkAttributes(g: GivenParameter): void {
  const { name, shape, size, nonneg, nonpos, psd } = g.parameter;
  const symmetric = g.parameter.symmetric === true;
  const members = g.batch ?? 1;
  const memberOf = (b: number) => (g.batch === null ? null : b);
  const where = (b: number) => (g.batch === null ? "" : `, member ${b}`);
  for (let b = 0; b < members; b++) {
    for (let i = 0; (nonneg || nonpos) && i < size; i++) {
      const v = g.data[b * size + i];
      if ((nonneg && v < 0) || (nonpos && v > 0)) {
        const entry = shape.length === 0 ? "" : `, entry [${entryIndex(i, shape).join(", ")}]`;
        throw new ParameterError(
          `parameter ${name}${where(b)}${entry}: ${v} violates its attribute ` +
            `${nonneg ? "nonneg (must be >= 0)" : "nonpos (must be <= 0)"}`,
          name,
          memberOf(b),
        );
      }
    }
    if (psd || symmetric) {
      const problem = psd
        ? psdProblem(g.data, b * size, shape[0], g.tolerance)
        : asymmetryProblem(g.data, b * size, shape[0], g.tolerance, "symmetric");
      if (problem !== null) {
        throw new ParameterError(`parameter ${name}${where(b)}: ${problem}`, name, memberOf(b));
      }
    }
  }
}

function largestEntry(data: Float64Array, offset: number, k: number): number {
  let scale = 1;
  for (let i = 0; i < k * k; i++) scale = Math.max(scale, Math.abs(data[offset + i]));
  return scale;
}

/** Why the k×k matrix at `offset` is not symmetric (up to rounding), or null when it is. */
function asymmetryProblem(
  data: Float64Array,
  offset: number,
  k: number,
  tolerance: number,
  attribute: string,
  scale: number = largestEntry(data, offset, k),
): string | null {
  const limit = tolerance * scale;
  for (let i = 0; i < k; i++) {
    const row = offset + i * k;
    for (let j = 0; j < i; j++) {
      const a = data[row + j];
      const b = data[offset + j * k + i];
      if (Math.abs(a - b) > limit) {
        return `must be symmetric (attribute ${attribute}), but entry [${i}, ${j}] is ${a} and [${j}, ${i}] is ${b}`;
      }
    }
  }
  return null;
}

/**
 * The WebAssembly kernels' Cholesky (several times faster from WASM_MIN_VARIABLES on: at n = 500 a
 * batch of 128 checks would otherwise cost ~1.5 s, a third of the solve) as a first test: when it
 * succeeds the matrix passes; when it fails, or WebAssembly is missing, the check below decides
 * and names the pivot. One provider and buffer for every check, as for `factor`.
 */
let quick: { kernels: WasmDenseKernels; buffer: Float64Array } | null | undefined;

function factorsQuickly(data: Float64Array, offset: number, k: number, shift: number): boolean {
  if (k < WASM_MIN_VARIABLES) return false;
  if (quick === undefined) {
    try {
      const kernels = createWasmKernelsSync({ shared: false });
      quick = { kernels, buffer: kernels.alloc(0) };
    } catch {
      quick = null;
    }
  }
  if (quick === null) return false;
  if (quick.buffer.length < k * k) {
    quick.kernels.reset();
    quick.buffer = quick.kernels.alloc(k * k);
  }
  const { buffer } = quick;
  buffer.set(data.subarray(offset, offset + k * k));
  for (let i = 0; i < k; i++) buffer[i * (k + 1)] += shift;
  return quick.kernels.cholesky(buffer, 0, k);
}

/** The Cholesky factor's storage, reused by every check: one matrix is checked at a time. */
let factor = new Float64Array(0);

/** Why the k×k matrix at `offset` is not symmetric positive semidefinite, or null when it is. */
function psdProblem(
  data: Float64Array,
  offset: number,
  k: number,
  tolerance: number,
): string | null {
  const scale = largestEntry(data, offset, k);
  const asymmetry = asymmetryProblem(data, offset, k, tolerance, "psd", scale);
  if (asymmetry !== null) return asymmetry;
  // A Cholesky factorization of P + δI succeeds exactly when P has no eigenvalue below −δ
  // (up to rounding): δ forgives the rounding of a matrix that is PSD on paper.
  const shift = tolerance * scale * k;
  if (factorsQuickly(data, offset, k, shift)) return null;
  if (factor.length < k * k) factor = new Float64Array(k * k);
  // Only entries left of the diagonal in rows already factored are read: no clearing needed.
  const L = factor;
  for (let j = 0; j < k; j++) {
    const rowJ = j * k;
    let d = data[offset + rowJ + j] + shift;
    for (let t = 0; t < j; t++) d -= L[rowJ + t] * L[rowJ + t];
    if (!(d > 0)) {
      return `must be positive semidefinite (attribute psd), but it has a negative eigenvalue (Cholesky pivot ${j} is ${d.toPrecision(3)})`;
    }
    const ljj = Math.sqrt(d);
    L[rowJ + j] = ljj;
    // Four rows at a time, each summed in the same order as alone: the sums are independent, so
    // the processor overlaps them instead of waiting on one chain of additions.
    let i = j + 1;
    for (; i + 3 < k; i += 4) {
      const r0 = i * k;
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      let s0 = data[offset + r0 + j];
      let s1 = data[offset + r1 + j];
      let s2 = data[offset + r2 + j];
      let s3 = data[offset + r3 + j];
      for (let t = 0; t < j; t++) {
        const ljt = L[rowJ + t];
        s0 -= L[r0 + t] * ljt;
        s1 -= L[r1 + t] * ljt;
        s2 -= L[r2 + t] * ljt;
        s3 -= L[r3 + t] * ljt;
      }
      L[r0 + j] = s0 / ljj;
      L[r1 + j] = s1 / ljj;
      L[r2 + j] = s2 / ljj;
      L[r3 + j] = s3 / ljj;
    }
    for (; i < k; i++) {
      const rowI = i * k;
      let s = data[offset + rowI + j];
      for (let t = 0; t < j; t++) s -= L[rowI + t] * L[rowJ + t];
      L[rowI + j] = s / ljj;
    }
  }
  return null;
}
