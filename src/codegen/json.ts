import type { AffineMap, CanonicalQP, ParamPolynomial, RowBlock } from "../canon/index.js";
import type { Span } from "../dsl/index.js";
import { auxiliaryName } from "./columns.js";

/** Version of the JSON layout below; bump it when a field changes meaning. */
export const CANON_JSON_VERSION = 1;

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The canonical form as plain JSON for tools: sizes, column layout, parameters, each map as
 * sparse triplets (row, col, value; parameter entries add param and coef), row provenance with
 * line and column, and the objective's offset. Keys come in a fixed order.
 */
export function toJSON(canon: CanonicalQP): { [key: string]: JsonValue } {
  return {
    format: "optnet-canonical-qp",
    version: CANON_JSON_VERSION,
    file: canon.file,
    problem: "minimize 1/2 z'Qz + q'z subject to A z = b, G z <= h",
    dims: { ...canon.dims },
    sizes: { n: canon.n, m: canon.m, p: canon.p, parameterSize: canon.parameterSize },
    parameters: canon.parameters.map((p) => ({
      name: p.name,
      shape: [...p.shape],
      size: p.size,
      offset: p.offset,
      nonneg: p.nonneg,
      nonpos: p.nonpos,
      psd: p.psd,
      ...position(p.span),
    })),
    columns: [
      ...canon.variables.map((v) => ({
        kind: "variable",
        name: v.name,
        shape: [...v.shape],
        start: v.column,
        size: v.size,
        output: v.output,
        ...position(v.span),
      })),
      ...canon.auxiliaries.map((a, i) => ({
        kind: "auxiliary",
        name: auxiliaryName(i),
        atom: a.atom,
        text: a.text,
        start: a.column,
        size: a.size,
        ...position(a.span),
      })),
    ].sort((a, b) => a.start - b.start),
    maps: {
      Q: mapJson(canon.Q),
      q: mapJson(canon.q),
      A: mapJson(canon.A),
      b: mapJson(canon.b),
      G: mapJson(canon.G),
      h: mapJson(canon.h),
    },
    rows: {
      equality: canon.equalityRows.map(rowBlockJson),
      inequality: canon.inequalityRows.map(rowBlockJson),
    },
    constraints: canon.constraints.map((c) => ({
      text: c.text,
      relation: c.relation,
      shape: [...c.shape],
      equality: c.equality,
      start: c.start,
      count: c.count,
      ...position(c.span),
    })),
    objective: {
      sense: canon.objective.sense,
      text: canon.objective.text,
      ...position(canon.objective.span),
      offset: polynomialJson(canon.objective.offset),
      terms: canon.objective.terms.map((t) => ({
        text: t.text,
        dependsOn: [...t.dependsOn],
        ...position(t.span),
      })),
    },
    source: canon.source,
  };
}

/** toJSON, pretty-printed: objects one key per line, number arrays packed to 100 columns. */
export function canonToJsonText(canon: CanonicalQP): string {
  return prettyJson(toJSON(canon), "") + "\n";
}

function position(span: Span): { line: number; column: number } {
  return { line: span.line, column: span.column };
}

function mapJson(map: AffineMap): { [key: string]: JsonValue } {
  const rowCol = (index: number) => [Math.floor(index / map.cols), index % map.cols] as const;
  const constant = map.constant.index.map(rowCol);
  const terms = map.terms.index.map(rowCol);
  return {
    rows: map.rows,
    cols: map.cols,
    constant: {
      row: constant.map(([r]) => r),
      col: constant.map(([, c]) => c),
      value: [...map.constant.value],
    },
    terms: {
      row: terms.map(([r]) => r),
      col: terms.map(([, c]) => c),
      param: [...map.terms.param],
      coef: [...map.terms.coef],
    },
  };
}

function rowBlockJson(block: RowBlock): { [key: string]: JsonValue } {
  return {
    start: block.start,
    count: block.count,
    origin: block.origin,
    constraint: block.constraint,
    atom: block.atom,
    text: block.text,
    structure: block.structure,
    dependsOn: [...block.dependsOn],
    ...position(block.span),
  };
}

function polynomialJson(poly: ParamPolynomial): { [key: string]: JsonValue } {
  return {
    constant: poly.constant,
    linear: { param: [...poly.linear.param], coef: [...poly.linear.coef] },
    quadratic: {
      a: [...poly.quadratic.a],
      b: [...poly.quadratic.b],
      coef: [...poly.quadratic.coef],
    },
  };
}

const WIDTH = 100;

function prettyJson(value: JsonValue, indent: string): string {
  if (value === null || typeof value !== "object") return scalarJson(value);
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) {
      return packedArray(value.map(scalarJson), indent);
    }
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return "{}";
  if (entries.every(([, v]) => isScalar(v) || (Array.isArray(v) && v.every(isScalar)))) {
    const flatValue = (v: JsonValue) =>
      Array.isArray(v) ? `[${v.map(scalarJson).join(", ")}]` : scalarJson(v);
    const flat = `{ ${entries.map(([k, v]) => `${JSON.stringify(k)}: ${flatValue(v)}`).join(", ")} }`;
    if (indent.length + flat.length + 20 <= WIDTH) return flat;
  }
  const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`);
  return `{\n${body.join(",\n")}\n${indent}}`;
}

function isScalar(value: JsonValue): boolean {
  return value === null || typeof value !== "object";
}

function scalarJson(value: JsonValue): string {
  // JSON has no NaN or infinities; null marks them, as JSON.stringify does.
  if (typeof value === "number" && !Number.isFinite(value)) return "null";
  return JSON.stringify(value);
}

/** Short arrays on one line; long ones wrapped so no line passes WIDTH columns. */
function packedArray(items: readonly string[], indent: string): string {
  const oneLine = `[${items.join(", ")}]`;
  if (indent.length + oneLine.length + 20 <= WIDTH) return oneLine;
  const inner = indent + "  ";
  const lines: string[] = [];
  let line = "";
  for (const item of items) {
    const piece = line === "" ? item + "," : ` ${item},`;
    if (line !== "" && inner.length + line.length + piece.length > WIDTH) {
      lines.push(inner + line);
      line = item + ",";
    } else {
      line += piece;
    }
  }
  lines.push(inner + line);
  const body = lines.join("\n");
  return `[\n${body.slice(0, -1)}\n${indent}]`;
}
