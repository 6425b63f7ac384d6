import { compile, CompileError, type Layer } from "optnet";
import { Editor, type Mark } from "./editor.js";
import { exampleParameters, randomParameters } from "./parameters.js";
import { barChart, type Series } from "./plot.js";
import type {
  OutputEntry,
  ReadyMessage,
  SolveReply,
  SolveRequest,
  SolvedReply,
} from "./protocol.js";

const examples = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>("../examples/*.qp", { query: "?raw", import: "default", eager: true }),
  ).map(([path, source]) => [path.replace(/^.*\/|\.qp$/g, ""), source]),
);

function byId<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const editor = new Editor(byId("source"), byId("highlight"));
const exampleSelect = byId<HTMLSelectElement>("example");
const diagnostics = byId("diagnostics");
const canonical = byId("canonical");
const paramsText = byId<HTMLTextAreaElement>("params");
const entrySelect = byId<HTMLSelectElement>("gradient-of");
const solveButton = byId<HTMLButtonElement>("solve");
const deviceSelect = byId<HTMLSelectElement>("device");
const statusLine = byId("status");

let layer: Layer | null = null;
let layerSource = "";
let seed = 1;

// ---- compiling as the user types ----

function renderCanonical(text: string): void {
  canonical.replaceChildren();
  for (const line of text.replace(/\n$/, "").split("\n")) {
    const row = document.createElement("div");
    row.className = "row";
    // Every row that names where it came from ("line 8") links to that source line.
    const parts = line.split(/(line \d+)/);
    for (const part of parts) {
      const match = /^line (\d+)$/.exec(part);
      if (match === null) {
        row.append(part);
        continue;
      }
      const link = document.createElement("a");
      link.className = "source-link";
      link.href = "#";
      link.dataset.line = match[1];
      link.textContent = part;
      row.append(link);
      row.dataset.line = match[1];
    }
    if (line === "") row.append("\u200b");
    canonical.append(row);
  }
}

canonical.addEventListener("mouseover", (event) => {
  const row = (event.target as HTMLElement).closest<HTMLElement>(".row");
  editor.light(row?.dataset.line !== undefined ? Number(row.dataset.line) : null);
});
canonical.addEventListener("mouseleave", () => editor.light(null));
canonical.addEventListener("click", (event) => {
  const link = (event.target as HTMLElement).closest<HTMLElement>(".source-link");
  if (link === null) return;
  event.preventDefault();
  editor.goTo(Number(link.dataset.line));
});

function showDiagnostics(error: CompileError): void {
  const marks: Mark[] = error.diagnostics.map((d) => ({
    line: d.span.line,
    column: d.span.column,
    length: d.span.length,
    message: d.message + (d.hint !== undefined ? ` (${d.hint})` : ""),
  }));
  editor.mark(marks);
  diagnostics.replaceChildren(
    ...marks.map((m) => {
      const item = document.createElement("li");
      item.textContent = `line ${m.line}, column ${m.column}: ${m.message}`;
      item.addEventListener("click", () => editor.goTo(m.line));
      return item;
    }),
  );
}

function outputEntries(compiled: Layer): OutputEntry[] {
  return compiled.outputs.flatMap((o) => {
    const size = o.shape.reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, index) => ({ variable: o.name, index }));
  });
}

function entryLabel(entry: OutputEntry, shape: readonly number[]): string {
  if (shape.length === 0) return entry.variable;
  if (shape.length === 1) return `${entry.variable}[${entry.index}]`;
  return `${entry.variable}[${Math.floor(entry.index / shape[1])}, ${entry.index % shape[1]}]`;
}

function fillEntries(compiled: Layer): void {
  const previous = entrySelect.value;
  entrySelect.replaceChildren(
    ...outputEntries(compiled).map((entry) => {
      const shape = compiled.outputs.find((o) => o.name === entry.variable)?.shape ?? [];
      const option = new Option(entryLabel(entry, shape), `${entry.variable}:${entry.index}`);
      return option;
    }),
  );
  if ([...entrySelect.options].some((o) => o.value === previous)) entrySelect.value = previous;
}

/** Whether the values in the parameters box name exactly the layer's parameters. */
function paramsFit(compiled: Layer): boolean {
  try {
    const names = Object.keys(JSON.parse(paramsText.value) as object).sort();
    return (
      names.join() ===
      compiled.parameters
        .map((p) => p.name)
        .sort()
        .join()
    );
  } catch {
    return false;
  }
}

function compileNow(): void {
  const source = editor.value;
  try {
    const compiled = compile(source);
    layer = compiled;
    layerSource = source;
    editor.mark([]);
    diagnostics.replaceChildren();
    renderCanonical(compiled.describe());
    canonical.classList.remove("stale");
    fillEntries(compiled);
    if (!paramsFit(compiled)) setParams(randomParameters(compiled, seed));
    solveButton.disabled = false;
  } catch (error) {
    if (!(error instanceof CompileError)) throw error;
    layer = null;
    showDiagnostics(error);
    canonical.classList.add("stale");
    solveButton.disabled = true;
  }
}

let typing: ReturnType<typeof setTimeout> | undefined;
editor.onInput(() => {
  clearTimeout(typing);
  typing = setTimeout(compileNow, 150);
});

function setParams(values: Record<string, unknown>): void {
  paramsText.value = JSON.stringify(values, null, 1).replace(/\n\s+(?=[-\d\]])/g, " ");
}

// ---- solving in the worker ----

const worker = new Worker(new URL("./solve-worker.ts", import.meta.url), { type: "module" });
let lastRequest = 0;
let workerReady = false;
let waiting: SolveRequest | null = null;

