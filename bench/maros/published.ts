/**
 * Published success rates on the 62 problems, in percent (qpbenchmark 2.3.0,
 * maros_meszaros_qpbenchmark results/maros_meszaros_dense.md, 2024), as quoted in
 * data/maros-meszaros-dense/README.md: high (1e-9), mid (1e-6) and low (1e-3) accuracy, and each
 * solver with its own defaults.
 */
export interface PublishedRates {
  solver: string;
  /** percent at 1e-9, 1e-6, 1e-3 */
  rates: Record<"1e-9" | "1e-6" | "1e-3", number>;
  defaults: number;
}

export const PUBLISHED_RATES: readonly PublishedRates[] = [
  { solver: "PIQP", rates: { "1e-9": 81, "1e-6": 98, "1e-3": 100 }, defaults: 98 },
  { solver: "ProxQP", rates: { "1e-9": 76, "1e-6": 87, "1e-3": 82 }, defaults: 85 },
  { solver: "SCS", rates: { "1e-9": 68, "1e-6": 74, "1e-3": 81 }, defaults: 71 },
  { solver: "Clarabel", rates: { "1e-9": 44, "1e-6": 50, "1e-3": 48 }, defaults: 52 },
  { solver: "OSQP", rates: { "1e-9": 42, "1e-6": 42, "1e-3": 39 }, defaults: 52 },
  { solver: "cvxopt", rates: { "1e-9": 8, "1e-6": 35, "1e-3": 52 }, defaults: 66 },
  { solver: "quadprog", rates: { "1e-9": 26, "1e-6": 32, "1e-3": 32 }, defaults: 32 },
];
