/**
 * Without a WebGPU adapter, `{ device: "webgpu" }` solves on the CPU after one notice that says
 * why and how to get an adapter. The adapter is taken away by mocking device.ts, so this runs on
 * every machine.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

vi.mock("../../../src/solver/webgpu/device.js", () => ({
  acquireWebGPU: async () => ({ context: null, reason: "no WebGPU adapter was found" }),
  WEBGPU_SETUP_HINT: "on Debian, scripts/install-webgpu.sh installs a software adapter",
}));

const { solveQP } = await import("../../../src/solver/solve-qp.js");
const { compile } = await import("../../../src/runtime/index.js");

describe("device webgpu without an adapter", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("solves on the CPU with one notice for the whole process", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const args = { Q: [[2]], q: [-2], G: [[-1]], h: [0] };
    const first = await solveQP(args, { device: "webgpu" });
    const second = await solveQP(args, { device: "webgpu" });
    expect(first.device).toBe("cpu");
    expect(first.status).toEqual(["solved"]);
    // the CPU solver's float64 answer: z = 1
    expect(Math.abs(first.z[0][0] - 1)).toBeLessThan(1e-8);
    expect(second.device).toBe("cpu");
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /device "webgpu" is not available \(no WebGPU adapter was found\); solving on the CPU.*scripts\/install-webgpu\.sh/,
    );
  });

  it("gives the layer's solve and vjp the CPU's answers", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const layer = compile("parameter x[2]\nvariable z[2]\nminimize ||z - x||^2\ns.t. z >= 0\n");
    const out = await layer.solve({ x: [1, -1] }, { device: "webgpu" });
    expect(out.status).toEqual(["solved"]);
    const grads = await layer.vjp(out, { z: [1, 1] }, { device: "webgpu" });
    expect(grads).toEqual(layer.vjp(layer.solve({ x: [1, -1] }), { z: [1, 1] }));
  });
});
