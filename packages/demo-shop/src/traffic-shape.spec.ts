import { describe, expect, it } from 'vitest';
import { MAX_ACTIVITY, activityAt } from './traffic-shape.js';

const HOUR = 3_600_000;
// 2026-11-23 is a Monday.
const MONDAY = Date.UTC(2026, 10, 23);

describe('activityAt', () => {
  it('should average 1 over a whole week', () => {
    let sum = 0;
    const steps = 7 * 24 * 12;
    for (let i = 0; i < steps; i++) {
      sum += activityAt(MONDAY + (i * HOUR) / 12);
    }
    expect(sum / steps).toBeCloseTo(1, 2);
  });

  it('should be far lower at night than in the evening', () => {
    expect(activityAt(MONDAY + 20 * HOUR)).toBeGreaterThan(activityAt(MONDAY + 3 * HOUR) * 10);
  });

  it('should be higher on Saturday than on Tuesday at the same hour', () => {
    expect(activityAt(MONDAY + 5 * 24 * HOUR + 12 * HOUR)).toBeGreaterThan(
      activityAt(MONDAY + 1 * 24 * HOUR + 12 * HOUR),
    );
  });

  it('should never exceed MAX_ACTIVITY, which thinning relies on', () => {
    let max = 0;
    for (let i = 0; i < 7 * 24 * 60; i++) {
      max = Math.max(max, activityAt(MONDAY + i * 60_000));
    }
    expect(max).toBeLessThanOrEqual(MAX_ACTIVITY);
    expect(max).toBeGreaterThan(MAX_ACTIVITY * 0.95);
  });
});
