import { AsyncLocalStorage } from 'node:async_hooks';
import type { QueryCacheOutcome } from '../query/query-hooks.js';
import type { RateLimitState } from '../rate-limit/rate-limit-error.js';
import type { AuthError } from './auth-error.js';
import type { Principal } from './principal.js';

/**
 * What the security hooks learned while one HTTP request ran through `FunctionQueryService.execute` — the
 * principal, the tightest rate-limit budget, the cache outcomes, the auth refusal — so that one `onSend` hook can
 * turn it into response headers (RateLimit-*, Retry-After, WWW-Authenticate, ETag, Cache-Control, 304) without
 * the REST and GraphQL edges having to carry them around. Entered per request by `registerSecurityHttpHooks`.
 */
export interface RequestSecurityContext {
  principal?: Principal;
  authError?: AuthError;
  rateLimit?: { state: RateLimitState; retryAfterSeconds?: number };
  /** Set when the engine-concurrency gate refused a call (503). */
  engineBusyRetryAfterSeconds?: number;
  /** One per function call in this request; ETag/304 apply only when exactly one ran (REST). */
  readonly cacheOutcomes: { functionName: string; outcome: QueryCacheOutcome<unknown>; shared: boolean }[];
}

const storage = new AsyncLocalStorage<RequestSecurityContext>();

export function runWithSecurityContext<T>(callback: () => T): T {
  return storage.run({ cacheOutcomes: [] }, callback);
}

/** The current request's context, or undefined outside an HTTP request (CLI, tests calling services directly). */
export function securityContext(): RequestSecurityContext | undefined {
  return storage.getStore();
}
