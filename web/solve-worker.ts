/// <reference types="@webgpu/types" />
/**
 * The playground's solver, off the page's thread: the same optnet as in Node (its browser entry,
 * WebAssembly SIMD kernels), so a long solve never freezes the editor. Where the worker's
 * `navigator.gpu` gives an adapter it also solves on the GPU (f32) when asked.
 */
import {
  compile,
  type Layer,
  type LayerOutput,
  type NestedNumbers,
  type ParameterValues,
} from "optnet";
import type { OutputEntry, ReadyMessage, SolveReply, SolveRequest } from "./protocol.js";

let compiled: { source: string; layer: Layer } | null = null;

function layerFor(source: string): Layer {
  if (compiled?.source !== source) compiled = { source, layer: compile(source) };
  return compiled.layer;
}

function flat(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (ArrayBuffer.isView(value)) return Array.from(value as Float64Array);
  return (value as unknown[]).flatMap(flat);
}

/** Zeros in `shape` with a 1 at row-major `index`: the upstream gradient that picks one entry. */
function oneHot(shape: readonly number[], index: number): NestedNumbers {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: size }, (_, i) => (i === index ? 1 : 0));
  if (shape.length === 0) return data[0];
  if (shape.length === 1) return data;
  const [rows, cols] = shape;
  return Array.from({ length: rows }, (_, r) => data.slice(r * cols, (r + 1) * cols));
}

async function gradients(
  layer: Layer,
  out: LayerOutput,
  of: OutputEntry,
  device: SolveRequest["device"],
) {
  const output = layer.outputs.find((o) => o.name === of.variable);
  if (output === undefined) throw new Error(`${of.variable} is not an output variable`);
  const upstream = { [of.variable]: oneHot(output.shape, of.index) };
  const grads =
    device === "webgpu"
      ? await layer.vjp(out, upstream, { device: "webgpu" })
      : layer.vjp(out, upstream);
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, flat(g)]));
}

async function handle(request: SolveRequest): Promise<SolveReply> {
  const layer = layerFor(request.source);
  const params = request.params as ParameterValues;
  const started = performance.now();
  const out =
    request.device === "webgpu"
      ? await layer.solve(params, { device: "webgpu" })
      : layer.solve(params);
  const milliseconds = performance.now() - started;
  return {
    id: request.id,
    ok: true,
    status: out.status[0],
    iterations: out.iterations[0],
    objective: out.objective[0],
    variables: Object.fromEntries(
      Object.entries(out.variables).map(([name, values]) => [name, flat(values[0])]),
    ),
    duals: out.duals.map((d) => ({ text: d.text, line: d.line, values: flat(d.values[0]) })),
    gradients:
      request.gradientOf !== null && out.status[0] === "solved"
        ? await gradients(layer, out, request.gradientOf, request.device)
        : null,
    milliseconds,
    device: out.device,
  };
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SolveRequest>) => void) | null;
  postMessage(message: SolveReply | ReadyMessage): void;
};

/** Whether this worker can solve on a GPU: its own `navigator.gpu`, asked once. */
async function webgpuAvailability(): Promise<ReadyMessage["webgpu"]> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (gpu === undefined) return { available: false, reason: "this browser has no WebGPU" };
  try {
    // A browser whose GPU process is stuck must not keep the CPU solver from starting.
    const adapter = await Promise.race([
      gpu.requestAdapter(),
      new Promise<"late">((resolve) => setTimeout(() => resolve("late"), 10_000)),
    ]);
    if (adapter === "late") {
      return { available: false, reason: "this browser's WebGPU gave no adapter in 10 s" };
    }
    if (adapter !== null) return { available: true };
    return { available: false, reason: "this browser's WebGPU gives no adapter" };
  } catch (error) {
    return { available: false, reason: `WebGPU failed: ${String(error)}` };
  }
}

// Solves one at a time, in order: a GPU solve awaits, and a later request must not overtake it.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  queue = queue.then(() => answer(event.data));
};

async function answer(request: SolveRequest): Promise<void> {
  let reply: SolveReply;
  try {
    reply = await handle(request);
  } catch (error) {
    reply = {
      id: request.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  scope.postMessage(reply);
}

scope.postMessage({ ready: true, webgpu: await webgpuAvailability() });
