/**
 * When shoppers are active: a diurnal curve times a weekly curve, normalised so that the average over a week
 * is 1. The producer multiplies its base rate by this factor, which gives the history the daily and weekly
 * seasonality that the forecast functions are meant to find.
 *
 * Times are UTC: the simulated shop serves one main market, so one clock is realistic enough.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Relative activity per hour of the day, 00:00 to 23:00: a night trough, a lunch bump and an evening peak. */
const HOURLY = [
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.55, 0.8, 0.95, 1.05, 1.15, 1.3, 1.25, 1.1, 1.05, 1.1, 1.25, 1.5,
  1.75, 1.85, 1.6, 1.05, 0.55,
] as const;

/** Relative activity per day of the week, Sunday first (as `Date.getUTCDay`): e-commerce peaks at weekends. */
const WEEKLY = [1.25, 0.85, 0.88, 0.9, 0.95, 1.05, 1.3] as const;

const HOURLY_MEAN = HOURLY.reduce((a, b) => a + b, 0) / HOURLY.length;
const WEEKLY_MEAN = WEEKLY.reduce((a, b) => a + b, 0) / WEEKLY.length;

/** The largest value `activityAt` can return; the Poisson thinning in the simulator needs an upper bound. */
export const MAX_ACTIVITY = (Math.max(...HOURLY) / HOURLY_MEAN) * (Math.max(...WEEKLY) / WEEKLY_MEAN);

/**
 * Activity factor at `timeMs` (epoch milliseconds). Linear interpolation between the hourly points keeps the
 * curve free of steps at the top of each hour. Averages to ~1 over any whole week.
 */
export function activityAt(timeMs: number): number {
  const dayStart = Math.floor(timeMs / DAY_MS) * DAY_MS;
  const hourPos = (timeMs - dayStart) / HOUR_MS;
  const h0 = Math.floor(hourPos) % 24;
  const h1 = (h0 + 1) % 24;
  const frac = hourPos - Math.floor(hourPos);
  const hourly = (HOURLY[h0] * (1 - frac) + HOURLY[h1] * frac) / HOURLY_MEAN;
  const weekday = new Date(dayStart).getUTCDay();
  return hourly * (WEEKLY[weekday] / WEEKLY_MEAN);
}
