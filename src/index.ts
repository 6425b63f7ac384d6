/**
 * optnet: convex quadratic programs written as text, compiled into batched, differentiable
 * layers. The language, CLI and library are documented in docs/LANGUAGE.md.
 */
export {
  compile,
  Layer,
  ParameterError,
  closeWorkers,
  solveBatch,
  registerTfLayer,
  useTensorFlow,
  type CompileOptions,
  type SolveOptions,
  type LayerOutput,
  type ConstraintDual,
  type SolveWarning,
  type ParameterGradient,
  type NumericValue,
  type NestedNumbers,
  type ParameterValues,
  type ApplyInputs,
  type ApplyOutputs,
  type WorkerOption,
  type TfLayerOptions,
  type TfLayerDefinition,
} from "./runtime/index.js";
export { CompileError, type Diagnostic } from "./dsl/index.js";
export {
  solveQP,
  type SolveQPResult,
  type QPArguments,
  type MatrixArgument,
  type VectorArgument,
  type ArgumentGradient,
  type QPGradientsByArgument,
} from "./solver/index.js";
export type {
  QPStatus,
  QPBatch,
  QPBatchSolution,
  QPGradients,
  GradientRequest,
  SolverOptions,
} from "./solver/index.js";
export type { CanonicalQP } from "./canon/index.js";
