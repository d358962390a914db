import { describe, expect, it } from 'vitest';
import { cacheControlHeader, isNotModified, representationEtag } from './http-cache-headers.js';

describe('http-cache-headers', () => {
  describe(cacheControlHeader.name, () => {
    it('should send the remaining TTL, private unless shared', () => {
      expect(
        cacheControlHeader({ ttlSeconds: 30, ageSeconds: 10, staleWhileRevalidateSeconds: 0 }, false),
      ).toBe('private, max-age=20');
      expect(
        cacheControlHeader({ ttlSeconds: 30, ageSeconds: 0, staleWhileRevalidateSeconds: 15 }, true),
      ).toBe('public, max-age=30, stale-while-revalidate=15');
      expect(cacheControlHeader({ ttlSeconds: 0, ageSeconds: 0, staleWhileRevalidateSeconds: 0 }, true)).toBe(
        'no-store',
      );
    });
  });

  describe(representationEtag.name, () => {
    it('should vary by media type', () => {
      expect(representationEtag('"abc"', 'application/json; charset=utf-8')).toBe('"abc"');
      expect(representationEtag('"abc"', 'text/csv')).toBe('"abc-text.csv"');
      expect(representationEtag('', 'text/csv')).toBe('');
    });
  });

  describe(isNotModified.name, () => {
    it('should match lists, weak tags and star', () => {
      expect(isNotModified('"x", W/"abc"', '"abc"')).toBe(true);
      expect(isNotModified('*', '"abc"')).toBe(true);
      expect(isNotModified('"abd"', '"abc"')).toBe(false);
      expect(isNotModified(undefined, '"abc"')).toBe(false);
    });
  });
});
