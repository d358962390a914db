import { Injectable } from '@nestjs/common';

/**
 * The extension points of the one query path (`FunctionQueryService.execute`). Real implementations are bound to
 * these injection tokens by a global module (the security module) or via `QueryModule.forRoot({ hooks })`; a
 * token nobody binds falls back to the permissive / pass-through default below, so the gateway also runs on its
 * own. execute() calls them in this order for every GraphQL field and REST call:
 *
 *   1. `REQUEST_AUTHENTICATOR.authenticate(headers, clientAddress)` — at the edge, once per request → Principal
 *   2. `AUTHORIZATION_POLICY.authorize(principal, fn)` — may the caller run it (throws → 401/403)
 *   3. `AUTHORIZATION_POLICY.bindClaims(principal, fn, params)` — fill claim-bound parameters (throws → 400/403)
 *   4. request parameters are validated and typed (400 naming each bad parameter)
 *   5. `QUERY_RATE_LIMITER.consume(principal, fn, fn.cost)` — throws → 429
 *   6. `QUERY_RESULT_CACHE.getOrLoad(lookup, loader)` — the loader runs the query on the engine
 *
 * Errors thrown by hooks should extend `KqlgateError`; the REST and GraphQL translators map an error carrying a
 * numeric `httpStatus` (or one of the auth codes) to that status, and put `code`/`details` in the body.
 */

/** Who is calling; the auth module builds it from a bearer JWT, an API key, or nothing (anonymous). */
export interface Principal {
  readonly id: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
  readonly anonymous: boolean;
  readonly method?: 'jwt' | 'api-key' | 'anonymous';
}

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

export interface CredentialHeaders {
  readonly authorization?: string | string[];
  readonly 'x-api-key'?: string | string[];
}

export interface RequestAuthenticator {
  authenticate(headers: CredentialHeaders, clientAddress?: string): Promise<Principal>;
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
  /** Spends `cost` points of the principal's budget; throws when the budget is exhausted. */
  consume(principal: Principal, fn: QueryFunctionInfo, cost: number): void | Promise<void>;
}

export interface QueryCacheLookup {
  readonly functionName: string;
  readonly tables: readonly string[];
  /** Every parameter value the query runs with (typed, defaults not filled in), bound ones included. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly boundClaims: Readonly<Record<string, unknown>>;
  /** 0 → do not store (concurrent identical loads may still be coalesced). */
  readonly ttlSeconds: number;
  readonly staleWhileRevalidateSeconds?: number;
  /** Who asked (for the audit line and the request's response headers); never part of the cache key. */
  readonly caller?: Principal;
}

export interface QueryCacheOutcome<T> {
  readonly value: T;
  /** e.g. `hit`, `miss`, `stale`, `bypass`; reported in `meta.cache`. */
  readonly result: string;
  readonly etag?: string;
  readonly ageSeconds?: number;
  readonly ttlSeconds?: number;
}

export interface QueryResultCache {
  getOrLoad<T>(lookup: QueryCacheLookup, loader: () => Promise<T>): Promise<QueryCacheOutcome<T>>;
}

export const REQUEST_AUTHENTICATOR = Symbol('kqlgate:RequestAuthenticator');
export const AUTHORIZATION_POLICY = Symbol('kqlgate:AuthorizationPolicy');
export const QUERY_RATE_LIMITER = Symbol('kqlgate:QueryRateLimiter');
export const QUERY_RESULT_CACHE = Symbol('kqlgate:QueryResultCache');

function anonymous(clientAddress?: string): Principal {
  return Object.freeze({
    id: clientAddress ? `anonymous:${clientAddress}` : 'anonymous',
    roles: [],
    scopes: [],
    claims: {},
    anonymous: true,
    method: 'anonymous' as const,
  });
}

/** Default: every request is anonymous (no credentials are read). */
@Injectable()
export class AnonymousRequestAuthenticator implements RequestAuthenticator {
  authenticate(_headers: CredentialHeaders, clientAddress?: string): Promise<Principal> {
    return Promise.resolve(anonymous(clientAddress));
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
  consume(): void {}
}

/** Default: no caching; every call runs the query. */
@Injectable()
export class NoQueryResultCache implements QueryResultCache {
  async getOrLoad<T>(_lookup: QueryCacheLookup, loader: () => Promise<T>): Promise<QueryCacheOutcome<T>> {
    return { value: await loader(), result: 'bypass' };
  }
}
