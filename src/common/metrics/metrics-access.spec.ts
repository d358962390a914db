import { describe, expect, it } from 'vitest';
import { MetricsAccess } from './metrics-access.js';

describe(MetricsAccess.name, () => {
  describe('allows', () => {
    it('should let every scrape through without a token', () => {
      const sut = new MetricsAccess(undefined);
      expect(sut.protected).toBe(false);
      expect(sut.allows(undefined)).toBe(true);
    });

    it('should want exactly the bearer token when one is set', () => {
      const sut = new MetricsAccess('0123456789abcdef');
      expect(sut.protected).toBe(true);
      expect(sut.allows('Bearer 0123456789abcdef')).toBe(true);
      expect(sut.allows('bearer 0123456789abcdef')).toBe(true);
      expect(sut.allows(undefined)).toBe(false);
      expect(sut.allows('Bearer 0123456789abcde')).toBe(false);
      expect(sut.allows('Basic 0123456789abcdef')).toBe(false);
      expect(sut.allows(['Bearer 0123456789abcdef'])).toBe(false);
    });
  });
});
