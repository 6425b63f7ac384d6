/**
 * Imported first by the benchmarks that time the solver: they measure the kernels a current
 * engine runs, the relaxed-SIMD builds (docs/SOLVER.md, "The kernels"). Node 20 has relaxed SIMD
 * only behind --experimental-wasm-relaxed-simd; it is set here, before any WebAssembly is compiled
 * (the flag holds for the worker threads started later), rather than on the npm script's command
 * line, which a Node that no longer knows the flag would refuse. The library itself never sets an
 * engine flag: it takes the relaxed builds where the engine validates them.
 */
import { setFlagsFromString } from "node:v8";
import { RELAXED_SIMD_PROBE } from "../../src/solver/wasm/load-module.js";
import { webAssemblyApi } from "../../src/solver/wasm/webassembly.js";

// Not hasRelaxedSimd(): it keeps its first answer, which must come after the flag is set.
if (!webAssemblyApi().validate(RELAXED_SIMD_PROBE)) {
  setFlagsFromString("--experimental-wasm-relaxed-simd");
}
