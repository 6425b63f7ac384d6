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
}

export function prepareMap(map: AffineMap, parameters: readonly CanonParameter[]): PreparedMap {
  const size = map.rows * map.cols;
  const constant = new Float64Array(size);
  for (let k = 0; k < map.constant.index.length; k++) {
    constant[map.constant.index[k]] += map.constant.value[k];
  }
  const dependsOn = new Set<number>();
  for (const t of map.terms.param) {
    dependsOn.add(parameters.findIndex((p) => t >= p.offset && t < p.offset + p.size));
  }
  return {
    size,
    constant,
    index: Int32Array.from(map.terms.index),
    param: Int32Array.from(map.terms.param),
    coef: Float64Array.from(map.terms.coef),
    dependsOn: [...dependsOn].sort((a, b) => a - b),
  };
}

/** X = map(θ) for `members` members: out (members×size) from theta (members×parameterSize). */
export function evaluateMap(
  map: PreparedMap,
  theta: Float64Array,
  parameterSize: number,
  members: number,
): Float64Array {
  const { size, constant, index, param, coef } = map;
  const out = new Float64Array(members * size);
  for (let b = 0; b < members; b++) {
    const o = b * size;
    const t = b * parameterSize;
    out.set(constant, o);
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
