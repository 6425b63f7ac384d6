import type { CanonicalQP } from "../canon/index.js";
import type { BatchOperand, GradientRequest, QPBatch } from "../solver/index.js";
import { evaluateMap, prepareMap, type PreparedMap } from "./affine.js";
import type { ParameterBatch } from "./parameters.js";

export const OPERANDS = ["Q", "q", "A", "b", "G", "h"] as const;
export type OperandName = (typeof OPERANDS)[number];

/** What a layer computes once from its CanonicalQP and reuses on every call. */
export interface PreparedProblem {
  n: number;
  m: number;
  p: number;
  parameterSize: number;
  maps: Record<OperandName, PreparedMap>;
  /** Operands that no parameter touches, built once and shared by every member of every call. */
  fixed: Partial<Record<OperandName, BatchOperand>>;
  /** The gradients the backward pass must produce: those of parameter-dependent operands. */
  request: GradientRequest;
}

export function prepareProblem(canon: CanonicalQP): PreparedProblem {
  const maps = Object.fromEntries(
    OPERANDS.map((name) => [name, prepareMap(canon[name], canon.parameters)]),
  ) as Record<OperandName, PreparedMap>;
  const fixed: Partial<Record<OperandName, BatchOperand>> = {};
  const request: GradientRequest = {};
  for (const name of OPERANDS) {
    const constant = maps[name].index.length === 0;
    if (constant) fixed[name] = { data: maps[name].constant, shared: true };
    request[name] = !constant;
  }
  return {
    n: canon.n,
    m: canon.m,
    p: canon.p,
    parameterSize: canon.parameterSize,
    maps,
    fixed,
    request,
  };
}

/**
 * The solver's input for one call. An operand whose parameters are all shared by the batch is
 * built once and marked shared, so the solver can treat it as one matrix for every member.
 */
export function buildBatch(prepared: PreparedProblem, params: ParameterBatch): QPBatch {
  const { batch, given, theta } = params;
  const operand = (name: OperandName): BatchOperand => {
    const fixed = prepared.fixed[name];
    if (fixed !== undefined) return fixed;
    const map = prepared.maps[name];
    const varies = batch > 1 && map.dependsOn.some((i) => (given[i].batch ?? 1) > 1);
    return {
      data: evaluateMap(map, theta, prepared.parameterSize, varies ? batch : 1),
      shared: !varies,
    };
  };
  return {
    batch,
    n: prepared.n,
    m: prepared.m,
    p: prepared.p,
    Q: operand("Q"),
    q: operand("q"),
    A: operand("A"),
    b: operand("b"),
    G: operand("G"),
    h: operand("h"),
  };
}
