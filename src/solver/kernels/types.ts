/**
 * The dense kernels the interior point method is built on. The algorithm calls only these, so a
 * faster implementation (WebAssembly SIMD, see issue "Speed") can replace the plain TypeScript one
 * without touching it.
 *
 * Conventions: every matrix is row-major and addressed as (array, offset) so that one buffer can
 * hold a whole batch. Every buffer a kernel touches must come from `alloc` of the same provider:
 * a WebAssembly provider places them in its linear memory. Kernels never allocate.
 */
export interface DenseKernels {
  readonly name: string;

  /**
   * A buffer the kernels of this provider can work on, its first `zeroed` entries (all, by
   * default) zero; the rest may hold anything (a provider that reuses memory need not write it).
   */
  alloc(length: number, zeroed?: number): Float64Array;

  /** out (n×n, lower triangle written, upper left untouched) += Gᵀ diag(w) G, G is p×n. */
  syrkWeighted(
    G: Float64Array,
    gOff: number,
    p: number,
    n: number,
    w: Float64Array,
    wOff: number,
    out: Float64Array,
    outOff: number,
  ): void;

  /** out (k×k, lower triangle) = X Xᵀ, X is k×n. */
  syrk(
    X: Float64Array,
    xOff: number,
    k: number,
    n: number,
    out: Float64Array,
    outOff: number,
  ): void;

  /**
   * out (k×k, lower triangle) = C + X Xᵀ, C k×k (lower triangle read; may be shared by members).
   * Optional (a provider without it gets syrk then an addition): one pass instead of two.
   */
  syrkPlus?(
    X: Float64Array,
    xOff: number,
    k: number,
    n: number,
    C: Float64Array,
    cOff: number,
    out: Float64Array,
    outOff: number,
  ): void;

  /** out (rows×cols) = M diag(d). Optional, like syrkPlus. */
  scaleColumns?(
    M: Float64Array,
    mOff: number,
    rows: number,
    cols: number,
    d: Float64Array,
    dOff: number,
    out: Float64Array,
    outOff: number,
  ): void;

  /**
   * One pass over M (rows×cols) for two products: y = M x, then v = d∘y + c (v = c when d is
   * null) and out ← beta·out + Mᵀ v. Optional, like syrkPlus: the products are bound by memory
   * traffic, so reading M once instead of twice is what counts. v may not alias c's other rows.
   */
  gemvPair?(
    M: Float64Array,
    mOff: number,
    rows: number,
    cols: number,
    x: Float64Array,
    xOff: number,
    y: Float64Array,
    yOff: number,
    d: Float64Array | null,
    dOff: number,
    c: Float64Array,
    cOff: number,
    v: Float64Array,
    vOff: number,
    beta: number,
    out: Float64Array,
    outOff: number,
  ): void;

  /**
   * In-place Cholesky of the lower triangle of the n×n matrix at (a, off): a = L Lᵀ.
   * Returns false (leaving `a` partly overwritten) when a pivot is not positive.
   */
  cholesky(a: Float64Array, off: number, n: number): boolean;

  /**
   * The Cholesky factor, into (a, off) (n×n, lower triangle), of the n×n matrix gathered from the
   * lower triangle of C (stride×stride at cOff): entry (i, j), i > j, is C[index_i·stride +
   * index_j] and the diagonal is (diagonal, dOff). `index` holds n ascending row numbers (at
   * indexOff, as float64), or is null for 0 … n−1. The same arithmetic as gathering that matrix
   * into `a` and calling `cholesky`, which is what both providers do: the WebAssembly one in one
   * call, where a gather from TypeScript would cost a call per row. Returns false like `cholesky`.
   */
  choleskyGathered(
    C: Float64Array,
    cOff: number,
    stride: number,
    index: Float64Array | null,
    indexOff: number,
    diagonal: Float64Array,
    dOff: number,
    a: Float64Array,
    off: number,
    n: number,
  ): boolean;

  /** x ← L⁻¹ x for the lower-triangular n×n L at (L, lOff). */
  solveLower(L: Float64Array, lOff: number, n: number, x: Float64Array, xOff: number): void;

  /** x ← L⁻ᵀ x. */
  solveLowerTransposed(
    L: Float64Array,
    lOff: number,
    n: number,
    x: Float64Array,
    xOff: number,
  ): void;

  /** B (k×n, each row a right-hand side) ← B L⁻ᵀ, i.e. every row b ← L⁻¹ b. */
  solveLowerRows(
    L: Float64Array,
    lOff: number,
    n: number,
    B: Float64Array,
    bOff: number,
    k: number,
  ): void;

  /** y ← alpha·M x + beta·y for M rows×cols (or Mᵀ x when `transposed`). */
  gemv(
    M: Float64Array,
    mOff: number,
    rows: number,
    cols: number,
    transposed: boolean,
    alpha: number,
    x: Float64Array,
    xOff: number,
    beta: number,
    y: Float64Array,
    yOff: number,
  ): void;
}
