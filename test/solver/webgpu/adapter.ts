import {
  WEBGPU_SETUP_HINT,
  acquireWebGPU,
  type WebGPUContext,
} from "../../../src/solver/webgpu/index.js";

/**
 * The process's WebGPU device for a test file, or why there is none: then one line names the
 * skipped `suite`, the reason and how to get an adapter (never a silent skip).
 */
export async function adapterFor(
  suite: string,
): Promise<{ context: WebGPUContext | null; skipReason: string | null }> {
  process.env.XDG_RUNTIME_DIR ??= "/tmp";
  const acquired = await acquireWebGPU();
  if (acquired.context !== null) return { context: acquired.context, skipReason: null };
  console.warn(`${suite} skipped: ${acquired.reason}; ${WEBGPU_SETUP_HINT}.`);
  return { context: null, skipReason: acquired.reason };
}
