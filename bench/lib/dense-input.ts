/**
 * A dense QP as the reference wrappers take it: minimize 1/2 z'Qz + q'z s.t. Az = b, Gz <= h,
 * every matrix flat and row-major. A generated problem (DenseProblem) is one as it stands.
 */
export interface DenseInput {
  Q: ArrayLike<number>;
  q: ArrayLike<number>;
  G: ArrayLike<number>;
  h: ArrayLike<number>;
  /** absent (or empty) without equalities */
  A?: ArrayLike<number>;
  b?: ArrayLike<number>;
}

/** Sizes of a dense QP, checked once for both reference wrappers. */
export interface DenseSizes {
  n: number;
  m: number;
  p: number;
}

export function denseSizes({ Q, q, G, h, A, b }: DenseInput): DenseSizes {
  const n = q.length;
  const p = h.length;
  const m = b?.length ?? 0;
  if (Q.length !== n * n) throw new Error(`Q has ${Q.length} entries, expected ${n}×${n}`);
  if (G.length !== p * n) throw new Error(`G has ${G.length} entries, expected ${p}×${n}`);
  if ((A?.length ?? 0) !== m * n)
    throw new Error(`A has ${A?.length ?? 0} entries, expected ${m}×${n}`);
  return { n, m, p };
}
