import type { LinearEntry } from "./affine.js";
import type { AffineValue, AtomOrigin, Value } from "./values.js";

/** What an atom's lowering may ask of the lowering pass. */
export interface LowerContext {
  /** Piecewise linear values get an auxiliary column per entry; affine ones pass through. */
  materialize(v: Value): AffineValue;
  /** New columns of z for an atom; returns the first. */
  addAuxiliary(size: number, origin: AtomOrigin): number;
  /** Rows `entry == 0` (equality) or `entry <= 0`, recorded as one block of the atom. */
  addAtomRows(equality: boolean, rows: LinearEntry[], origin: AtomOrigin): void;
}
