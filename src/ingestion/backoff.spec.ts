import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 100, maxMs: 1000 };

  it('should grow exponentially between half and all of the exponential delay', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((a) => backoffDelayMs(a, policy, () => 0.999999))).toEqual([100, 200, 400, 800]);
  });

  it('should cap the delay at maxMs', () => {
    expect(backoffDelayMs(50, policy, () => 0.999999)).toBe(1000);
    expect(backoffDelayMs(50, policy, () => 0)).toBe(500);
  });
});
