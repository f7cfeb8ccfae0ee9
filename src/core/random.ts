/**
 * Seeded random numbers keyed by (seed, stream, ...indices).
 *
 * Every random draw in a run (initialisation, shuffling, augmentation, generator noise) comes from a
 * generator keyed by what it is for and where it happens, e.g. `keyedRng(seed, 'augment', epoch, step)`.
 * A run resumed at (epoch, step) therefore draws exactly what an uninterrupted run would, and two models
 * trained "on the same data" really see the same batches.
 */

/** A deterministic stream of numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

/** 32-bit string/number hash (FNV-1a followed by a murmur3 finaliser), stable across platforms. */
function hash32(parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? `#${part}` : `s${part}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x7c; // separator so ('ab','c') and ('a','bc') differ
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: small, fast, passes PractRand to large sizes; state is four 32-bit words. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** A generator for one purpose at one place in a run. */
export function keyedRng(seed: number, stream: string, ...indices: number[]): Rng {
  const key = [seed, stream, ...indices];
  const uniform = sfc32(hash32([...key, 1]), hash32([...key, 2]), hash32([...key, 3]), hash32([...key, 4]));
  for (let i = 0; i < 12; i++) uniform(); // decorrelate the first outputs from the key
  let spareNormal: number | null = null;
  return {
    next: uniform,
    int: (n) => Math.floor(uniform() * n),
    normal() {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      let u = 0;
      while (u === 0) u = uniform();
      const v = uniform();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
export function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i]!;
    order[i] = order[j]!;
    order[j] = tmp;
  }
  return order;
}
