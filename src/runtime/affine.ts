import type { AffineMap, CanonParameter } from "../canon/index.js";

/**
 * An AffineMap of the CanonicalQP prepared once per layer: the constant part as a dense array and
 * the parameter terms as typed index arrays, so that each call only streams parameter values.
 */
export interface PreparedMap {
  /** Entries of the dense result (rows·cols). */
  size: number;
  constant: Float64Array;
  index: Int32Array;
  param: Int32Array;
  coef: Float64Array;
  /** Indices (into the layer's parameters) of the parameters the map depends on. */
  dependsOn: number[];
  /** The terms again, one group per parameter in `dependsOn`, for the transpose. */
  byParameter: ParameterTerms[];
  /** The terms again, for the forward evaluation: runs as blocks, the rest one by one. */
  forward: ForwardTerms;
}

/**
 * The terms of a map for its evaluation, grouped by the result entry they write, each entry's
 * terms in their original order (so every entry sums exactly as term-by-term evaluation does).
 * Runs are blocks of consecutive entries that each have `runTerms` (1 or 2) terms, term t of the
 * run's i-th entry reading θ[runParam_t + i·runStride_t] with coefficient runCoef_t: a parameter
 * matrix copied into an operand (stride 1), or symmetrized into Q (½Pᵢⱼ + ½Pⱼᵢ: strides 1 and
 * n). The other terms follow one by one.
 */
export interface ForwardTerms {
  runIndex: Int32Array;
  runLength: Int32Array;
  runTerms: Int32Array;
  runParam1: Int32Array;
  runStride1: Int32Array;
  runCoef1: Float64Array;
  runParam2: Int32Array;
  runStride2: Int32Array;
  runCoef2: Float64Array;
  index: Int32Array;
  param: Int32Array;
  coef: Float64Array;
}

/**
 * The terms of a map that read one parameter, for the transpose: runs (a block of consecutive
 * result entries from consecutive parameter entries with one coefficient, such as a parameter
 * matrix copied into G) are kept as blocks, the rest as single terms `index[k]` ← `local[k]`.
 */
export interface ParameterTerms {
  /** Index into the layer's parameters. */
  parameter: number;
  runIndex: Int32Array;
  runLocal: Int32Array;
  runLength: Int32Array;
  runCoef: Float64Array;
  index: Int32Array;
  local: Int32Array;
  coef: Float64Array;
}

/** Shorter runs cost more as blocks than as single terms. */
const MIN_RUN = 8;

function groupTerms(
  parameter: number,
  index: readonly number[],
  local: readonly number[],
  coef: readonly number[],
): ParameterTerms {
  // Terms of one run share index − local: sorting by it, then by local, puts each run together.
  const order = index
    .map((_, k) => k)
    .sort((a, b) => index[a] - local[a] - (index[b] - local[b]) || local[a] - local[b]);
  const runs: number[][] = [];
  const single: number[] = [];
  for (let start = 0; start < order.length;) {
    let end = start + 1;
    const k0 = order[start];
    while (
      end < order.length &&
      index[order[end]] === index[k0] + (end - start) &&
      local[order[end]] === local[k0] + (end - start) &&
      coef[order[end]] === coef[k0]
    ) {
      end++;
    }
    if (end - start >= MIN_RUN) runs.push([index[k0], local[k0], end - start, coef[k0]]);
    else single.push(...order.slice(start, end));
    start = end;
  }
  // Single terms in the order of the gradient they write, which then streams.
  single.sort((a, b) => local[a] - local[b] || index[a] - index[b]);
  return {
    parameter,
    runIndex: Int32Array.from(runs, (r) => r[0]),
    runLocal: Int32Array.from(runs, (r) => r[1]),
    runLength: Int32Array.from(runs, (r) => r[2]),
    runCoef: Float64Array.from(runs, (r) => r[3]),
    index: Int32Array.from(single, (k) => index[k]),
    local: Int32Array.from(single, (k) => local[k]),
    coef: Float64Array.from(single, (k) => coef[k]),
  };
}

export function prepareMap(map: AffineMap, parameters: readonly CanonParameter[]): PreparedMap {
  const size = map.rows * map.cols;
  const constant = new Float64Array(size);
  for (let k = 0; k < map.constant.index.length; k++) {
    constant[map.constant.index[k]] += map.constant.value[k];
  }
  const owner = (t: number) => parameters.findIndex((p) => t >= p.offset && t < p.offset + p.size);
  const groups = new Map<number, number[]>();
  map.terms.param.forEach((t, k) => {
    const parameter = owner(t);
    const group = groups.get(parameter);
    if (group === undefined) groups.set(parameter, [k]);
    else group.push(k);
  });
  const dependsOn = [...groups.keys()].sort((a, b) => a - b);
  const byParameter = dependsOn.map((parameter) => {
    const terms = groups.get(parameter)!;
    const offset = parameters[parameter].offset;
    return groupTerms(
      parameter,
      terms.map((k) => map.terms.index[k]),
      terms.map((k) => map.terms.param[k] - offset),
      terms.map((k) => map.terms.coef[k]),
    );
  });
  return {
    size,
    constant,
    index: Int32Array.from(map.terms.index),
    param: Int32Array.from(map.terms.param),
    coef: Float64Array.from(map.terms.coef),
    dependsOn,
    byParameter,
    forward: forwardTerms(map.terms.index, map.terms.param, map.terms.coef, size),
  };
}

