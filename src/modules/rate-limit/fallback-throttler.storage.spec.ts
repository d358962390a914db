import { describe, expect, it } from 'vitest';
import { MemoryThrottlerStorage, type CostThrottlerStorage } from './cost-throttler.storage.js';
import { FallbackThrottlerStorage } from './fallback-throttler.storage.js';

describe(FallbackThrottlerStorage.name, () => {
  describe('increment', () => {
    it('should keep the budget with local state while the shared store fails, counting what it accepted before', async () => {
      let down = false;
      const shared = new MemoryThrottlerStorage();
      const flaky: CostThrottlerStorage = {
        increment: (...args: Parameters<CostThrottlerStorage['increment']>) =>
          down ? Promise.reject(new Error('Connection is closed.')) : shared.increment(...args),
      };
      const reports: string[] = [];
      const sut = new FallbackThrottlerStorage(flaky, {
        fellBack: (component) => reports.push(`fellBack:${component}`),
        failed: () => reports.push('failed'),
        recovered: () => reports.push('recovered'),
      });
      const spend = async () => (await sut.increment('p:alice', 60_000, 5, 60_000, 'query', 2)).isBlocked;

      expect([await spend(), await spend()]).toEqual([false, false]);
      down = true;
      // 4 of 5 points were spent while shared; the local state counted them, so a call of 2 no longer fits.
      expect([await spend(), await spend()]).toEqual([true, true]);
      down = false;
      expect(await spend()).toBe(true);
      expect(reports).toEqual([
        'recovered',
        'recovered',
        'fellBack:rate_limit',
        'fellBack:rate_limit',
        'recovered',
      ]);
    });
  });
});
