import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, AuthErrorCode } from './auth-error.js';
import { AuthFailureLimiter, clientOf } from './auth-failure-limiter.js';

describe(AuthFailureLimiter.name, () => {
  describe('refusal of IPv6 clients', () => {
    it('should count the addresses of one /64 together', () => {
      const limiter = new AuthFailureLimiter({ maxFailures: 2, windowSeconds: 60 });
      limiter.recordFailure('2001:db8:1:2::1');
      limiter.recordFailure('2001:db8:1:2:ffff:ffff:ffff:ffff');
      expect(limiter.refusal('2001:db8:1:2::abcd')).toMatchObject({ code: AuthErrorCode.TooManyFailures });
      expect(limiter.refusal('2001:db8:1:3::1')).toBeUndefined();
    });
  });

  const t0 = 1_700_000_000_000;

  const refusal = (limiter: AuthFailureLimiter, address: string, now: number): AuthError | undefined =>
    limiter.refusal(address, now);

  describe('refusal', () => {
    it('should refuse an address with 429 once it reached the limit, until its window ends', () => {
      const limiter = new AuthFailureLimiter({ maxFailures: 3, windowSeconds: 60 });
      for (let i = 0; i < 2; i += 1) {
        limiter.recordFailure('10.0.0.1', t0 + i);
      }
      expect(refusal(limiter, '10.0.0.1', t0 + 10)).toBeUndefined();
      limiter.recordFailure('10.0.0.1', t0 + 20_000);
      const refused = refusal(limiter, '10.0.0.1', t0 + 20_000);
      expect(refused).toBeInstanceOf(AuthError);
      expect(refused).toMatchObject({
        code: AuthErrorCode.TooManyFailures,
        httpStatus: 429,
        retryAfterSeconds: 40,
        message: 'too many failed authentications from this address; credentials are not checked for 40 s',
      });
      expect(refusal(limiter, '10.0.0.2', t0 + 20_000)).toBeUndefined();
      expect(refusal(limiter, '10.0.0.1', t0 + 60_000)).toBeUndefined();
    });

    it('should never refuse without an address or with the limit disabled', () => {
      const disabled = new AuthFailureLimiter({ maxFailures: 0, windowSeconds: 60 });
      const limiter = new AuthFailureLimiter({ maxFailures: 1, windowSeconds: 60 });
      for (let i = 0; i < 5; i += 1) {
        disabled.recordFailure('10.0.0.1', t0);
        limiter.recordFailure(undefined, t0);
      }
      expect(refusal(disabled, '10.0.0.1', t0)).toBeUndefined();
      expect(limiter.refusal(undefined, t0)).toBeUndefined();
    });

    it('should forget the least recently failing addresses beyond its bound', () => {
      const limiter = new AuthFailureLimiter({ maxFailures: 1, windowSeconds: 60, maxClients: 2 });
      limiter.recordFailure('a', t0);
      limiter.recordFailure('b', t0);
      limiter.recordFailure('c', t0);
      expect(refusal(limiter, 'a', t0)).toBeUndefined();
      expect(refusal(limiter, 'c', t0)).toMatchObject({ code: AuthErrorCode.TooManyFailures });
    });
  });

  describe('attempt', () => {
    it('should count checks still running against the limit, and only failed ones afterwards', () => {
      const limiter = new AuthFailureLimiter({ maxFailures: 2, windowSeconds: 60 });
      const first = limiter.attempt('10.0.0.1', t0);
      const second = limiter.attempt('10.0.0.1', t0);
      expect(refusal(limiter, '10.0.0.1', t0)).toMatchObject({ code: AuthErrorCode.TooManyFailures });
      first(false);
      expect(refusal(limiter, '10.0.0.1', t0)).toBeUndefined();
      second(true);
      expect(refusal(limiter, '10.0.0.1', t0)).toBeUndefined();
      limiter.attempt('10.0.0.1', t0)(true);
      expect(refusal(limiter, '10.0.0.1', t0)).toMatchObject({ code: AuthErrorCode.TooManyFailures });
    });
  });

  describe('hold', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('should hold a refusal for the delay, and no more than maxHeldRefusals at once', async () => {
      vi.useFakeTimers();
      const limiter = new AuthFailureLimiter({
        maxFailures: 1,
        windowSeconds: 60,
        refusalDelayMs: 1000,
        maxHeldRefusals: 2,
      });
      const released: number[] = [];
      const holds = [1, 2, 3].map((n) => limiter.hold().then(() => released.push(n)));
      await vi.advanceTimersByTimeAsync(0);
      expect(released).toEqual([3]);
      await vi.advanceTimersByTimeAsync(999);
      expect(released).toEqual([3]);
      await vi.advanceTimersByTimeAsync(1);
      await Promise.all(holds);
      expect(released).toEqual([3, 1, 2]);
      const again = limiter.hold().then(() => released.push(4));
      await vi.advanceTimersByTimeAsync(0);
      expect(released).toEqual([3, 1, 2]);
      await vi.advanceTimersByTimeAsync(1000);
      await again;
      expect(released).toEqual([3, 1, 2, 4]);
    });
  });

  describe('recordFailure', () => {
    it('should report an address once, when it reaches the limit', () => {
      const onLimitReached = vi.fn();
      const limiter = new AuthFailureLimiter({ maxFailures: 2, windowSeconds: 30, onLimitReached });
      for (let i = 0; i < 5; i += 1) {
        limiter.recordFailure('10.0.0.9', t0 + i * 1000);
      }
      expect(onLimitReached.mock.calls).toEqual([['10.0.0.9', 29]]);
    });
  });
});

describe(clientOf.name, () => {
  it('should keep IPv4 addresses, unwrap IPv4-mapped ones and cut IPv6 to its /64', () => {
    expect(
      [
        '203.0.113.7',
        '::ffff:203.0.113.7',
        '2001:db8::1',
        '2001:0DB8:0000:0001:0:0:0:1',
        '::1',
        'fe80::1%eth0',
        '64:ff9b::192.0.2.33',
      ].map(clientOf),
    ).toEqual([
      '203.0.113.7',
      '203.0.113.7',
      '2001:db8:0:0::/64',
      '2001:db8:0:1::/64',
      '0:0:0:0::/64',
      'fe80:0:0:0::/64',
      '64:ff9b:0:0::/64',
    ]);
  });
});
