import { ParameterError, batchingHint, formatShape } from "./parameter-error.js";

/** A number, a (nested) array of numbers, or a typed array holding row-major data. */
export type NumericValue = number | ArrayLike<number> | readonly NumericValue[];

/** Parameter values by name, for `layer.solve`. */
export type ParameterValues = Readonly<Record<string, NumericValue>>;

/** How a value was given, so that its gradient can be returned in the same form. */
export type ValueForm = "number" | "nested" | "typed";

/** A value read against an expected shape, with or without a leading batch axis. */
export interface ReadValue {
  /**
   * Row-major: `batch ?? 1` members of `size` entries each. For a Float64Array given by the
   * caller, that array itself (saving a copy of a large batch): read it during the call only,
   * never write it, as the caller may change it afterwards.
   */
  data: Float64Array;
  /** Length of the leading batch axis, or null when the value had none. */
  batch: number | null;
  form: ValueForm;
  /**
   * Relative tolerance for attribute checks (symmetry, semidefiniteness): looser for float32
   * data, such as a tensor's, whose products are symmetric only up to float32 rounding.
   */
  tolerance: number;
}

const FLOAT64_TOLERANCE = 1e-9;
const FLOAT32_TOLERANCE = 1e-5;

/** What the value is, for messages: "parameter x" or "upstream gradient of z". */
export interface ValueLabel {
  text: string;
  parameter: string | null;
}

