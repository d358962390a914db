/**
 * Exponential back-off with "equal jitter": half of the exponential delay is fixed, the other half random, so
 * replicas that failed together do not retry in lock-step while the delay still grows predictably.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 200, maxMs: 10_000 });

/** Delay before retry number `attempt` (0-based); `random` returns [0, 1). */
export function backoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  const half = exponential / 2;
  return Math.round(half + random() * half);
}