function solve(): void {
  if (layer === null) return;
  let params: Record<string, unknown>;
  try {
    params = JSON.parse(paramsText.value) as Record<string, unknown>;
  } catch (error) {
    statusLine.textContent = `parameter values are not JSON: ${(error as Error).message}`;
    statusLine.className = "failed";
    return;
  }
  const [variable, index] = entrySelect.value.split(":");
  const request: SolveRequest = {
    id: ++lastRequest,
    source: layerSource,
    params,
    gradientOf:
      variable !== undefined && index !== undefined ? { variable, index: Number(index) } : null,
    device: deviceSelect.value === "webgpu" ? "webgpu" : "cpu",
  };
  statusLine.textContent = "solving…";
  statusLine.className = "busy";
  if (workerReady) worker.postMessage(request);
  else waiting = request;
}

const format = (v: number) =>
  Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v);

function table(rows: [string, readonly number[]][]): HTMLElement {
  const list = document.createElement("dl");
  for (const [name, values] of rows) {
    const term = document.createElement("dt");
    term.textContent = name;
    const value = document.createElement("dd");
    value.textContent = values.map(format).join("  ");
    list.append(term, value);
  }
  return list;
}

function plotSeries(reply: SolvedReply, params: Record<string, unknown>): Series[] {
  if (layer === null) return [];
  const series: Series[] = [];
  for (const output of layer.outputs) {
    const values = reply.variables[output.name];
    if (values === undefined || values.length < 2) continue;
    // A parameter of the output's own shape (the noisy x of a denoiser, the point a
    // projection starts from) is drawn beside it.
    for (const p of layer.parameters) {
      if (p.shape.join() !== output.shape.join()) continue;
      const given = [params[p.name]].flat(2);
      if (given.every((v) => typeof v === "number")) {
        series.push({ label: `${p.name} (parameter)`, values: given as number[] });
      }
    }
    series.push({ label: `${output.name} (solution)`, values });
  }
  return series;
}

worker.onmessage = (event: MessageEvent<SolveReply | ReadyMessage>) => {
  if ("ready" in event.data) {
    offerWebGPU(event.data.webgpu);
    workerReady = true;
    if (waiting !== null) worker.postMessage(waiting);
    waiting = null;
    return;
  }
  const reply = event.data;
  if (reply.id !== lastRequest) return;
  byId("result-json").textContent = JSON.stringify(reply);
  const results = byId("results");
  if (!reply.ok) {
    statusLine.textContent = reply.message;
    statusLine.className = "failed";
    results.replaceChildren();
    byId("plot").replaceChildren();
    return;
  }
  statusLine.textContent =
    `${reply.status} in ${reply.iterations} iterations, ${reply.milliseconds.toFixed(1)} ms` +
    `, objective ${format(reply.objective)}, on ${reply.device}`;
  statusLine.className = reply.status === "solved" ? "solved" : "failed";
  const sections: HTMLElement[] = [];
  const heading = (text: string) => {
    const h = document.createElement("h3");
    h.textContent = text;
    return h;
  };
  sections.push(heading("solution"), table(Object.entries(reply.variables)));
  if (reply.duals.length > 0) {
    sections.push(
      heading("duals"),
      table(reply.duals.map((d) => [`${d.text}  (line ${d.line})`, d.values])),
    );
  }
  if (reply.gradients !== null) {
    const of = entrySelect.selectedOptions[0]?.textContent ?? "";
    sections.push(
      heading(`gradient of ${of}`),
      table(Object.entries(reply.gradients).map(([name, g]) => [`∂${of} / ∂${name}`, g])),
    );
  }
  results.replaceChildren(...sections);
  const params = JSON.parse(paramsText.value) as Record<string, unknown>;
  byId("plot").replaceChildren(barChart(plotSeries(reply, params)));
};

// ---- examples and controls ----

/** The GPU choice is enabled where the worker's WebGPU gave an adapter; otherwise it says why. */
function offerWebGPU(webgpu: ReadyMessage["webgpu"]): void {
  const option = deviceSelect.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (option === null) return;
  option.disabled = !webgpu.available;
  const why = webgpu.available
    ? "solve on the GPU in f32 (docs/GPU.md): accurate to about 1e-3, not float64's 1e-9"
    : `no GPU: ${webgpu.reason}`;
  option.title = why;
  deviceSelect.title = why;
  deviceSelect.dataset.webgpu = webgpu.available ? "available" : "unavailable";
}

function loadExample(name: string): void {
  editor.value = examples[name] ?? "";
  compileNow();
  if (layer !== null) setParams(exampleParameters(name, layer) ?? randomParameters(layer, seed));
  solve();
}

exampleSelect.replaceChildren(
  ...Object.keys(examples)
    .sort()
    .map((name) => new Option(name, name)),
);
exampleSelect.addEventListener("change", () => loadExample(exampleSelect.value));
solveButton.addEventListener("click", solve);
deviceSelect.addEventListener("change", solve);
entrySelect.addEventListener("change", solve);
byId("random").addEventListener("click", () => {
  if (layer === null) return;
  seed += 1;
  setParams(randomParameters(layer, seed));
  solve();
});
byId("isolation").textContent = crossOriginIsolated
  ? "cross-origin isolated (SharedArrayBuffer available)"
  : "not cross-origin isolated";

exampleSelect.value = "simplex" in examples ? "simplex" : exampleSelect.options[0].value;
loadExample(exampleSelect.value);
document.body.dataset.ready = "true";
