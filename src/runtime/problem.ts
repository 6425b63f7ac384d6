import type { CanonicalQP } from "../canon/index.js";
import type { BatchOperand, GradientRequest, QPBatch, QPStructure } from "../solver/index.js";
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
  /**
   * What the solver may exploit: the rows of G that are parameter-free ±e_j (bounds), and the
   * columns the compiler added (none where the list is empty).
   */
  structure: QPStructure;
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
  const boundRows = findBoundRows(maps.G, canon.p, canon.n);
  const auxiliaryColumns = Int32Array.from(
    canon.auxiliaries.flatMap(({ column, size }) =>
      Array.from({ length: size }, (_, i) => column + i),
    ),
  ).sort();
  return {
    n: canon.n,
    m: canon.m,
    p: canon.p,
    parameterSize: canon.parameterSize,
    maps,
    fixed,
    request,
    structure: {
      ...(boundRows.row.length > 0 ? { boundRows } : {}),
      auxiliaryColumns,
    },
  };
}

/**
 * The rows of G that are ±e_j in every member: one constant entry ±1 and no parameter term.
 * Read off the map itself rather than the row blocks' labels, so a bound is found wherever the
 * compiler put it.
 */
function findBoundRows(
  G: PreparedMap,
  p: number,
  n: number,
): NonNullable<QPStructure["boundRows"]> {
  const touched = new Uint8Array(p);
  for (const index of G.index) touched[Math.floor(index / n)] = 1;
  const row: number[] = [];
  const column: number[] = [];
  const sign: number[] = [];
  for (let i = 0; i < p; i++) {
    if (touched[i]) continue;
    let nonzero = -1;
    let count = 0;
    for (let j = 0; j < n; j++) {
      if (G.constant[i * n + j] !== 0) {
        nonzero = j;
        count++;
      }
    }
    const value = G.constant[i * n + nonzero];
    if (count === 1 && (value === 1 || value === -1)) {
      row.push(i);
      column.push(nonzero);
      sign.push(value);
    }
  }
  return {
    row: Int32Array.from(row),
    column: Int32Array.from(column),
    sign: Float64Array.from(sign),
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
    structure: prepared.structure,
  };
}
