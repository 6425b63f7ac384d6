/**
 * The solver's own input and output types. The solver knows nothing of the language: the runtime
 * translates a CanonicalQP into a `QPBatch`.
 *
 * Problem, for each batch member:  minimize 1/2 z'Qz + q'z  s.t.  Az = b,  Gz <= h
 * Duals follow the sign convention  Qz + q + A'nu + G'lam = 0,  lam >= 0.
 */

import type { DenseKernels } from "./kernels/types.js";

export type QPStatus = "solved" | "infeasible" | "unbounded" | "max_iterations" | "numerical_error";

/**
 * Row-major data of one operand. `shared` means `data` holds one member's data used by every
 * member of the batch; otherwise it holds `batch` members back to back.
 */
export interface BatchOperand {
  data: Float64Array;
  shared: boolean;
}

/**
 * Structure of the problem that the compiler knows and the solver can exploit. Optional: a batch
 * without it is solved as dense, with the same results up to rounding.
 */
export interface QPStructure {
  /**
   * Rows of G that are signed unit vectors, the same in every member: for each t,
   * G[row[t], :] = sign[t]·e_{column[t]}, i.e. the inequality sign[t]·z[column[t]] <= h[row[t]]
   * (a bound; h may differ by member). `row` holds distinct indices in [0, p), `column` indices
   * in [0, n), `sign` ±1; the three arrays have one entry per bound row. G's data must hold these
   * rows all the same (solveBatch checks it). Their part of G' diag(w) G is a diagonal update and
   * of G z a gather, so they cost O(1) instead of O(n) per use and nothing in the n×n product.
   */
  boundRows?: { row: Int32Array; column: Int32Array; sign: Float64Array };
  /**
   * The columns of z that the compiler added (the epigraph variables of piecewise linear atoms,
   * the residuals of quadratic parts), distinct and ascending. The elimination of auxiliary
   * columns (SolverOptions.eliminateAuxiliary) then considers these columns only, instead of
   * looking for them among all n in each member's data; which of them it eliminates still
   * depends on the member's data (a column with curvature coupled to others, or in equality
   * rows, is kept).
   */
  auxiliaryColumns?: Int32Array;
}

export interface QPBatch {
  batch: number;
  /** columns of z */
  n: number;
  /** equality rows */
  m: number;
  /** inequality rows */
  p: number;
  Q: BatchOperand;
  q: BatchOperand;
  /** m×n; empty when m = 0 */
  A: BatchOperand;
  b: BatchOperand;
  /** p×n; empty when p = 0 */
  G: BatchOperand;
  h: BatchOperand;
  /** What is known about the structure of the data (see QPStructure). */
  structure?: QPStructure;
}

export interface SolverOptions {
  /**
   * Relative tolerance (default 1e-9). A member is `solved` when, measured in the caller's
   * unscaled data with ∞-norms, each of the primal residual (‖Az − b‖ and the violation
   * max(Gz − h, 0), row by row), the dual residual (Qz + q + A'nu + G'lam, column by column) and
   * the duality gap |z'Qz + q'z + b'nu + h'lam| is at most epsAbs + eps·(its scale): the largest
   * of the terms it sums (for a row, |a_i'z| and |b_i|; for a column, |(Qz)_j|, |q_j|,
   * |(A'nu)_j|, |(G'lam)_j|; for the gap, each of its four terms).
   */
  eps?: number;
  /**
   * Absolute tolerance (default 0). `{ eps: 0, epsAbs: 1e-9 }` is qpbenchmark's "high accuracy":
   * every residual and the gap at most 1e-9 in the caller's units.
   */
  epsAbs?: number;
  /**
   * Ruiz equilibration of Q, A, G and the cost before the iteration (default true), undone on
   * every output and in the backward pass (scaling.ts). False iterates on the data as given.
   */
  scaling?: boolean;
  /** Iteration cap (default 50). */
  maxIter?: number;
  /** Start from a previous solution of a problem of the same sizes (warm start). */
  warmStart?: { z: Float64Array; lam: Float64Array; nu: Float64Array; s: Float64Array };
  /**
   * The dense kernels: "wasm" (WebAssembly SIMD, a fresh memory per solve), "typescript", or a
   * provider of your own (its buffers must outlive every backward call of the solution). Default:
   * "wasm" from n ≥ 16 where WebAssembly is available, "typescript" below (calls cost more than
   * the arithmetic there).
   */
  kernels?: KernelChoice;
  /**
   * Eliminate auxiliary columns in closed form (default true): a column whose rows of Q and A are
   * empty apart from Q's diagonal and that shares no row of G with another such column (the t of
   * ‖Dz‖₁ ≤ 1't) is solved for from the others, so each iteration factors a smaller matrix.
   * When the rest is a weighted path of differences (total variation's ‖D z‖₁), the reduced
   * system is factored in O(n) along the path. Same results up to rounding; false forces the
   * dense factorization.
   */
  eliminateAuxiliary?: boolean;
  /**
   * Exploit the structure found in the data (default true): a diagonal Q with only unit rows of G
   * factored in O(n), the range-space form, and auxiliary columns eliminated (as
   * eliminateAuxiliary). False factors every member in the dense form, as a dense solver such as
   * qpth does, for comparisons; rows of G that are signed unit vectors are still added to K's
   * diagonal and sparse Q and G still multiplied by their nonzeros, so that both settings compute
   * the same iterates wherever they factor in the same form.
   */
  structure?: boolean;
}

