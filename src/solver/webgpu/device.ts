/// <reference types="@webgpu/types" />
/**
 * Acquiring a WebGPU device: the browser's `navigator.gpu`, else in Node the `webgpu` package
 * (Dawn), imported only here and only when asked for, so the rest of the library never needs it.
 * One device per process, shared by every solve.
 */

import { isNode } from "../../platform/node-builtin.js";

export interface WebGPUContext {
  device: GPUDevice;
  /** "webgpu: " and the adapter's description, e.g. "webgpu: llvmpipe (LLVM 19.1.7, 256 bits)" */
  name: string;
}

export type WebGPUAcquired = { context: WebGPUContext } | { context: null; reason: string };

/** What to do when no adapter can be had (the tests' skip line, the fallback notice). */
export const WEBGPU_SETUP_HINT =
  "on Debian, scripts/install-webgpu.sh installs a software adapter (mesa's lavapipe); " +
  "elsewhere use a GPU driver with Vulkan, Metal or D3D12, or a browser with WebGPU";

let acquiring: Promise<WebGPUAcquired> | null = null;
/**
 * Dawn's instance and adapter, held for the life of the process: when Node collects them the
 * device's native threads are torn down under it (seen as a crash, "std::system_error").
 */
const keptAlive: unknown[] = [];

/** The shared device, or why there is none. Never throws. */
export function acquireWebGPU(): Promise<WebGPUAcquired> {
  acquiring ??= acquire();
  return acquiring;
}

async function findGpu(): Promise<GPU | string> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu !== undefined) return navigatorGpu;
  if (!isNode()) {
    return "this browser has no navigator.gpu (WebGPU)";
  }
  try {
    const dawn = (await importByName("webgpu")) as {
      create(flags: string[]): GPU;
      globals: object;
    };
    // GPUBufferUsage and the other enums the shaders' host code uses
    for (const [key, value] of Object.entries(dawn.globals)) {
      if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
    }
    return dawn.create([]);
  } catch (error) {
    return `the "webgpu" package (Dawn for Node) could not be loaded: ${String(error)}`;
  }
}

/** A dynamic import that bundlers leave alone: the Node-only package never enters a browser bundle. */
function importByName(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ name);
}

async function acquire(): Promise<WebGPUAcquired> {
  const gpu = await findGpu();
  if (typeof gpu === "string") return { context: null, reason: gpu };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { context: null, reason: `requestAdapter failed: ${String(error)}` };
  }
  if (adapter === null) return { context: null, reason: "no WebGPU adapter was found" };
  keptAlive.push(gpu, adapter);
  const limits = adapter.limits;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(8, limits.maxStorageBuffersPerShaderStage),
      },
    });
  } catch (error) {
    return { context: null, reason: `requestDevice failed: ${String(error)}` };
  }
  const info = (adapter as unknown as { info?: Partial<Record<string, string>> }).info ?? {};
  const description =
    [info.description, info.device, info.vendor, info.architecture].find(
      (text) => text !== undefined && text !== "",
    ) ?? "unnamed adapter";
  return { context: { device, name: `webgpu: ${description}` } };
}