export function isNumericView(value: unknown): value is ArrayLike<number> {
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

function isList(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || isNumericView(value);
}

/** The first leaf that is not a finite number, by flat index, with what it was. */
interface BadLeaf {
  index: number;
  value: unknown;
}

/**
 * Reads `value` as an array of the given shape, or a batch of them with a leading axis.
 * A flat typed array is accepted as row-major data of one or several members.
 */
export function readValue(value: unknown, shape: readonly number[], label: ValueLabel): ReadValue {
  const size = shape.reduce((a, b) => a * b, 1);
  if (isNumericView(value)) return readTypedArray(value, shape, size, label);
  if (typeof value !== "number" && !Array.isArray(value)) {
    throw new ParameterError(
      `${label.text}: expected a number or an array of numbers, got ${describeJsValue(value)}`,
      label.parameter,
    );
  }
  const given = nestedShape(value, shape.length + MAX_EXTRA_DEPTH);
  // Deeper than a batch of the expected shape can be: refused before anything walks the nesting,
  // so a value nested a million levels deep costs a few steps, not the stack.
  const tooDeep = given.length > shape.length + 1;
  const batched = given.length === shape.length + 1;
  if (!tooDeep) {
    const data = new Float64Array(given.reduce((a, b) => a * b, 1));
    const bad: BadLeaf[] = [];
    flatten(value, given, batched, data, bad, label);
    if (sameShape(given, shape) || (batched && sameShape(given.slice(1), shape))) {
      const batch = batched ? given[0] : null;
      if (batch === 0) {
        throw new ParameterError(`${label.text}: the batch is empty`, label.parameter);
      }
      if (bad.length > 0) throwBadLeaf(bad[0], shape, size, batch, label);
      return {
        data,
        batch,
        form: typeof value === "number" ? "number" : "nested",
        tolerance: FLOAT64_TOLERANCE,
      };
    }
  }
  const truncated = given.length === shape.length + MAX_EXTRA_DEPTH;
  const got = truncated
    ? `an array nested at least ${given.length} levels deep`
    : `shape ${formatShape(given)}`;
  throw new ParameterError(
    `${label.text}: expected shape ${formatShape(shape)} or [${["batch", ...shape].join(", ")}]` +
      `${shape.length === 0 ? " (a list of scalars)" : ""}, got ${got}` +
      (truncated ? "" : batchingHint(given, shape)),
    label.parameter,
  );
}

function readTypedArray(
  value: ArrayLike<number>,
  shape: readonly number[],
  size: number,
  label: ValueLabel,
): ReadValue {
  const length = value.length;
  if (length === 0 || length % size !== 0) {
    throw new ParameterError(
      `${label.text}: a typed array must hold a whole number of members of shape ` +
        `${formatShape(shape)} (${size} entries each), got length ${length}`,
      label.parameter,
    );
  }
  const batch = length === size ? null : length / size;
  // A Float64Array is read where it lies, not copied: see ReadValue.data.
  const data = value instanceof Float64Array ? value : Float64Array.from(value);
  for (let i = 0; i < length; i++) {
    if (!Number.isFinite(data[i]))
      throwBadLeaf({ index: i, value: data[i] }, shape, size, batch, label);
  }
  const tolerance = value instanceof Float32Array ? FLOAT32_TOLERANCE : FLOAT64_TOLERANCE;
  return { data, batch, form: "typed", tolerance };
}

/** Nesting beyond the expected shape's that a message still spells out as a shape. */
const MAX_EXTRA_DEPTH = 8;

/** Lengths along the first element at each depth, down to at most `maxDepth` levels. */
function nestedShape(value: unknown, maxDepth: number): number[] {
  const shape: number[] = [];
  let current: unknown = value;
  while (isList(current) && shape.length < maxDepth) {
    shape.push(current.length);
    if (current.length === 0) break;
    current = current[0];
  }
  return shape;
}

/**
 * Copies the leaves of `value` (nested to `shape`, at most a few levels) into `out` row-major,
 * noting leaves that are not finite numbers. A list of the wrong length is a ragged array: the
 * error names the batch member it is in when the value has a batch axis.
 */
function flatten(
  value: unknown,
  shape: readonly number[],
  batched: boolean,
  out: Float64Array,
  bad: BadLeaf[],
  label: ValueLabel,
): void {
  let next = 0;
  const visit = (node: unknown, depth: number, member: number | null): void => {
    if (depth === shape.length) {
      if (typeof node === "number" && Number.isFinite(node)) out[next] = node;
      else bad.push({ index: next, value: node });
      next++;
      return;
    }
    if (!isList(node) || node.length !== shape[depth]) {
      const got = isList(node) ? `length ${node.length}` : describeJsValue(node);
      const where = member === null ? "" : ` in member ${member}`;
      throw new ParameterError(
        `${label.text}: ragged array${where}: a list at depth ${depth} has ${got} where the ` +
          `first one has length ${shape[depth]} (every row must have the same length)`,
        label.parameter,
        member,
      );
    }
    for (let i = 0; i < node.length; i++) {
      visit(node[i], depth + 1, member ?? (batched && depth === 0 ? i : null));
    }
  };
  visit(value, 0, null);
}

function throwBadLeaf(
  bad: BadLeaf,
  shape: readonly number[],
  size: number,
  batch: number | null,
  label: ValueLabel,
): never {
  const member = Math.floor(bad.index / size);
  const entry = entryIndex(bad.index % size, shape);
  const where = `${batch === null ? "" : `, member ${member}`}${shape.length === 0 ? "" : `, entry [${entry.join(", ")}]`}`;
  const what =
    typeof bad.value === "number"
      ? `${bad.value} is not a finite number`
      : `${describeJsValue(bad.value)} is not a number`;
  throw new ParameterError(
    `${label.text}${where}: ${what}`,
    label.parameter,
    batch === null ? null : member,
  );
}

/** The multi-index of a row-major flat index. */
export function entryIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function describeJsValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Builds a value of `shape` per member from row-major data, in the given form: a number for a
 * scalar, nested arrays otherwise; with a leading batch axis when `batch` is not null.
 */
export function shapeValue(
  data: Float64Array,
  shape: readonly number[],
  batch: number | null,
  form: ValueForm,
): number | NestedNumbers | Float64Array {
  if (form === "typed") return data;
  if (batch === null) return nest(data, 0, shape);
  const size = shape.reduce((a, b) => a * b, 1);
  return Array.from({ length: batch }, (_, b) => nest(data, b * size, shape));
}

export type NestedNumbers = number | NestedNumbers[];

/** One member's entries at `offset` as a number (scalar), number[] or number[][]. */
export function nest(data: Float64Array, offset: number, shape: readonly number[]): NestedNumbers {
  if (shape.length === 0) return data[offset];
  const [first, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: first }, (_, i) => nest(data, offset + i * stride, rest));
}
