import type { QueryCacheOutcome } from '../query/query-hooks.js';
import type { RateLimitState } from '../rate-limit/rate-limit-error.js';
import type { AuthError } from './auth-error.js';
import type { Principal } from './principal.js';

/**
 * What the security hooks learned while one HTTP request ran through `FunctionQueryService.execute` — the
 * principal, the tightest rate-limit budget, the cache outcomes, the auth refusal — so that one `onSend` hook can
 * turn it into response headers (RateLimit-*, Retry-After, WWW-Authenticate, ETag, Cache-Control, 304) without
 * the REST and GraphQL edges having to carry them around. Opened per request by `registerSecurityHttpHooks`.
 *
 * The context is reached through objects the hooks are handed anyway, rather than through AsyncLocalStorage:
 * on Node 20 an active AsyncLocalStorage installs promise hooks that tax every promise of the process (measured
 * ≈ 11 µs of CPU per request on a Fastify route with a few awaits), the embedded engine's included.
 * - the request's headers object: the edge passes exactly that object to `authenticate(headers, …)`, and the
 *   `onSend` hook reads it back from `request.headers`;
 * - the principal `authenticate` returns: a fresh object per request (verified tokens are cached and shared
 *   between requests, their per-request copy is not), which execute() hands to every later hook.
 */
export interface RequestSecurityContext {
  /** The request's id (`x-request-id` or minted), so audit lines join the request's log line. */
  readonly requestId?: string;
  principal?: Principal;
  authError?: AuthError;
  rateLimit?: { state: RateLimitState; retryAfterSeconds?: number };
  /** Set when the engine-concurrency gate refused a call (503). */
  engineBusyRetryAfterSeconds?: number;
  /** One per function call in this request; ETag/304 apply only when exactly one ran (REST). */
  readonly cacheOutcomes: { functionName: string; outcome: QueryCacheOutcome<unknown>; shared: boolean }[];
}

/**
 * Where a request's context hangs: a symbol-keyed property of its headers object and of its principal copy. Not a
 * WeakMap: with two WeakMap entries per request, binding the principal alone took 1.4 % of the cached-call CPU
 * profile (plus ephemeron work for the collector); the plain property does not show up.
 * Symbol keys stay out of `Object.keys`, `for…in` and JSON, so headers and principals read as before.
 */
const CONTEXT = Symbol('kqlgate:RequestSecurityContext');

interface CarriesContext {
  [CONTEXT]?: RequestSecurityContext;
}

/** Opens the context of one HTTP request, on that request's headers object. */
export function openSecurityContext(requestHeaders: object, requestId?: string): RequestSecurityContext {
  const context: RequestSecurityContext = { requestId, cacheOutcomes: [] };
  (requestHeaders as CarriesContext)[CONTEXT] = context;
  return context;
}

/** The context of the request these headers belong to, or undefined outside an HTTP request (CLI, tests). */
export function securityContextOfRequest(requestHeaders: object): RequestSecurityContext | undefined {
  return (requestHeaders as CarriesContext)[CONTEXT];
}

/**
 * Records the authenticated principal in the request's context and returns this request's own copy of it, which
 * leads the later hooks back to the same context.
 */
export function bindPrincipalToRequest(context: RequestSecurityContext, principal: Principal): Principal {
  const own: Principal & CarriesContext = {
    id: principal.id,
    roles: principal.roles,
    scopes: principal.scopes,
    claims: principal.claims,
    anonymous: principal.anonymous,
    method: principal.method,
    [CONTEXT]: context,
  };
  context.principal = own;
  return own;
}

/** The context of the request `principal` was authenticated for, or undefined (e.g. a principal built in a test). */
export function securityContextOfPrincipal(
  principal: Principal | undefined,
): RequestSecurityContext | undefined {
  return (principal as CarriesContext | undefined)?.[CONTEXT];
}