export type KernelChoice = "wasm" | "typescript" | DenseKernels;

/**
 * Where to solve: "cpu" (float64, the default) or "webgpu" (f32 on a GPU, docs/GPU.md; the solve
 * returns a Promise). An option of solveQP and of the layer's solve, not of solveBatch.
 */
export type SolverDevice = "cpu" | "webgpu";

/** Which gradients the backward pass should produce (all by default). */
export interface GradientRequest {
  Q?: boolean;
  q?: boolean;
  A?: boolean;
  b?: boolean;
  G?: boolean;
  h?: boolean;
}

/** Gradients per batch member, row-major, `batch` members back to back. Absent when not asked. */
export interface QPGradients {
  Q?: Float64Array;
  q?: Float64Array;
  A?: Float64Array;
  b?: Float64Array;
  G?: Float64Array;
  h?: Float64Array;
}

export interface QPBatchSolution {
  batch: number;
  n: number;
  m: number;
  p: number;
  /** batch×n */
  z: Float64Array;
  /** batch×p inequality duals */
  lam: Float64Array;
  /** batch×m equality duals */
  nu: Float64Array;
  /** batch×p slacks h − Gz */
  s: Float64Array;
  status: QPStatus[];
  iterations: Int32Array;
  /**
   * Of each member at exit, in the caller's units (∞-norms): the primal residual
   * max(‖Az − b‖, ‖max(Gz − h, 0)‖), the dual residual ‖Qz + q + A'nu + G'lam‖ and the duality
   * gap |z'Qz + q'z + b'nu + h'lam| (qpbenchmark's measures). Infinite where the iterate overflowed.
   */
  primalResidual: Float64Array;
  dualResidual: Float64Array;
  gap: Float64Array;
  /** Bytes of kernel memory the solve's workspace holds (kept alive for `backward`). */
  workspaceBytes?: number;
  /** Which kernels solved it (`DenseKernels.name`). */
  kernels?: string;
  /** Where it was solved: "cpu", or "webgpu: " and the adapter's name (docs/GPU.md). */
  device?: string;
  /**
   * Per member, how many auxiliary columns the factorization kept for the backward pass
   * eliminated in closed form (SolverOptions.eliminateAuxiliary; 0 where it is dense).
   */
  eliminatedColumns?: Int32Array;
  /**
   * The backward pass (paper eqs. 7–8) for an upstream gradient dℓ/dz (batch×n), reusing the
   * factorization of the final iterate. Members whose status is not "solved" get zero gradient.
   * `into`: arrays to write the gradients in (each batch × the operand's size), instead of fresh
   * ones: each requested operand it holds is written in full and returned as that array.
   */
  backward(dz: Float64Array, request?: GradientRequest, into?: QPGradients): QPGradients;
}
