/**
 * Shapes of values: [] is a scalar, [k] a column vector, [r, c] a matrix (c ≥ 2, r may be 1 for
 * a row). Shapes are kept normalised so that equal meaning means equal arrays: a k×1 matrix is
 * the vector [k], and a 1-vector or 1×1 matrix is the scalar [].
 */
export type Shape = readonly number[];

/** The most entries any one value may have: a dense block larger than this is refused. */
export const MAX_ENTRIES = 10_000_000;

export function normalizeShape(shape: readonly number[]): Shape {
  if (shape.length === 0) return [];
  if (shape.length === 1) return shape[0] === 1 ? [] : [shape[0]];
  const [r, c] = shape;
  if (c === 1) return r === 1 ? [] : [r];
  return [r, c];
}

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function isScalar(shape: Shape): boolean {
  return shape.length === 0;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Rows and columns of a shape seen as a matrix (a vector is a column). */
export function asMatrix(shape: Shape): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0], 1];
  return [shape[0], shape[1]];
}

export function transposeShape(shape: Shape): Shape {
  const [r, c] = asMatrix(shape);
  return normalizeShape([c, r]);
}

/** The shape of an elementwise combination: equal shapes, or a scalar against anything. */
export function broadcastShapes(a: Shape, b: Shape): Shape | null {
  if (isScalar(a)) return b;
  if (isScalar(b)) return a;
  return sameShape(a, b) ? a : null;
}

/** The shape of a matrix product, or null when the inner sizes differ. */
export function matmulShape(a: Shape, b: Shape): Shape | null {
  const [ar, ac] = asMatrix(a);
  const [br, bc] = asMatrix(b);
  if (ac !== br) return null;
  return normalizeShape([ar, bc]);
}

export function formatShape(shape: Shape): string {
  if (shape.length === 0) return "scalar";
  if (shape.length === 1) return `vector [${shape[0]}]`;
  return `matrix [${shape[0]}×${shape[1]}]`;
}
