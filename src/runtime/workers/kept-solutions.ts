import {
  createWasmKernelsSync,
  solveBatch,
  WASM_MIN_VARIABLES,
  type GradientRequest,
  type QPBatch,
  type QPBatchSolution,
  type QPGradients,
  type SolverOptions,
  type WasmDenseKernels,
} from "../../solver/index.js";
import { estimateWorkspace } from "../memory.js";

/**
 * Solutions kept for a later backward pass; the oldest are dropped beyond this many, or beyond
 * this many bytes of workspace. Releases wait for the calling thread's event loop, which a
 * synchronous training loop may not reach for many batches, so the caps bound the memory; the
 * backward pass of a dropped solution is recomputed (the same iterates).
 */
const KEPT_SOLUTIONS = 8;
const KEPT_BYTES = 512 * 2 ** 20;
/**
 * Idle kernel providers kept beyond this many, or beyond this many bytes of memory in all, are
 * left to the garbage collector: idle memory stays with the thread until a solve takes it.
 */
const IDLE_KERNELS = 2;
const IDLE_BYTES = KEPT_BYTES;

/** Whether the solver would make a fresh WebAssembly memory for this solve (a keeper reuses one). */
export function reusesKernelMemory(problem: QPBatch, options: SolverOptions): boolean {
  return options.kernels === undefined && problem.n >= WASM_MIN_VARIABLES;
}

/**
 * The solutions one thread keeps for their backward passes, by request id, and the WebAssembly
 * kernel providers of forgotten ones, reset for the next solve. A fresh memory per solve (the
 * solver's default) costs a page fault on every page of the workspace at first touch, about a
 * fifth of the CPU time of the paper's n = 100 problems; a keeper knows when a solution's backward
 * pass can no longer run on its memory (it was forgotten: `get` answers undefined from then on),
 * so it can hand that memory on.
 *
 * Each solve first forgets the solutions already differentiated (a second backward pass of the
 * same output is rare, and is recomputed), so that a training loop (solve, backward, solve, …)
 * reuses one memory from its second solve on; and the oldest beyond KEPT_SOLUTIONS.
 */
export class KeptSolutions {
  readonly #kept = new Map<number, QPBatchSolution>();
  /** Kept solutions whose backward pass has run, oldest first. */
  readonly #differentiated = new Set<number>();
  #keptBytes = 0;
  readonly #kernelsOf = new Map<number, WasmDenseKernels>();
  readonly #idleKernels: WasmDenseKernels[] = [];

  /**
   * Solves and keeps the solution under `id`; older solutions beyond the caps are forgotten, but
   * none from `keepFrom` on (ids grow with time: the earlier chunks of the batch being solved).
   */
  solve(id: number, problem: QPBatch, options: SolverOptions, keepFrom = id): QPBatchSolution {
    const forgettable = (kept: number | undefined): kept is number =>
      kept !== undefined && kept < keepFrom;
    // Make room first, so that the memory of a solution dropped is the one this solve reuses.
    for (const differentiated of this.#differentiated) {
      if (forgettable(differentiated)) this.forget(differentiated);
    }
    while (this.#kept.size >= KEPT_SOLUTIONS && forgettable(this.#oldest())) {
      this.forget(this.#oldest()!);
    }
    let solution: QPBatchSolution;
    try {
      solution = solveBatch(problem, this.#withReusedKernels(id, problem, options));
    } catch (error) {
      this.forget(id);
      throw error;
    }
    this.#kept.set(id, solution);
    this.#keptBytes += solution.workspaceBytes ?? 0;
    while (this.#keptBytes > KEPT_BYTES && forgettable(this.#oldest())) {
      this.forget(this.#oldest()!);
    }
    return solution;
  }

  /** The kept solution of `id`, or undefined once it was forgotten (its memory may be reused). */
  get(id: number): QPBatchSolution | undefined {
    return this.#kept.get(id);
  }

  /**
   * The backward pass of the kept solution of `id` (undefined once forgotten); its memory is
   * then the first a later solve takes.
   */
  backward(
    id: number,
    dz: Float64Array,
    request?: GradientRequest,
    into?: QPGradients,
  ): QPGradients | undefined {
    const solution = this.#kept.get(id);
    if (solution === undefined) return undefined;
    const gradients = solution.backward(dz, request, into);
    this.#differentiated.add(id);
    return gradients;
  }

  /** Drops the solution of `id`: its kernel memory goes to the next solve. */
  forget(id: number): void {
    this.#keptBytes -= this.#kept.get(id)?.workspaceBytes ?? 0;
    this.#kept.delete(id);
    this.#differentiated.delete(id);
    const kernels = this.#kernelsOf.get(id);
    if (kernels === undefined) return;
    this.#kernelsOf.delete(id);
    kernels.reset();
    const idleBytes = this.#idleKernels.reduce((sum, k) => sum + k.memory.buffer.byteLength, 0);
    if (
      this.#idleKernels.length < IDLE_KERNELS &&
      idleBytes + kernels.memory.buffer.byteLength <= IDLE_BYTES
    ) {
      this.#idleKernels.push(kernels);
    }
  }

  /** How many solutions are kept now. */
  get size(): number {
    return this.#kept.size;
  }

  #oldest(): number | undefined {
    return this.#kept.keys().next().value;
  }

  /** The options with a reused WebAssembly provider where the solver would make a fresh one. */
  #withReusedKernels(id: number, problem: QPBatch, options: SolverOptions): SolverOptions {
    if (!reusesKernelMemory(problem, options)) return options;
    let kernels = this.#idleKernels.pop();
    try {
      // A fresh memory as large as the workspace: the solve's first step does not grow it.
      const { shared, perMember } = estimateWorkspace(problem);
      kernels ??= createWasmKernelsSync({
        shared: false,
        initialBytes: shared + perMember * problem.batch,
      });
    } catch {
      return options; // no WebAssembly here: the solver's own choice falls back to TypeScript
    }
    this.#kernelsOf.set(id, kernels);
    return { ...options, kernels };
  }
}