function forwardTerms(
  index: readonly number[],
  param: readonly number[],
  coef: readonly number[],
  size: number,
): ForwardTerms {
  // The terms of each entry, in their original order (a counting sort by entry).
  const start = new Int32Array(size + 1);
  for (const e of index) start[e + 1]++;
  for (let e = 0; e < size; e++) start[e + 1] += start[e];
  const fill = start.slice(0, size);
  const byEntry = new Int32Array(index.length);
  for (let k = 0; k < index.length; k++) byEntry[fill[index[k]]++] = k;
  const count = (e: number) => start[e + 1] - start[e];
  const term = (e: number, t: number) => byEntry[start[e] + t];

  const runs: number[][] = [];
  const rest: number[] = [];
  // Whether entry e continues, with the same coefficients and θ strides, the run begun at `first`.
  const continues = (first: number, e: number, terms: number, strides: number[]): boolean => {
    if (count(e) !== terms) return false;
    for (let t = 0; t < terms; t++) {
      const k0 = term(first, t);
      const k = term(e, t);
      if (coef[k] !== coef[k0] || param[k] !== param[k0] + (e - first) * strides[t]) return false;
    }
    return true;
  };
  for (let e = 0; e < size;) {
    const terms = count(e);
    if (terms === 0) {
      e++;
      continue;
    }
    if (terms <= 2 && e + 1 < size && count(e + 1) === terms) {
      const strides = [0, 0];
      for (let t = 0; t < terms; t++) strides[t] = param[term(e + 1, t)] - param[term(e, t)];
      let end = e + 1;
      while (end < size && continues(e, end, terms, strides)) end++;
      if (end - e >= MIN_RUN) {
        const k1 = term(e, 0);
        const k2 = term(e, terms - 1);
        runs.push([
          e,
          end - e,
          terms,
          param[k1],
          strides[0],
          coef[k1],
          param[k2],
          strides[1],
          coef[k2],
        ]);
        e = end;
        continue;
      }
    }
    for (let t = 0; t < terms; t++) rest.push(term(e, t));
    e++;
  }
  const column = (c: number) => runs.map((r) => r[c]);
  return {
    runIndex: Int32Array.from(column(0)),
    runLength: Int32Array.from(column(1)),
    runTerms: Int32Array.from(column(2)),
    runParam1: Int32Array.from(column(3)),
    runStride1: Int32Array.from(column(4)),
    runCoef1: Float64Array.from(column(5)),
    runParam2: Int32Array.from(column(6)),
    runStride2: Int32Array.from(column(7)),
    runCoef2: Float64Array.from(column(8)),
    index: Int32Array.from(rest, (k) => index[k]),
    param: Int32Array.from(rest, (k) => param[k]),
    coef: Float64Array.from(rest, (k) => coef[k]),
  };
}

/** X = map(θ) for `members` members: out (members×size) from theta (members×parameterSize). */
export function evaluateMap(
  map: PreparedMap,
  theta: Float64Array,
  parameterSize: number,
  members: number,
): Float64Array {
  const { size, constant } = map;
  const f = map.forward;
  const { index, param, coef } = f;
  const out = new Float64Array(members * size);
  for (let b = 0; b < members; b++) {
    const o = b * size;
    const t = b * parameterSize;
    out.set(constant, o);
    for (let r = 0; r < f.runIndex.length; r++) {
      const to = o + f.runIndex[r];
      const length = f.runLength[r];
      const p1 = t + f.runParam1[r];
      const s1 = f.runStride1[r];
      const c1 = f.runCoef1[r];
      if (f.runTerms[r] === 1) {
        for (let i = 0; i < length; i++) out[to + i] += c1 * theta[p1 + i * s1];
      } else {
        // Left to right, as the terms one by one: (constant + c1·θ1) + c2·θ2.
        const p2 = t + f.runParam2[r];
        const s2 = f.runStride2[r];
        const c2 = f.runCoef2[r];
        for (let i = 0; i < length; i++) {
          out[to + i] = out[to + i] + c1 * theta[p1 + i * s1] + c2 * theta[p2 + i * s2];
        }
      }
    }
    for (let k = 0; k < index.length; k++) out[o + index[k]] += coef[k] * theta[t + param[k]];
  }
  return out;
}

/** dθ += mapᵀ dX for every member: the transpose of the map's linear part. */
export function accumulateTranspose(
  map: PreparedMap,
  dX: Float64Array,
  dTheta: Float64Array,
  parameterSize: number,
  members: number,
): void {
  const { size, index, param, coef } = map;
  for (let b = 0; b < members; b++) {
    const o = b * size;
    const t = b * parameterSize;
    for (let k = 0; k < index.length; k++) dTheta[t + param[k]] += coef[k] * dX[o + index[k]];
  }
}

/**
 * d(parameter) += termsᵀ dX for every member: straight into the parameter's own gradient, which
 * has one row per member (`perMember`) or one row summed over the batch (a shared parameter).
 * `dX` holds `members` rows of `xSize` entries.
 */
export function accumulateParameterTranspose(
  terms: ParameterTerms,
  dX: Float64Array,
  xSize: number,
  out: Float64Array,
  parameterSize: number,
  members: number,
  perMember: boolean,
): void {
  const { runIndex, runLocal, runLength, runCoef, index, local, coef } = terms;
  for (let b = 0; b < members; b++) {
    const o = b * xSize;
    const t = perMember ? b * parameterSize : 0;
    for (let r = 0; r < runIndex.length; r++) {
      const from = o + runIndex[r];
      const to = t + runLocal[r];
      const c = runCoef[r];
      const length = runLength[r];
      for (let i = 0; i < length; i++) out[to + i] += c * dX[from + i];
    }
    for (let k = 0; k < index.length; k++) out[t + local[k]] += coef[k] * dX[o + index[k]];
  }
}
