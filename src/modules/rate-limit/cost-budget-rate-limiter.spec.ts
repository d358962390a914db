import { describe, expect, it } from 'vitest';
import type { Principal } from '../auth/principal.js';
import { MemoryThrottlerStorage } from './cost-throttler.storage.js';
import { EngineConcurrencyGate } from './engine-concurrency-gate.js';
import { RateLimitError, RateLimitErrorCode, rateLimitHeaders } from './rate-limit-error.js';
import { CostBudgetRateLimiter } from './cost-budget-rate-limiter.js';

const alice: Principal = { id: 'alice', roles: [], scopes: [], claims: {}, anonymous: false, method: 'jwt' };
const bob: Principal = { ...alice, id: 'bob' };

function limiter(points = 10, now = () => 0) {
  return new CostBudgetRateLimiter(new MemoryThrottlerStorage(now), { points, windowSeconds: 60 });
}

describe(CostBudgetRateLimiter.name, () => {
  describe('consume', () => {
    it('should spend cost points and refuse the call that does not fit, leaving other callers alone', async () => {
      const sut = limiter(10);
      const fn = { name: 'FraudScores', cost: 4 };
      await expect(sut.consume(alice, fn)).resolves.toMatchObject({
        limit: 10,
        remaining: 6,
        resetSeconds: 60,
      });
      await expect(sut.consume(alice, fn)).resolves.toMatchObject({ remaining: 2 });
      const refused = (await sut.consume(alice, fn).catch((e: unknown) => e)) as RateLimitError;
      expect(refused).toBeInstanceOf(RateLimitError);
      expect(refused.code).toBe(RateLimitErrorCode.RateLimited);
      expect(refused.message).toBe(
        'rate limit exceeded across all functions: 8 of 10 points used in this 60 s window (FraudScores costs 4); retry in 60 s',
      );
      expect(refused.retryAfterSeconds).toBe(60);
      await expect(sut.consume(alice, { name: 'Cheap', cost: 2 })).resolves.toMatchObject({ remaining: 0 });
      await expect(sut.consume(bob, fn)).resolves.toMatchObject({ remaining: 6 });
    });

    it('should refill when the window ends', async () => {
      let now = 0;
      const sut = limiter(1, () => now);
      await sut.consume(alice, { name: 'F', cost: 1 });
      await expect(sut.consume(alice, { name: 'F', cost: 1 })).rejects.toBeInstanceOf(RateLimitError);
      now = 60_001;
      await expect(sut.consume(alice, { name: 'F', cost: 1 })).resolves.toMatchObject({ remaining: 0 });
    });

    it('should apply a per-function budget and report the tightest', async () => {
      const sut = limiter(100);
      const fn = { name: 'Forecast', cost: 1, rateLimit: { points: 2, windowSeconds: 10 } };
      await expect(sut.consume(alice, fn)).resolves.toMatchObject({
        scope: 'function',
        remaining: 1,
        limit: 2,
      });
      await sut.consume(alice, fn);
      await expect(sut.consume(alice, fn)).rejects.toMatchObject({
        message:
          'rate limit exceeded for Forecast: 2 of 2 points used in this 10 s window (Forecast costs 1); retry in 10 s',
      });
      await expect(sut.consume(alice, { name: 'Other', cost: 1 })).resolves.toMatchObject({
        scope: 'principal',
      });
    });

    it('should explain a cost larger than the whole budget', async () => {
      await expect(limiter(3).consume(alice, { name: 'Huge', cost: 5 })).rejects.toMatchObject({
        message: 'Huge costs 5 points but the budget across all functions is 3 points per 60 s',
      });
    });

    it('should do nothing when disabled', async () => {
      await expect(limiter(0).consume(alice, { name: 'F', cost: 1 })).resolves.toBeUndefined();
    });
  });

  describe(rateLimitHeaders.name, () => {
    it('should format the RateLimit fields and Retry-After', () => {
      expect(
        rateLimitHeaders(
          { limit: 10, remaining: 0, resetSeconds: 42, windowSeconds: 60, scope: 'principal' },
          42,
        ),
      ).toEqual({
        'RateLimit-Limit': '10',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': '42',
        'RateLimit-Policy': '10;w=60',
        'Retry-After': '42',
      });
    });
  });
});

describe(EngineConcurrencyGate.name, () => {
  it('should run at most maxConcurrent tasks, queue up to maxQueue and refuse beyond', async () => {
    const gate = new EngineConcurrencyGate(2, 1);
    const releases: (() => void)[] = [];
    let peak = 0;
    const task = () =>
      gate.run(async () => {
        peak = Math.max(peak, gate.running);
        await new Promise<void>((resolve) => releases.push(resolve));
        return 'done';
      });
    const running = [task(), task(), task()];
    await new Promise((resolve) => setImmediate(resolve));
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(1);
    await expect(task()).rejects.toMatchObject({
      code: RateLimitErrorCode.EngineBusy,
      message: 'the query engine is saturated (2 queries running, 1 waiting); retry shortly',
      retryAfterSeconds: 1,
    });
    while (releases.length > 0 || gate.running > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await expect(Promise.all(running)).resolves.toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(gate.running).toBe(0);
  });
});
