/**
 * The playground's solver, off the page's thread: the same optnet as in Node (its browser entry,
 * WebAssembly SIMD kernels), so a long solve never freezes the editor.
 */
import { compile, type Layer, type NestedNumbers, type ParameterValues } from "optnet";
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

function gradients(layer: Layer, out: ReturnType<Layer["solve"]>, of: OutputEntry) {
  const output = layer.outputs.find((o) => o.name === of.variable);
  if (output === undefined) throw new Error(`${of.variable} is not an output variable`);
  const grads = layer.vjp(out, { [of.variable]: oneHot(output.shape, of.index) });
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, flat(g)]));
}

function handle(request: SolveRequest): SolveReply {
  const layer = layerFor(request.source);
  const started = performance.now();
  const out = layer.solve(request.params as ParameterValues);
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
        ? gradients(layer, out, request.gradientOf)
        : null,
    milliseconds,
  };
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SolveRequest>) => void) | null;
  postMessage(message: SolveReply | ReadyMessage): void;
};

scope.onmessage = (event) => {
  let reply: SolveReply;
  try {
    reply = handle(event.data);
  } catch (error) {
    reply = {
      id: event.data.id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  scope.postMessage(reply);
};
scope.postMessage({ ready: true });
