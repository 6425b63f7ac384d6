/**
 * Chromium's switches that give a headless page a WebGPU adapter on Linux (Vulkan; here
 * lavapipe): without them `requestAdapter()` returns null (../shared/TOOLCHAIN.md).
 */
export const WEBGPU_CHROMIUM_FLAGS = [
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--use-angle=vulkan",
  "--use-vulkan=native",
];
