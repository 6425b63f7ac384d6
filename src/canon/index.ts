export type * from "./types.js";
export { canonicalize, compileToCanonical, type CanonicalizeOptions } from "./compile.js";
export { instantiate, evaluateObjective, evaluateAffineMap, type DenseQP } from "./instantiate.js";
export { evaluatePolynomial } from "./polynomial.js";
export { ATOMS, CONSTRUCTORS, type AtomDefinition } from "./atoms.js";
