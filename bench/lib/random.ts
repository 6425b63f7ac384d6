/**
 * A small seeded random number generator, so that every benchmark problem can be regenerated
 * bit for bit from (sizes, seed) in any process.
 */

/** mulberry32: a 32-bit state generator, good enough for test data and fully deterministic. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomSource {
  /** uniform on [0, 1) */
  uniform(): number;
  /** standard normal N(0, 1) */
  normal(): number;
}

export function createRandom(seed: number): RandomSource {
  const next = mulberry32(seed);
  // Box–Muller yields normals in pairs; keep the second for the next call.
  let spare: number | undefined;
  return {
    uniform: next,
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      // 1 − u lies in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/**
 * A seed for member `index` of a batch drawn from `seed`, so that member k of a batch equals the
 * single problem generated from `memberSeed(seed, k)`.
 */
export function memberSeed(seed: number, index: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0;
}
