/**
 * A small seeded pseudo-random generator (mulberry32) plus the distributions the demo workload needs.
 *
 * The demo must be reproducible from `DEMO_SEED` and resumable after a restart, so the whole generator state
 * is one 32-bit integer that can be saved next to the events it produced and restored later. Math.random is
 * never used: it can be neither seeded nor checkpointed.
 */

/** FNV-1a over a string: turns a textual seed or an entity key into a 32-bit PRNG state. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A generator derived from this one's seed and a key, independent of how far this one has advanced. */
  static derive(seed: number, key: string): SeededRandom {
    return new SeededRandom(hash32(`${seed >>> 0}:${key}`));
  }

  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) {
      throw new Error('SeededRandom.pick: cannot pick from an empty list');
    }
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks an item with probability proportional to its weight. */
  weighted<T>(items: readonly T[], weightOf: (item: T) => number): T {
    let total = 0;
    for (const item of items) {
      total += weightOf(item);
    }
    if (!(total > 0)) {
      throw new Error('SeededRandom.weighted: the weights must sum to a positive number');
    }
    let target = this.next() * total;
    for (const item of items) {
      target -= weightOf(item);
      if (target < 0) {
        return item;
      }
    }
    return items[items.length - 1];
  }

  /** Standard normal via Box-Muller; one draw per call keeps the state a single integer. */
  normal(mean = 0, stdDev = 1): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return mean + stdDev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal parameterised by its median and the standard deviation of the underlying normal. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(this.normal(0, sigma));
  }

  /** Pareto (type I): heavy tail with minimum `scale` and tail index `alpha` (smaller = heavier). */
  pareto(scale: number, alpha: number): number {
    return scale / Math.pow(1 - this.next(), 1 / alpha);
  }

  /** Exponential with the given mean: gaps between events of a Poisson process. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /**
   * Poisson-distributed count. Knuth's method for small means, a rounded normal approximation for large
   * ones (where Knuth would need `mean` draws).
   */
  poisson(mean: number): number {
    if (mean <= 0) {
      return 0;
    }
    if (mean > 30) {
      return Math.max(0, Math.round(this.normal(mean, Math.sqrt(mean))));
    }
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** Zipf-like rank in [0, n): low ranks are much more popular, as with customers and products. */
  zipf(n: number, exponent = 1.1): number {
    // Inverse-CDF of a continuous power law, which is close enough to discrete Zipf for a demo.
    const u = this.next();
    if (exponent === 1) {
      return Math.min(n - 1, Math.floor(Math.pow(n + 1, u) - 1));
    }
    const a = 1 - exponent;
    const x = Math.pow(u * (Math.pow(n + 1, a) - 1) + 1, 1 / a) - 1;
    return Math.min(n - 1, Math.max(0, Math.floor(x)));
  }

  /** A deterministic RFC 4122-shaped version-4 id from the next 128 bits of the stream. */
  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 4; i++) {
      hex.push(
        Math.floor(this.next() * 4294967296)
          .toString(16)
          .padStart(8, '0'),
      );
    }
    const s = hex.join('');
    const variant = ((parseInt(s[16], 16) & 0x3) | 0x8).toString(16);
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
  }
}
