import { KqlgateError } from '../../common/errors/kqlgate-error.js';

export enum RateLimitErrorCode {
  /** The caller spent its budget for the current window (HTTP 429). */
  RateLimited = 'RATE_LIMITED',
  /** The engine-concurrency queue is full: the whole gateway is saturated, not this caller (HTTP 503). */
  EngineBusy = 'ENGINE_BUSY',
}

/** One budget's state after a request, in the units of the RateLimit-* headers. */
export interface RateLimitState {
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets. */
  readonly resetSeconds: number;
  readonly windowSeconds: number;
  /** Which budget this is: `principal` (all functions) or `function` (this function only). */
  readonly scope: 'principal' | 'function';
}

export class RateLimitError extends KqlgateError {
  constructor(
    override readonly code: RateLimitErrorCode,
    message: string,
    readonly retryAfterSeconds: number,
    readonly state: RateLimitState | undefined,
    details: Record<string, unknown> = {},
  ) {
    super(code, message, { ...details, retryAfterSeconds });
  }

  /** Read by the REST and GraphQL error translators (see query-hooks.ts). */
  get httpStatus(): 429 | 503 {
    return rateLimitHttpStatus(this.code);
  }
}

export function rateLimitHttpStatus(code: RateLimitErrorCode): 429 | 503 {
  switch (code) {
    case RateLimitErrorCode.RateLimited:
      return 429;
    case RateLimitErrorCode.EngineBusy:
      return 503;
  }
}

/**
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds) and `RateLimit-Policy`, as in the
 * IETF httpapi RateLimit header fields draft; on a refusal add `Retry-After` (RFC 9110 §10.2.3).
 */
export function rateLimitHeaders(state: RateLimitState, retryAfterSeconds?: number): Record<string, string> {
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(state.limit),
    'RateLimit-Remaining': String(Math.max(0, state.remaining)),
    'RateLimit-Reset': String(Math.max(0, state.resetSeconds)),
    'RateLimit-Policy': `${state.limit};w=${state.windowSeconds}`,
  };
  if (retryAfterSeconds !== undefined) {
    headers['Retry-After'] = String(Math.max(1, retryAfterSeconds));
  }
  return headers;
}
