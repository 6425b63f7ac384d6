import type { GradientRequest, QPBatch, QPGradients } from "../../solver/index.js";
import type { GradientName } from "./protocol.js";

const GRADIENT_NAMES: readonly GradientName[] = ["Q", "q", "A", "b", "G", "h"];

/** Entries of one member's gradient of each operand. */
function memberSizes({ n, m, p }: QPBatch): Record<GradientName, number> {
  return { Q: n * n, q: n, A: m * n, b: m, G: p * n, h: p };
}

/**
 * Zero gradients of a whole batch in shared memory, which every thread fills its own members'
 * range of (`gradientRange`): the workers in parallel, and nothing is joined afterwards. Holds
 * the operands the solver's backward pass produces for `request` (all it is not told to skip).
 */
export function sharedGradients(problem: QPBatch, request: GradientRequest | undefined) {
  const sizes = memberSizes(problem);
  const output: QPGradients = {};
  for (const name of GRADIENT_NAMES) {
    if (!(request?.[name] ?? true)) continue;
    output[name] = new Float64Array(sharedOrPlain(8 * problem.batch * sizes[name]));
  }
  return output;
}

/** Shared where the runtime has SharedArrayBuffer; a page that is not cross-origin isolated has not. */
function sharedOrPlain(bytes: number): ArrayBuffer | SharedArrayBuffer {
  return typeof SharedArrayBuffer === "function"
    ? new SharedArrayBuffer(bytes)
    : new ArrayBuffer(bytes);
}

/** Views of members [start, start + count) of each operand's gradient in `gradients`. */
export function gradientRange(
  gradients: QPGradients,
  problem: QPBatch,
  start: number,
  count: number,
): QPGradients {
  const sizes = memberSizes(problem);
  const views: QPGradients = {};
  for (const name of GRADIENT_NAMES) {
    const size = sizes[name];
    const whole = gradients[name];
    if (whole !== undefined) views[name] = whole.subarray(start * size, (start + count) * size);
  }
  return views;
}

/** Copies the gradients of a slice into its range of the output; returns what it wrote. */
export function writeGradients(gradients: QPGradients, into: QPGradients): GradientName[] {
  const written: GradientName[] = [];
  for (const name of GRADIENT_NAMES) {
    const from = gradients[name];
    const to = into[name];
    if (from === undefined || to === undefined) continue;
    if (from.length !== to.length) {
      throw new Error(`gradient of ${name}: ${from.length} entries for a range of ${to.length}`);
    }
    // a backward pass given `into` wrote there already
    if (from !== to) to.set(from);
    written.push(name);
  }
  return written;
}

/**
 * The gradients as a backward pass given `into` returns them: each operand `into` holds copied
 * there (a caller's array may not be shared memory, which the threads could write directly).
 */
export function deliverInto(gradients: QPGradients, into: QPGradients | undefined): QPGradients {
  if (into === undefined) return gradients;
  const delivered: QPGradients = { ...gradients };
  for (const name of GRADIENT_NAMES) {
    const from = gradients[name];
    const to = into[name];
    if (from === undefined || to === undefined) continue;
    if (from.length !== to.length) {
      throw new Error(`backward: into.${name} has length ${to.length}, expected ${from.length}`);
    }
    to.set(from);
    delivered[name] = to;
  }
  return delivered;
}

/** What every slice wrote (as a join of the slices' gradients would hold). */
export function writtenByAll(writtenBySlice: readonly (readonly GradientName[])[]): GradientName[] {
  return GRADIENT_NAMES.filter((name) => writtenBySlice.every((written) => written.includes(name)));
}

/** The output's operands named in `names`. */
export function pick(output: QPGradients, names: readonly GradientName[]): QPGradients {
  const gradients: QPGradients = {};
  for (const name of names) gradients[name] = output[name];
  return gradients;
}
