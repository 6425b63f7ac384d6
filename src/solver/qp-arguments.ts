/**
 * Reading the arguments of `solveQP`: each of Q, q, A, b, G, h is one problem's data (nested
 * arrays), a batch of them (one more leading axis) or a row-major Float64Array whose batch size
 * follows from its length. Arguments without a batch axis are shared by every member.
 */
import type { BatchOperand } from "./types.js";

export type Vector = readonly number[];
export type Matrix = readonly (readonly number[])[];

/** A matrix argument (Q, A, G): one matrix, a batch of matrices, or row-major Float64Array. */
export type MatrixArgument = Matrix | readonly Matrix[] | Float64Array;
/** A vector argument (q, b, h): one vector, a batch of vectors, or a Float64Array. */
export type VectorArgument = Vector | readonly Vector[] | Float64Array;

export interface QPArguments {
  Q: MatrixArgument;
  q: VectorArgument;
  A?: MatrixArgument;
  b?: VectorArgument;
  G?: MatrixArgument;
  h?: VectorArgument;
  /**
   * Sizes of one member (columns of z, equality rows, inequality rows), for when they cannot
   * be read off the arguments: only Float64Arrays whose lengths fit more than one reading.
   */
  sizes?: { n?: number; m?: number; p?: number };
}

export type OperandName = "Q" | "q" | "A" | "b" | "G" | "h";

/** How an argument was given, so gradients can come back in the same form. */
export interface ArgumentForm {
  /** "nested" for (nested) arrays, "flat" for a Float64Array */
  kind: "nested" | "flat";
  /** Whether it had a batch axis (otherwise it is shared and its gradient is summed). */
  batched: boolean;
  /** Members it holds (1 when shared). */
  members: number;
}

/** One argument read into row-major data. */
export interface ReadArgument {
  name: OperandName;
  form: ArgumentForm;
  /** Row-major data of all its members. */
  data: Float64Array;
  /** rows × cols of one member (cols = 1 for a vector). */
  rows: number;
  cols: number;
}

function fail(message: string): never {
  throw new Error(`solveQP: ${message}`);
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((x) => typeof x === "number");
}

function describeMember(batched: boolean, member: number): string {
  return batched ? ` of member ${member}` : "";
}

function checkFinite(
  name: string,
  data: Float64Array,
  batched: boolean,
  rows: number,
  cols: number,
) {
  const size = rows * cols;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      const member = size > 0 ? Math.floor(i / size) : 0;
      const within = i - member * size;
      const isVector = name === "q" || name === "b" || name === "h";
      const where = isVector
        ? `entry ${within}`
        : `row ${Math.floor(within / cols)}, column ${within % cols}`;
      fail(
        `${name}${describeMember(batched, member)} has a non-finite value (${data[i]}) at ${where}`,
      );
    }
  }
}

/** Reads a nested matrix argument (number[][] or number[][][]). */
function readNestedMatrix(name: OperandName, value: readonly unknown[]): ReadArgument {
  const batched = value.length > 0 && Array.isArray(value[0]) && Array.isArray(value[0][0]);
  const members = (batched ? value : [value]) as readonly unknown[][];
  const rows = members[0]?.length ?? 0;
  const cols = rows > 0 && Array.isArray(members[0][0]) ? (members[0][0] as unknown[]).length : 0;
  const data = new Float64Array(members.length * rows * cols);
  members.forEach((matrix, k) => {
    if (!Array.isArray(matrix) || matrix.length !== rows) {
      fail(
        `${name}${describeMember(batched, k)} has ${Array.isArray(matrix) ? matrix.length : "no"} rows, expected ${rows}`,
      );
    }
    matrix.forEach((row, i) => {
      if (!isNumberArray(row))
        fail(`${name}${describeMember(batched, k)} row ${i} is not an array of numbers`);
      if (row.length !== cols) {
        fail(
          `${name}${describeMember(batched, k)} row ${i} has ${row.length} entries, expected ${cols}`,
        );
      }
      data.set(row, (k * rows + i) * cols);
    });
  });
  checkFinite(name, data, batched, rows, cols);
  return { name, form: { kind: "nested", batched, members: members.length }, data, rows, cols };
}

/** Reads a nested vector argument (number[] or number[][]). */
function readNestedVector(name: OperandName, value: readonly unknown[]): ReadArgument {
  const batched = value.length > 0 && Array.isArray(value[0]);
  const members = (batched ? value : [value]) as readonly unknown[];
  const rows = batched ? (members[0] as unknown[]).length : value.length;
  const data = new Float64Array(members.length * rows);
  members.forEach((vector, k) => {
    if (!isNumberArray(vector))
      fail(`${name}${describeMember(batched, k)} is not an array of numbers`);
    if (vector.length !== rows) {
      fail(`${name}${describeMember(batched, k)} has ${vector.length} entries, expected ${rows}`);
    }
    data.set(vector, k * rows);
  });
  checkFinite(name, data, batched, rows, 1);
  return { name, form: { kind: "nested", batched, members: members.length }, data, rows, cols: 1 };
}

/** An argument before its sizes are known: nested ones are read, flat ones wait. */
export type PendingArgument = ReadArgument | { name: OperandName; flat: Float64Array };

export function readArgument(
  name: OperandName,
  value: unknown,
  shape: "matrix" | "vector",
): PendingArgument {
  if (value instanceof Float64Array) return { name, flat: value };
  if (!Array.isArray(value)) {
    fail(
      `${name} must be a ${shape === "matrix" ? "number[][]" : "number[]"}, a batch of them or a Float64Array`,
    );
  }
  return shape === "matrix" ? readNestedMatrix(name, value) : readNestedVector(name, value);
}

/** Reads a Float64Array argument once the size of one member is known. */
export function readFlat(
  name: OperandName,
  flat: Float64Array,
  rows: number,
  cols: number,
): ReadArgument {
  const size = rows * cols;
  if (size === 0) {
    if (flat.length !== 0) fail(`${name} has ${flat.length} entries but its size is 0`);
    return { name, form: { kind: "flat", batched: false, members: 1 }, data: flat, rows, cols };
  }
  if (flat.length === 0 || flat.length % size !== 0) {
    fail(`${name} has ${flat.length} entries, not a multiple of ${rows}×${cols} = ${size}`);
  }
  const members = flat.length / size;
  const batched = members > 1;
  checkFinite(name, flat, batched, rows, cols);
  return { name, form: { kind: "flat", batched, members }, data: flat, rows, cols };
}

export function toOperand(arg: ReadArgument): BatchOperand {
  return { data: arg.data, shared: !arg.form.batched };
}
