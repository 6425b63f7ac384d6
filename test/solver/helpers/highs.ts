/**
 * The npm `highs` package (HiGHS, compiled to WebAssembly) as an independent reference for LPs and
 * PSD QPs, fed a CPLEX-LP string (the benchmark, which loads it, times the raw route instead):
 * minimize q'z + [z'Qz]/2 s.t. Az = b, Gz ≤ h, z free.
 */
import type { HighsSolution } from "highs";
import { loadHighs } from "../../../bench/lib/highs.js";
import type { DenseProblem } from "./problems.js";

function term(coefficient: number, variable: string, first: boolean): string {
  const sign = coefficient < 0 ? "-" : first ? "" : "+";
  return `${sign} ${Math.abs(coefficient).toPrecision(17)} ${variable}`;
}

function linear(row: ArrayLike<number>, offset: number, n: number): string {
  const terms: string[] = [];
  for (let j = 0; j < n; j++) {
    const c = row[offset + j];
    if (c !== 0) terms.push(term(c, `x${j}`, terms.length === 0));
  }
  return terms.length > 0 ? terms.join(" ") : "0 x0";
}

export function toLpString(problem: DenseProblem): string {
  const { n, m, p, Q, q, A, b, G, h } = problem;
  const quadratic: string[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      // [ Σ Q_ii x_i² + Σ_{i<j} 2 Q_ij x_i x_j ] / 2 = z'Qz / 2
      const c = i === j ? Q[i * n + i] : Q[i * n + j] + Q[j * n + i];
      if (c === 0) continue;
      const product = i === j ? `x${i} ^ 2` : `x${i} * x${j}`;
      quadratic.push(term(c, product, quadratic.length === 0));
    }
  }
  const objective = linear(q, 0, n) + (quadratic.length ? ` + [ ${quadratic.join(" ")} ] / 2` : "");
  const rows: string[] = [];
  for (let i = 0; i < m; i++) rows.push(` e${i}: ${linear(A, i * n, n)} = ${b[i].toPrecision(17)}`);
  for (let i = 0; i < p; i++)
    rows.push(` g${i}: ${linear(G, i * n, n)} <= ${h[i].toPrecision(17)}`);
  const bounds = Array.from({ length: n }, (_, j) => ` x${j} free`);
  return ["Minimize", ` obj: ${objective}`, "Subject To", ...rows, "Bounds", ...bounds, "End"].join(
    "\n",
  );
}

export async function solveWithHighs(problem: DenseProblem): Promise<HighsSolution> {
  const highs = await loadHighs();
  return highs.solve(toLpString(problem));
}
