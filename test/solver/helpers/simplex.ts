/** Projection onto the probability simplex by sorting (Held, Wolfe & Crowder; Duchi et al.). */
export function simplexProjection(x: readonly number[]): number[] {
  const sorted = [...x].sort((a, b) => b - a);
  let cumulative = 0;
  let theta = 0;
  sorted.forEach((v, i) => {
    cumulative += v;
    const candidate = (cumulative - 1) / (i + 1);
    if (v - candidate > 0) theta = candidate;
  });
  return x.map((v) => Math.max(v - theta, 0));
}
