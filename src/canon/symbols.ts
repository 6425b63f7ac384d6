import type { Span } from "../dsl/index.js";
import type { Dense } from "./dense.js";
import type { Shape } from "./shape.js";

export interface DimSymbol {
  kind: "dim";
  name: string;
  value: number;
  span: Span;
}

export interface ParameterSymbol {
  kind: "parameter";
  name: string;
  /** Normalised (shape.ts): what the checker's algebra uses. */
  shape: Shape;
  /** As written in the declaration (`[2, 1]` stays `[2, 1]`): what users give and get. */
  declaredShape: readonly number[];
  size: number;
  /** first index in θ */
  offset: number;
  nonneg: boolean;
  nonpos: boolean;
  psd: boolean;
  symmetric: boolean;
  span: Span;
}

export interface ConstantSymbol {
  kind: "constant";
  name: string;
  value: Dense;
  span: Span;
}

export interface VariableSymbol {
  kind: "variable";
  name: string;
  /** Normalised (shape.ts): what the checker's algebra uses. */
  shape: Shape;
  /** As written in the declaration (`[T, 1]` stays `[T, 1]`): what users give and get. */
  declaredShape: readonly number[];
  size: number;
  /** first column of z */
  column: number;
  span: Span;
}

export type NameSymbol = DimSymbol | ParameterSymbol | ConstantSymbol | VariableSymbol;

/**
 * Every declared name. A Map, never a plain object, so that names such as `constructor` or
 * `__proto__` are ordinary names.
 */
export class Scope {
  readonly symbols = new Map<string, NameSymbol>();
  readonly parameters: ParameterSymbol[] = [];
  readonly variables: VariableSymbol[] = [];
  /** names whose declaration failed: their uses stay silent (one mistake, one message) */
  readonly broken = new Set<string>();
  parameterSize = 0;
  variableSize = 0;

  get(name: string): NameSymbol | undefined {
    return this.symbols.get(name);
  }

  has(name: string): boolean {
    return this.symbols.has(name);
  }

  add(symbol: NameSymbol): void {
    this.symbols.set(symbol.name, symbol);
    if (symbol.kind === "parameter") this.parameters.push(symbol);
    if (symbol.kind === "variable") this.variables.push(symbol);
  }

  names(): string[] {
    return [...this.symbols.keys()];
  }
}

export function describeKind(symbol: NameSymbol): string {
  return symbol.kind === "dim" ? "a dim" : `a ${symbol.kind}`;
}
