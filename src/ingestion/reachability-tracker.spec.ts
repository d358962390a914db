import { describe, expect, it } from 'vitest';
import { ReachabilityTracker } from './reachability-tracker.js';

describe(ReachabilityTracker.name, () => {
  it('should stay up for failures shorter than the threshold and go down after it', () => {
    let now = 1000;
    const tracker = new ReachabilityTracker({ now: () => now, sleep: () => Promise.resolve() }, 500);
    expect(tracker.status()).toEqual({ up: true, details: {} });
    tracker.markDown(new Error('connect ECONNREFUSED'));
    now = 1400;
    expect(tracker.status().up).toBe(true);
    now = 1600;
    expect(tracker.status()).toEqual({
      up: false,
      details: { failingForMs: 600, thresholdMs: 500, lastError: 'connect ECONNREFUSED' },
    });
    tracker.markUp();
    expect(tracker.status().up).toBe(true);
  });
});
