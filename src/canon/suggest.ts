/** Edit distance with adjacent transpositions (optimal string alignment), for "did you mean". */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * A hint for an unknown name: two known names written without a space (`Qz` → `Q z`) when their
 * product compiles, else the closest known name within a small edit distance.
 */
export function suggestName(
  unknown: string,
  known: Iterable<string>,
  productCompiles: (left: string, right: string) => boolean = () => false,
): string | undefined {
  const names = [...known];
  const set = new Set(names);
  for (let cut = 1; cut < unknown.length; cut++) {
    const left = unknown.slice(0, cut);
    const right = unknown.slice(cut);
    // Only a product that would compile is worth suggesting (`x x` of a parameter is refused).
    if (set.has(left) && set.has(right) && productCompiles(left, right))
      return `did you mean \`${left} ${right}\`?`;
  }
  const lower = unknown.toLowerCase();
  const prefix = names.find(
    (name) =>
      name.length >= 3 &&
      (lower.startsWith(name.toLowerCase()) || name.toLowerCase().startsWith(lower)),
  );
  if (prefix !== undefined && lower.length >= 3) return `did you mean \`${prefix}\`?`;
  const limit = Math.max(1, Math.floor(unknown.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const name of names) {
    const d = editDistance(unknown.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best === undefined ? undefined : `did you mean \`${best}\`?`;
}
