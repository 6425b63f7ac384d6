import type { CanonicalQP } from "../canon/index.js";
import type { QPGradients } from "../solver/index.js";
import { accumulateTranspose } from "./affine.js";
import { ParameterError, closestName } from "./parameter-error.js";
import type { ParameterBatch } from "./parameters.js";
import { OPERANDS, type PreparedProblem } from "./problem.js";
import { readValue, shapeValue, type NestedNumbers } from "./values.js";

/** A parameter's gradient, in the form its value was given: number, nested arrays or typed. */
export type ParameterGradient = NestedNumbers | Float64Array;

/**
 * dℓ/dz (batch×n) from upstream gradients of the output variables, each in the shape of
 * `out.variables[name]` (a leading batch axis; optional for a batch of one). Missing variables
 * and auxiliary columns get zero.
 */
export function upstreamToDz(canon: CanonicalQP, upstream: unknown, batch: number): Float64Array {
  if (typeof upstream !== "object" || upstream === null || Array.isArray(upstream)) {
    throw new ParameterError(
      "the upstream gradient must be an object mapping output variable names to arrays",
    );
  }
  const outputs = canon.variables.filter((v) => v.output);
  const names = outputs.map((v) => v.name);
  const record = upstream as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (names.includes(key)) continue;
    const suggestion = closestName(key, names);
    throw new ParameterError(
      `upstream gradient for "${key}", which is not an output variable` +
        (suggestion !== null ? ` (did you mean "${suggestion}"?)` : "") +
        `; the outputs are: ${names.join(", ")}`,
    );
  }
  const dz = new Float64Array(batch * canon.n);
  for (const v of outputs) {
    if (!Object.hasOwn(record, v.name)) continue;
    const label = { text: `upstream gradient of ${v.name}`, parameter: null };
    const value = readValue(Object.getOwnPropertyDescriptor(record, v.name)?.value, v.shape, label);
    const members = value.batch ?? 1;
    if (members !== batch) {
      throw new ParameterError(
        `${label.text}: expected a batch of ${batch} (one per member of the solve), got ${members}`,
      );
    }
    for (let b = 0; b < batch; b++) {
      dz.set(value.data.subarray(b * v.size, (b + 1) * v.size), b * canon.n + v.column);
    }
  }
  return dz;
}

/**
 * The gradient of every parameter: the transpose of the canonical affine map applied to the
 * solver's dQ..dh. A parameter shared by the batch gets the sum over the members.
 */
export function parameterGradients(
  prepared: PreparedProblem,
  params: ParameterBatch,
  grads: QPGradients,
): Record<string, ParameterGradient> {
  const { batch, given } = params;
  const size = prepared.parameterSize;
  const dTheta = new Float64Array(batch * size);
  for (const name of OPERANDS) {
    const dX = grads[name];
    if (dX !== undefined && prepared.request[name]) {
      accumulateTranspose(prepared.maps[name], dX, dTheta, size, batch);
    }
  }
  return Object.fromEntries(
    given.map((g) => {
      const { name, shape, offset } = g.parameter;
      const perMember = g.batch !== null && g.batch === batch;
      const members = perMember ? batch : 1;
      const data = new Float64Array(members * g.parameter.size);
      for (let b = 0; b < batch; b++) {
        const target = perMember ? b * g.parameter.size : 0;
        for (let i = 0; i < g.parameter.size; i++)
          data[target + i] += dTheta[b * size + offset + i];
      }
      return [name, shapeValue(data, shape, g.batch, g.form)];
    }),
  );
}
