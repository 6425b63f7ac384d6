import type { Span } from "../dsl/index.js";

/**
 * A cap on the work of checking and lowering one program. Sizes alone do not bound it: a
 * 3000×3000 constant times itself, or `||A z||^2` with a dense 3000×3000 A, stays within every
 * size limit yet takes minutes and gigabytes to lower. Every loop whose length is not bounded
 * by a small constant spends from this budget; past the cap the compile stops with a message
 * instead of running the machine out of memory.
 *
 * One unit is roughly one sparse entry touched or one multiply-add: about 0.2 µs and, for the
 * sparse entries that are kept, up to a few hundred bytes. The OptNet paper's benchmark program
 * at n = p = 500 (examples/qp-dense.qp, 500,000 parameter entries) spends about 7.5 million.
 */
export const MAX_COMPILE_WORK = 10_000_000;

/** Thrown when the budget runs out; `canonicalize` turns it into a CompileError at `site`. */
export class CompileWorkExceeded extends Error {
  constructor(readonly site: Span | null) {
    super(`compiling this program needs more than ${MAX_COMPILE_WORK} units of work`);
  }
}

let spent = 0;
let site: Span | null = null;
/** Whether a compile is running: the helpers cost nothing when used outside one (e.g. in tests). */
let active = false;

/** Starts a fresh budget for one compile. */
export function startCompileWork(): void {
  spent = 0;
  site = null;
  active = true;
}

/** Ends the compile's budget. */
export function endCompileWork(): void {
  spent = 0;
  site = null;
  active = false;
}

/** The statement being compiled, for the message when the budget runs out there. */
export function setCompileSite(span: Span): void {
  site = span;
}

/** Spends `units` (refused before a loop that long runs, not after). */
export function spendCompileWork(units: number): void {
  if (!active) return;
  spent += units;
  if (spent > MAX_COMPILE_WORK) throw new CompileWorkExceeded(site);
}

/**
 * Dense floating-point operations on constants (products, the semidefiniteness check) per unit:
 * a multiply-add on a Float64Array costs about a nanosecond, a sparse entry far more.
 */
export const DENSE_FLOPS_PER_UNIT = 200;

/** Spends for `flops` dense multiply-adds. */
export function spendDenseFlops(flops: number): void {
  spendCompileWork(flops / DENSE_FLOPS_PER_UNIT);
}
