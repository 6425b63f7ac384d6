import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The playground (npm run web, npm run build:web). It imports optnet's browser entry from the
 * sources, as a bundler resolves the package's "browser" condition. Both servers send the
 * headers that make the page cross-origin isolated (SharedArrayBuffer available).
 */
const crossOriginIsolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  resolve: {
    alias: { optnet: fileURLToPath(new URL("../src/browser.ts", import.meta.url)) },
  },
  server: { headers: crossOriginIsolation, fs: { allow: [".."] } },
  preview: { headers: crossOriginIsolation },
  // Module workers: the solver's entry awaits its WebAssembly kernels at the top level.
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
});
