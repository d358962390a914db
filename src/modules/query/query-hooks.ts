import { Injectable } from '@nestjs/common';
import { anonymousPrincipal, type Principal } from '../auth/principal.js';
import type { CredentialHeaders, RequestAuthenticator } from '../auth/request-authenticator.js';
import type { RateLimitState } from '../rate-limit/rate-limit-error.js';

/**
 * The extension points of the one query path (`FunctionQueryService.execute`): one interface per port, bound to the
 * injection token of the same name by the global auth (AuditedRequestAuthenticator, FunctionAuthorizationPolicy),
 * rate-limit (CostBudgetRateLimiter) and cache (StoreBackedResultCache) modules, or via `QueryModule.forRoot({ hooks
 * })`. REQUEST_AUTHENTICATOR is the auth module's: it decides what a call without credentials is, the edges require
 * it, and its interface is auth/request-authenticator.ts. Any other token nobody binds falls back to the permissive /
 * pass-through default below. The hooks run in this order for every GraphQL field and REST call:
 *
 *   1. `REQUEST_AUTHENTICATOR.authenticate(headers, clientAddress, requestId)` — at the edge, once per request
 *   2. `AUTHORIZATION_POLICY.authorize(principal, fn)` — may the caller run it (throws → 401/403)
 *   3. `AUTHORIZATION_POLICY.bindClaims(principal, fn, params)` — fill claim-bound parameters (throws → 400/403)
 *   4. request parameters are validated and typed (400 naming each bad parameter)
 *   5. `QUERY_RATE_LIMITER.consume(principal, fn, fn.cost)` — the budget's state, or throws → 429
 *   6. `QUERY_RESULT_CACHE.getOrLoad(lookup, loader)` — the loader runs the query on the engine
 *
 * execute() returns what the edges need for their response headers (cache validators, the rate-limit state) with
 * the rows. Errors thrown by hooks should extend `KqlgateError`; the REST and GraphQL translators map an error
 * carrying a numeric `httpStatus` (or one of the auth codes) to that status, put `code`/`details` in the body and
 * the error's own headers (refusal-headers.ts) on the response.
 */

/** What the hooks see of a function: its exposure settings, as the catalog read them from the KQL header. */
export interface QueryFunctionInfo {
  readonly name: string;
  readonly anonymous: boolean;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  /** Parameter name → claim name, e.g. `{ tenantId: 'tid' }`. */
  readonly boundParameters: Readonly<Record<string, string>>;
  /** Rate-limit points one call costs. */
  readonly cost: number;
  readonly cacheTtlSeconds: number;
  /** Every table the function reads (transitively): results depend on these. */
  readonly tables: readonly string[];
}

export interface AuthorizationPolicy {
  /** Throws when the principal may not call the function. */
  authorize(principal: Principal, fn: QueryFunctionInfo): void | Promise<void>;
  /**
   * Returns the parameters with every claim-bound one filled from the principal (`bound` lists those), or throws
   * when a claim is missing or the request tried to pass a bound parameter itself.
   */
  bindClaims(
    principal: Principal,
    fn: QueryFunctionInfo,
    params: Readonly<Record<string, unknown>>,
  ): { params: Record<string, unknown>; bound: Record<string, string | number | boolean> };
}

export interface QueryRateLimiter {
  /**
   * Spends `cost` points of the principal's budget and returns the tightest budget's state (undefined: no limits);
   * throws a RateLimitError, which carries that state, when the budget is exhausted.
   */
  consume(
    principal: Principal,
    fn: QueryFunctionInfo,
    cost: number,
  ): RateLimitState | undefined | Promise<RateLimitState | undefined>;
}

export interface QueryCacheLookup {
  readonly functionName: string;
  /** Tables the function reads (from the catalog's analysis): their generations are part of the key. */
  readonly tables: readonly string[];
  /** Every parameter value the query runs with (typed, defaults not filled in), bound ones included. */
  readonly params: Readonly<Record<string, unknown>>;
  /** The claim-bound values: keeps two tenants apart even if a function forgot to use the bound parameter. */
  readonly boundClaims: Readonly<Record<string, unknown>>;
  /** 0 → do not store (concurrent identical loads may still be coalesced). */
  readonly ttlSeconds: number;
  /** How long after expiry a stale value may still be served while one refresh runs in the background. */
  readonly staleWhileRevalidateSeconds?: number;
}

export interface QueryCacheOutcome<T> {
  readonly value: T;
  /** e.g. `hit`, `miss`, `stale`, `bypass`; reported in `meta.cache`. */
  readonly result: string;
  readonly etag?: string;
  readonly ageSeconds?: number;
  readonly ttlSeconds?: number;
  readonly staleWhileRevalidateSeconds?: number;
}

export interface QueryResultCache {
  getOrLoad<T>(lookup: QueryCacheLookup, loader: () => Promise<T>): Promise<QueryCacheOutcome<T>>;
}

export const REQUEST_AUTHENTICATOR = Symbol('kqlgate:RequestAuthenticator');
export const AUTHORIZATION_POLICY = Symbol('kqlgate:AuthorizationPolicy');
export const QUERY_RATE_LIMITER = Symbol('kqlgate:QueryRateLimiter');
export const QUERY_RESULT_CACHE = Symbol('kqlgate:QueryResultCache');
/** Where execute() writes its one audit line per call (a QueryAuditLogger); default: the `audit` logger. */
export const QUERY_AUDIT = Symbol('kqlgate:QueryAudit');

/** Default: every request is anonymous (no credentials are read). */
@Injectable()
export class AnonymousRequestAuthenticator implements RequestAuthenticator {
  authenticate(_headers: CredentialHeaders, clientAddress?: string): Promise<Principal> {
    return Promise.resolve(anonymousPrincipal(clientAddress));
  }
}

/**
 * Default: everyone may call everything; bound parameters take the claim when the principal has it and are
 * otherwise left for the request to supply (so the gateway is usable before the auth module is wired).
 */
@Injectable()
export class PermissiveAuthorizationPolicy implements AuthorizationPolicy {
  authorize(): void {}

  bindClaims(
    principal: Principal,
    fn: QueryFunctionInfo,
    params: Readonly<Record<string, unknown>>,
  ): { params: Record<string, unknown>; bound: Record<string, string | number | boolean> } {
    const bound: Record<string, string | number | boolean> = {};
    for (const [parameter, claim] of Object.entries(fn.boundParameters)) {
      const value = principal.claims[claim];
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        bound[parameter] = value;
      }
    }
    return { params: { ...params, ...bound }, bound };
  }
}

/** Default: no limits. */
@Injectable()
export class UnlimitedRateLimiter implements QueryRateLimiter {
  consume(): undefined {
    return undefined;
  }
}

/** Default: no caching; every call runs the query. */
@Injectable()
export class NoQueryResultCache implements QueryResultCache {
  async getOrLoad<T>(_lookup: QueryCacheLookup, loader: () => Promise<T>): Promise<QueryCacheOutcome<T>> {
    return { value: await loader(), result: 'bypass' };
  }
}
