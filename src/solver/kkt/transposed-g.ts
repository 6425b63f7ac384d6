/**
 * G's dense rows transposed (ProblemData.Gt, n×denseCount), which the dense and eliminated forms
 * read to write diag(√w)-scaled copies of G in order. Made on a form's first read of a member
 * rather than before every member's iterations: the range-space form, which most large members
 * take, never reads it, and at n = p = 500 the transposition is ~3% of such a member's solve.
 */
import type { ProblemData } from "../workspace.js";

/** Member k's Gt, transposed now unless it already is (`findUnitRows` of member k first). */
export function transposedG(data: ProblemData, k: number): Float64Array {
  // A shared G is transposed once, when the workspace is made.
  if (data.stride.G !== 0 && data.transposedOf[0] !== k) transposeG(data, k);
  return data.Gt;
}

/** Gt ← member k's dense rows of G, transposed. */
export function transposeG(data: ProblemData, k: number): void {
  const { n, G, Gt, denseRows } = data;
  const count = data.denseCount[0];
  const gOff = k * data.stride.G;
  for (let t = 0; t < count; t++) {
    const from = gOff + denseRows[t] * n;
    for (let j = 0; j < n; j++) Gt[j * count + t] = G[from + j];
  }
  data.transposedOf[0] = k;
}
