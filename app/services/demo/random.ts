/**
 * Small seeded pseudo-random toolkit for the demo shop generator.
 *
 * Pure and deterministic: the same seed always yields the same sequence. Never uses
 * Math.random. The core generator is mulberry32 (32-bit state, fast, good enough for
 * synthetic data); independent streams are derived from a master seed with a string
 * label through a 32-bit FNV-1a / murmur-style mix so that adding a new stream never
 * shifts the numbers drawn by the others.
 */

/** 32-bit avalanche mix (murmur3 finaliser). */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Derives an independent 32-bit seed from a master seed and a label (and optional index). */
export function deriveSeed(seed: number, label: string, index = 0): number {
  let h = 0x811c9dc5 ^ mix32((seed | 0) ^ 0x9e3779b9);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= mix32((index + 0x7f4a7c15) | 0);
  return mix32(h);
}

const HEX_CODES: readonly number[] = Array.from("0123456789abcdef", (ch) => ch.charCodeAt(0));

export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Creates a generator for a named sub-stream of `seed`. */
  static stream(seed: number, label: string, index = 0): Rng {
    return new Rng(deriveSeed(seed, label, index));
  }

  /** Uniform float in [0, 1). mulberry32. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform float in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("Rng.pick on an empty list");
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks an index according to non-negative weights. */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    return items[this.weightedIndex(weights)];
  }

  /** Standard normal (Box–Muller). */
  normal(mean = 0, sd = 1): number {
    let u = this.next();
    if (u < 1e-12) u = 1e-12;
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Exponential with the given rate. */
  exponential(rate: number): number {
    let u = this.next();
    if (u < 1e-12) u = 1e-12;
    return -Math.log(u) / rate;
  }

  /** Gamma(shape, scale) (Marsaglia–Tsang, with the shape < 1 boost). */
  gamma(shape: number, scale = 1): number {
    if (shape < 1) {
      const g = this.gamma(shape + 1, 1);
      let u = this.next();
      if (u < 1e-12) u = 1e-12;
      return g * Math.pow(u, 1 / shape) * scale;
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
    }
  }

  /** Beta(a, b) from two gammas. */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    const s = x + y;
    return s > 0 ? x / s : 0.5;
  }

  /** Lowercase hexadecimal string of the given length. */
  hex(length: number): string {
    const codes: number[] = new Array(length);
    for (let i = 0; i < length; i += 8) {
      let word = Math.floor(this.next() * 4294967296);
      for (let j = i; j < i + 8 && j < length; j++) {
        codes[j] = HEX_CODES[word & 15];
        word >>>= 4;
      }
    }
    return String.fromCharCode.apply(null, codes);
  }

  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }
}

/**
 * Pre-computed cumulative distribution for repeated weighted draws in O(log n).
 */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cdf: Float64Array;
  readonly total: number;

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length !== weights.length) throw new Error("WeightedTable: length mismatch");
    if (items.length === 0) throw new Error("WeightedTable: empty");
    this.items = items;
    this.cdf = new Float64Array(weights.length);
    let acc = 0;
    for (let i = 0; i < weights.length; i++) {
      acc += Math.max(0, weights[i]);
      this.cdf[i] = acc;
    }
    this.total = acc;
  }

  index(rng: Rng): number {
    return this.indexAt(rng.next());
  }

  /** Index for a given uniform u in [0, 1). */
  indexAt(u: number): number {
    const target = u * this.total;
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  draw(rng: Rng): T {
    return this.items[this.index(rng)];
  }
}
