import { describe, expect, it } from 'vitest';
import { SeededRandom, hash32 } from './seeded-random.js';

function sample<T>(n: number, draw: () => T): T[] {
  return Array.from({ length: n }, draw);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

describe(SeededRandom.name, () => {
  describe('next', () => {
    it('should repeat the same sequence for the same seed', () => {
      const a = new SeededRandom(42);
      const b = new SeededRandom(42);
      expect(sample(100, () => a.next())).toEqual(sample(100, () => b.next()));
    });

    it('should give a different sequence for another seed', () => {
      const a = new SeededRandom(42);
      const b = new SeededRandom(43);
      expect(sample(10, () => a.next())).not.toEqual(sample(10, () => b.next()));
    });

    it('should stay in [0, 1) with a mean near 0.5', () => {
      const rng = new SeededRandom(1);
      const values = sample(20_000, () => rng.next());
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThan(1);
      expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(0.5, 1);
    });

    it('should continue identically after its state is saved and restored', () => {
      const rng = new SeededRandom(7);
      sample(13, () => rng.next());
      const restored = new SeededRandom(0);
      restored.setState(rng.getState());
      expect(sample(50, () => restored.next())).toEqual(sample(50, () => rng.next()));
    });
  });

  describe('derive', () => {
    it('should depend on the key, not on how far another generator has advanced', () => {
      expect(SeededRandom.derive(5, 'customer:1').next()).toBe(SeededRandom.derive(5, 'customer:1').next());
      expect(SeededRandom.derive(5, 'customer:1').next()).not.toBe(
        SeededRandom.derive(5, 'customer:2').next(),
      );
      expect(hash32('abc')).toBe(0x1a47e90b);
    });
  });

  describe('int', () => {
    it('should cover both bounds and nothing outside them', () => {
      const rng = new SeededRandom(3);
      const values = new Set(sample(2_000, () => rng.int(2, 5)));
      expect([...values].sort()).toEqual([2, 3, 4, 5]);
    });
  });

  describe('logNormal', () => {
    it('should have the requested median and a long right tail', () => {
      const rng = new SeededRandom(11);
      const values = sample(20_000, () => rng.logNormal(40, 0.8));
      expect(median(values)).toBeGreaterThan(36);
      expect(median(values)).toBeLessThan(44);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      expect(mean).toBeGreaterThan(median(values) * 1.2);
      expect(Math.max(...values)).toBeGreaterThan(40 * 10);
    });
  });

  describe('pareto', () => {
    it('should never go below the scale and produce rare huge values', () => {
      const rng = new SeededRandom(12);
      const values = sample(20_000, () => rng.pareto(10, 1.5));
      expect(Math.min(...values)).toBeGreaterThanOrEqual(10);
      expect(median(values)).toBeCloseTo(10 * Math.pow(2, 1 / 1.5), 0);
      expect(Math.max(...values)).toBeGreaterThan(1_000);
    });
  });

  describe('poisson', () => {
    it('should have the requested mean for small and large means', () => {
      const rng = new SeededRandom(13);
      for (const mean of [0.7, 4, 80]) {
        const values = sample(10_000, () => rng.poisson(mean));
        expect(values.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
        expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(mean, mean > 10 ? -1 : 1);
      }
    });
  });

  describe('zipf', () => {
    it('should make low ranks far more popular than high ranks', () => {
      const rng = new SeededRandom(14);
      const values = sample(20_000, () => rng.zipf(1_000, 1));
      const top10 = values.filter((v) => v < 10).length;
      const bottom500 = values.filter((v) => v >= 500).length;
      expect(Math.min(...values)).toBe(0);
      expect(Math.max(...values)).toBeLessThan(1_000);
      expect(top10).toBeGreaterThan(bottom500 * 2);
    });
  });

  describe('weighted', () => {
    it('should pick in proportion to the weights and reject all-zero weights', () => {
      const rng = new SeededRandom(15);
      const values = sample(10_000, () => rng.weighted<string>(['a', 'b'], (x) => (x === 'a' ? 3 : 1)));
      expect(values.filter((v) => v === 'a').length / values.length).toBeCloseTo(0.75, 1);
      expect(() => rng.weighted(['a'], () => 0)).toThrow(
        'SeededRandom.weighted: the weights must sum to a positive number',
      );
      expect(() => rng.pick([])).toThrow('SeededRandom.pick: cannot pick from an empty list');
    });
  });

  describe('uuid', () => {
    it('should produce RFC 4122 version-4 shaped ids deterministically', () => {
      const id = new SeededRandom(16).uuid();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new SeededRandom(16).uuid()).toBe(id);
    });
  });
});
