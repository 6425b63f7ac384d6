export type * from "./types.js";
export { canonicalize, compileToCanonical, type CanonicalizeOptions } from "./compile.js";
export { instantiate, evaluateObjective, evaluateAffineMap, type DenseQP } from "./instantiate.js";
export { evaluatePolynomial } from "./polynomial.js";
export { ATOMS, CONSTRUCTORS, type AtomDefinition } from "./atoms.js";
export { MAX_DENSE_BLOCK, formatBytes } from "./compile.js";
export { MAX_COMPILE_WORK } from "./budget.js";
export { MAX_PARAMETER_ENTRIES } from "./declarations.js";
export { MAX_ENTRIES } from "./shape.js";
