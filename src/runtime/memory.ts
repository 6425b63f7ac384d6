import { machineMemoryBytes } from "../platform/machine-memory.js";
import type { QPBatch } from "../solver/index.js";
import { ParameterError } from "./parameter-error.js";

/**
 * How much kernel memory a solve needs, and how a batch is cut to fit. The solver allocates one
 * workspace per solve (src/solver/workspace.ts), in WebAssembly memory from n = 16 on, which
 * cannot exceed 4 GiB; its solution keeps that workspace for the backward pass.
 */

/** wasm32 memory: 65536 pages of 64 KiB, less room for the module's own data. */
export const WASM_MEMORY_LIMIT_BYTES = 4 * 1024 ** 3 - 16 * 1024 ** 2;

export interface MemoryLimits {
  /** The most one solve's workspace may take: a chunk of the batch is sized to this. */
  chunkBytes: number;
  /** The most one member's solve may take: WebAssembly's memory. */
  memberBytes: number;
  /** The most all chunks' workspaces together may take (they live until the output is dropped). */
  totalBytes: number;
}

/**
 * Chunks of 1 GiB: far enough under WebAssembly's 4 GiB that the memory is granted, large
 * enough that a chunk of a real batch is still hundreds of members. The total may take up to the
 * machine's memory: beyond it the process would be killed rather than fail.
 */
export function defaultMemoryLimits(): MemoryLimits {
  return {
    chunkBytes: 1024 ** 3,
    memberBytes: WASM_MEMORY_LIMIT_BYTES,
    totalBytes: machineMemoryBytes(),
  };
}

/** A workspace's bytes as `shared + perMember × batch`. */
export interface WorkspaceEstimate {
  perMember: number;
  shared: number;
}

/**
 * An upper bound on the solver's workspace (the buffers of `bufferSizes` in
 * src/solver/workspace.ts, which the solver does not export): the factor L (n×n), the Schur
 * complement blocks Y ((m+p)×n) and S ((m+p)×(m+p)), per-member copies of the operands that vary,
 * and fewer than 40 vectors of length n, m or p per member.
 */
export function estimateWorkspace(problem: QPBatch): WorkspaceEstimate {
  const { n, m, p } = problem;
  const operands = [
    [problem.Q, n * n],
    [problem.q, n],
    [problem.A, m * n],
    [problem.b, m],
    // G is kept twice (as given and without its bound rows), plus a transpose
    [problem.G, 2 * p * n],
    [problem.h, p],
  ] as const;
  let perMember = n * n + (m + p) * n + (m + p) * (m + p) + 40 * (n + m + p);
  let shared = 2 * n * p;
  for (const [operand, size] of operands) {
    if (operand.shared) shared += size;
    else perMember += size;
  }
  return { perMember: 8 * perMember, shared: 8 * shared };
}

/**
 * Members per solve so that each solve's workspace fits `limits.chunkBytes` (the whole batch
 * when it fits). Throws a ParameterError when a single member cannot fit in WebAssembly's memory
 * or the batch as a whole needs more than `limits.totalBytes`.
 */
export function membersPerChunk(problem: QPBatch, limits: MemoryLimits): number {
  const { perMember, shared } = estimateWorkspace(problem);
  const total = shared + perMember * problem.batch;
  const sizes = `n = ${problem.n}, m = ${problem.m}, p = ${problem.p}`;
  if (shared + perMember > limits.memberBytes) {
    throw new ParameterError(
      `the QP is too large to solve: one member (${sizes}) needs about ${formatBytes(shared + perMember)} ` +
        `of solver memory, over the limit of ${formatBytes(limits.memberBytes)} per solve (WebAssembly's memory)`,
    );
  }
  if (total > limits.totalBytes) {
    const fits = Math.max(1, Math.floor((limits.totalBytes - shared) / perMember));
    throw new ParameterError(
      `a batch of ${problem.batch} (${sizes}) needs about ${formatBytes(total)} of solver memory ` +
        `(${formatBytes(perMember)} per member), over the limit of ${formatBytes(limits.totalBytes)} ` +
        `(this machine's memory); solve batches of at most ${fits} members`,
    );
  }
  if (total <= limits.chunkBytes) return problem.batch;
  return Math.max(1, Math.floor((limits.chunkBytes - shared) / perMember));
}

export function formatBytes(bytes: number): string {
  const units = ["bytes", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toPrecision(3)} ${units[unit]} (${bytes} bytes)`;
}
