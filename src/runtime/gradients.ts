import type { CanonicalQP } from "../canon/index.js";
import type { QPGradients } from "../solver/index.js";
import { accumulateParameterTranspose, type ParameterTerms } from "./affine.js";
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
 * solver's dQ..dh, accumulated straight into each parameter's gradient (no batch × θ array in
 * between). A parameter shared by the batch gets the sum over the members.
 */
export function parameterGradients(
  prepared: PreparedProblem,
  params: ParameterBatch,
  grads: QPGradients,
): Record<string, ParameterGradient> {
  const { batch, given } = params;
  const perMember = given.map((g) => g.batch !== null && g.batch === batch);
  const uses = given.map(() => [] as { terms: ParameterTerms; dX: Float64Array; xSize: number }[]);
  for (const name of OPERANDS) {
    const dX = grads[name];
    if (dX === undefined || !prepared.request[name]) continue;
    const map = prepared.maps[name];
    for (const terms of map.byParameter) uses[terms.parameter].push({ terms, dX, xSize: map.size });
  }
  const data = given.map((g, i) => {
    const size = g.parameter.size;
    const only = uses[i].length === 1 ? uses[i][0] : null;
    // A parameter that is a whole operand (G, h in OptNet's layer) has that operand's gradient:
    // the solver's fresh array is returned as it is, without a copy.
    if (only !== null && perMember[i] && isWholeOperand(only.terms, only.xSize, size)) {
      return only.dX;
    }
    const out = new Float64Array((perMember[i] ? batch : 1) * size);
    for (const { terms, dX, xSize } of uses[i]) {
      accumulateParameterTranspose(terms, dX, xSize, out, size, batch, perMember[i]);
    }
    return out;
  });
  return Object.fromEntries(
    given.map((g, i) => [
      g.parameter.name,
      shapeValue(data[i], g.parameter.shape, g.batch, g.form),
    ]),
  );
}

/** Whether the terms copy the parameter entry for entry onto all of an operand of its size. */
function isWholeOperand(terms: ParameterTerms, xSize: number, parameterSize: number): boolean {
  return (
    xSize === parameterSize &&
    terms.index.length === 0 &&
    terms.runIndex.length === 1 &&
    terms.runIndex[0] === 0 &&
    terms.runLocal[0] === 0 &&
    terms.runLength[0] === xSize &&
    terms.runCoef[0] === 1
  );
}
