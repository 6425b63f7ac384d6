/**
 * A parameter value given to `layer.solve` / `layer.apply` that the layer cannot use. Names the
 * parameter and, where it matters, the batch member, so a user can find the bad entry.
 */
export class ParameterError extends Error {
  /** The parameter's name, or null when the problem is not about one parameter. */
  readonly parameter: string | null;
  /** 0-based batch member, or null when the problem is not about one member. */
  readonly member: number | null;

  constructor(message: string, parameter: string | null = null, member: number | null = null) {
    super(message);
    this.name = "ParameterError";
    this.parameter = parameter;
    this.member = member;
  }
}

export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? "[] (a scalar)" : `[${shape.join(", ")}]`;
}

/**
 * Why a value of shape `given` is not read as one of shape `shape` where it could have been meant
 * as one: values keep their declared shapes, and a batch is always one extra leading axis on the
 * declared shape (docs/LANGUAGE.md §4.1), never a reinterpretation of an axis of size 1. "" otherwise.
 */
export function batchingHint(given: readonly number[], shape: readonly number[]): string {
  const size = shape.reduce((a, b) => a * b, 1);
  const givenSize = given.reduce((a, b) => a * b, 1);
  const withoutOnes = shape.filter((d) => d !== 1);
  const same = (a: readonly number[], b: readonly number[]) =>
    a.length === b.length && a.every((d, i) => d === b[i]);
  if (shape.length > withoutOnes.length && same(given, withoutOnes)) {
    return (
      `; shapes are kept as declared, a size of 1 included: give this value with shape ` +
      `${formatShape(shape)}, or a batch of them with shape [batch, ${shape.join(", ")}]`
    );
  }
  if (shape.length === 0 && given.length === 2 && given[1] === 1) {
    return `; a batch of scalars is a list of shape [batch], not [batch, 1]`;
  }
  if (given.length === shape.length && givenSize > 0 && givenSize % size === 0) {
    const members = givenSize / size;
    if (members > 1) {
      return (
        `; a batch adds a leading axis to the declared shape: ${members} values of shape ` +
        `${formatShape(shape)} are given with shape [${[members, ...shape].join(", ")}]`
      );
    }
  }
  return "";
}

/** The candidate closest to `name` by edit distance, if it is close enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 2));
  return bestDistance <= Math.min(2, limit) || (best !== null && bestDistance === 0) ? best : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
