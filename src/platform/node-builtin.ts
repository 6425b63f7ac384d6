/**
 * Node's built-in modules, reached at run time through `process.getBuiltinModule` (Node ≥ 20.16)
 * instead of static imports of node: modules: the core then imports nothing from Node, so a bundler
 * builds it for the browser, while in Node it still finds files, threads and memory sizes
 * synchronously (the solver is synchronous). The browser entry (src/browser.ts) installs its own
 * host before anything asks for these.
 */

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Node's process, where it can hand out built-in modules (a runtime that only looks like Node may not). */
function nodeProcess(): NodeProcess | undefined {
  const candidate = (globalThis as { process?: NodeProcess }).process;
  const usable =
    candidate?.versions?.node !== undefined && typeof candidate.getBuiltinModule === "function";
  return usable ? candidate : undefined;
}

/** Whether Node's built-in modules are at hand: Node ≥ 20.16, or a runtime that provides them alike. */
export function isNode(): boolean {
  return nodeProcess() !== undefined;
}

/** The built-in module `id` (such as node:fs), or undefined outside Node. */
export function nodeBuiltin<T>(id: string): T | undefined {
  const load = nodeProcess()?.getBuiltinModule;
  if (load === undefined) return undefined;
  return load(id) as T | undefined;
}

/** As `nodeBuiltin`, for code that only runs in Node: a clear error elsewhere. */
export function requireNodeBuiltin<T>(id: string): T {
  const module = nodeBuiltin<T>(id);
  if (module === undefined) {
    throw new Error(`${id} is needed here, which only Node (≥ 20.16) provides`);
  }
  return module;
}
