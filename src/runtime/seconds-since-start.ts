/** Seconds since this process started, to two decimals: the start-up milestones' clock (README timings, bench). */
export function secondsSinceStart(): number {
  return Math.round(process.uptime() * 100) / 100;
}
