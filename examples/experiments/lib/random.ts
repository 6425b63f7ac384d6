/**
 * A small seeded pseudo-random generator (mulberry32) so that every data set and every
 * initialization in the experiments is the same from run to run.
 */
export interface Random {
  /** uniform in [0, 1) */
  next(): number;
  /** standard normal (Box–Muller) */
  normal(): number;
  /** integer uniform in [lo, hi] (both ends included) */
  int(lo: number, hi: number): number;
  /** a new array with the entries of `items` in random order */
  shuffled<T>(items: readonly T[]): T[];
  /** `count` distinct integers from [0, n), in random order */
  sample(n: number, count: number): number[];
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const shuffled = <T>(items: readonly T[]): T[] => {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  };
  return {
    next,
    normal() {
      // 1 - u keeps the logarithm's argument in (0, 1]
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int(lo, hi) {
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    shuffled,
    sample(n, count) {
      return shuffled(Array.from({ length: n }, (_, i) => i)).slice(0, count);
    },
  };
}

/** A float32 array of independent normal entries times `scale`, for weight initialization. */
export function normalArray(random: Random, size: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = scale * random.normal();
  return out;
}

/** A float32 array of independent uniform entries in [lo, hi). */
export function uniformArray(random: Random, size: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = lo + (hi - lo) * random.next();
  return out;
}
