import { AuthError, AuthErrorCode, wwwAuthenticateHeader } from '../auth/auth-error.js';
import { RateLimitError, rateLimitHeaders } from '../rate-limit/rate-limit-error.js';

/**
 * The response headers of a refused call, read from the error that refused it: the challenge of an AuthError
 * (`WWW-Authenticate`, RFC 6750), the budget and wait of a RateLimitError (`RateLimit-*`, `Retry-After`). Each
 * module owns its header format (auth-error.ts, rate-limit-error.ts); this picks the one that applies. `status` is
 * what the caller is told, which may differ from the error's own (an unknown function and a hidden one both
 * answer 404, with no challenge). Every 401 carries a challenge and every 429/503 a `Retry-After`, as HTTP wants.
 */
export function refusalHeaders(error: unknown, status: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error instanceof RateLimitError) {
    Object.assign(
      headers,
      error.state
        ? rateLimitHeaders(error.state, error.retryAfterSeconds)
        : { 'Retry-After': String(Math.max(1, error.retryAfterSeconds)) },
    );
  } else if (error instanceof AuthError) {
    const challenge = status === 401 || status === 403 ? error.challenge : undefined;
    if (challenge) {
      headers['WWW-Authenticate'] = challenge;
    }
    if (error.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(Math.max(1, error.retryAfterSeconds));
    }
  }
  if (status === 401 && !headers['WWW-Authenticate']) {
    headers['WWW-Authenticate'] = ANONYMOUS_CHALLENGE;
  }
  if ((status === 429 || status === 503) && !headers['Retry-After']) {
    headers['Retry-After'] = '1';
  }
  return headers;
}

/** The challenge of a 401 that names no credential problem: which schemes the gateway accepts. */
export const ANONYMOUS_CHALLENGE = wwwAuthenticateHeader({
  code: AuthErrorCode.Unauthenticated,
  message: '',
})!;
