/** Solving one member of a CanonicalQP with the `highs` package (an independent QP solver). */
import type { Highs } from "highs";
import { instantiate, type CanonicalQP } from "../../../src/canon/index.js";

let highs: Highs | undefined;

async function loadHighs(): Promise<Highs> {
  // Node resolves the package to its ES module, whose default export is the loader.
  const module = await import("highs");
  return (module.default as unknown as () => Promise<Highs>)();
}

function num(v: number): string {
  return v >= 0 ? `+ ${v}` : `- ${-v}`;
}

/** minimize ½z'Qz + q'z s.t. Az = b, Gz <= h in CPLEX LP format. */
export function lpFormat(canon: CanonicalQP, theta: Float64Array): string {
  const { Q, q, A, b, G, h } = instantiate(canon, theta);
  const n = canon.n;
  const x = (j: number) => `x${j}`;
  const linear: string[] = [];
  for (let j = 0; j < n; j++) linear.push(`${num(q[j])} ${x(j)}`);
  const quad: string[] = [];
  for (let i = 0; i < n; i++) {
    if (Q[i * n + i] !== 0) quad.push(`${num(Q[i * n + i])} ${x(i)} ^ 2`);
    for (let j = i + 1; j < n; j++)
      if (Q[i * n + j] !== 0) quad.push(`${num(2 * Q[i * n + j])} ${x(i)} * ${x(j)}`);
  }
  const rows: string[] = [];
  const row = (M: Float64Array, r: number) =>
    Array.from({ length: n }, (_, j) =>
      M[r * n + j] !== 0 ? `${num(M[r * n + j])} ${x(j)}` : "",
    ).join(" ") || `+ 0 ${x(0)}`;
  for (let r = 0; r < canon.m; r++) rows.push(` e${r}: ${row(A, r)} = ${b[r]}`);
  for (let r = 0; r < canon.p; r++) rows.push(` g${r}: ${row(G, r)} <= ${h[r]}`);
  return [
    "Minimize",
    ` obj: ${linear.join(" ")}${quad.length ? ` + [ ${quad.join(" ")} ] / 2` : ""}`,
    "Subject To",
    ...rows,
    "Bounds",
    ...Array.from({ length: n }, (_, j) => ` ${x(j)} free`),
    "End",
  ].join("\n");
}

/** The solution z (all n columns) of one member, or throws when HiGHS finds none. */
export async function solveWithHighs(
  canon: CanonicalQP,
  theta: Float64Array,
): Promise<Float64Array> {
  highs ??= await loadHighs();
  const result = highs.solve(lpFormat(canon, theta), {
    primal_feasibility_tolerance: 1e-10,
    dual_feasibility_tolerance: 1e-10,
  });
  if (result.Status !== "Optimal") throw new Error(`highs: ${result.Status}`);
  const columns = result.Columns as Record<string, { Primal: number }>;
  return Float64Array.from({ length: canon.n }, (_, j) => columns[`x${j}`]?.Primal ?? 0);
}
