import { Inject, Injectable } from '@nestjs/common';
import { createLogger } from '../../common/logging/logger.js';
import { countRows, QueryAuditLogger, type AuditOutcome } from '../audit/query-audit.logger.js';
import { QueryResultCache } from '../cache/query-result-cache.js';
import type {
  AuthorizationPolicy,
  CredentialHeaders,
  Principal,
  QueryCacheLookup,
  QueryCacheOutcome,
  QueryFunctionInfo,
  QueryRateLimiter as QueryRateLimiterHook,
  QueryResultCache as QueryResultCacheHook,
  RequestAuthenticator as RequestAuthenticatorHook,
} from '../query/query-hooks.js';
import { QueryRateLimiter } from '../rate-limit/query-rate-limiter.js';
import { RateLimitError, RateLimitErrorCode } from '../rate-limit/rate-limit-error.js';
import { AuthError, AuthErrorCode } from './auth-error.js';
import type { AuthComponents } from './auth-settings.js';
import { FunctionAuthorizationPolicy } from './function-authorization.policy.js';
import {
  bindPrincipalToRequest,
  securityContextOfPrincipal,
  securityContextOfRequest,
} from './request-security-context.js';

/** Injection tokens of the security layer's internals (the hook tokens themselves live in query-hooks.ts). */
export const AUTH_COMPONENTS = Symbol('kqlgate:AuthComponents');
export const SECURITY_AUDIT = Symbol('kqlgate:QueryAuditLogger');

/**
 * The Nest-bound implementations of the query hooks. Each one delegates to the plain, unit-tested class and
 * additionally (a) records what the response headers need in the request's security context and (b) writes the
 * audit line of refused calls, so the one execute path stays free of security plumbing.
 */
@Injectable()
export class SecurityRequestAuthenticator implements RequestAuthenticatorHook {
  constructor(
    @Inject(AUTH_COMPONENTS) private readonly components: AuthComponents,
    @Inject(SECURITY_AUDIT) private readonly audit: QueryAuditLogger,
  ) {}

  async authenticate(headers: CredentialHeaders, clientAddress?: string): Promise<Principal> {
    const context = securityContextOfRequest(headers);
    try {
      const principal = await this.components.authenticator.authenticate(headers, clientAddress);
      return context ? bindPrincipalToRequest(context, principal) : principal;
    } catch (error) {
      if (error instanceof AuthError) {
        if (context) {
          context.authError = error;
        }
        this.audit.record({
          requestId: context?.requestId,
          principal: clientAddress ? `unauthenticated:${clientAddress}` : 'unauthenticated',
          function: '-',
          outcome: error.code === AuthErrorCode.TooManyFailures ? 'throttled' : 'unauthenticated',
          errorCode: error.code,
        });
      }
      throw error;
    }
  }
}

@Injectable()
export class SecurityAuthorizationPolicy implements AuthorizationPolicy {
  private readonly policy = new FunctionAuthorizationPolicy();

  constructor(@Inject(SECURITY_AUDIT) private readonly audit: QueryAuditLogger) {}

  authorize(principal: Principal, fn: QueryFunctionInfo): void {
    this.refusalsRecorded(principal, fn, () => this.policy.authorize(principal, fn));
  }

  bindClaims(principal: Principal, fn: QueryFunctionInfo, params: Readonly<Record<string, unknown>>) {
    return this.refusalsRecorded(principal, fn, () => this.policy.bindClaims(principal, fn, params));
  }

  private refusalsRecorded<T>(principal: Principal, fn: QueryFunctionInfo, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof AuthError) {
        const context = securityContextOfPrincipal(principal);
        if (context) {
          context.authError = error;
        }
        const outcome: AuditOutcome =
          error.code === AuthErrorCode.Unauthenticated ? 'unauthenticated' : 'forbidden';
        this.audit.record({
          requestId: context?.requestId,
          principal: principal.id,
          method: principal.method,
          function: fn.name,
          outcome,
          errorCode: error.code,
        });
      }
      throw error;
    }
  }
}

@Injectable()
export class SecurityRateLimiter implements QueryRateLimiterHook {
  private readonly logger = createLogger('rate-limit');
  private lastStoreErrorLogAt = -Infinity;

  constructor(
    private readonly limiter: QueryRateLimiter,
    @Inject(SECURITY_AUDIT) private readonly audit: QueryAuditLogger,
  ) {}

  async consume(principal: Principal, fn: QueryFunctionInfo, cost: number): Promise<void> {
    const context = securityContextOfPrincipal(principal);
    try {
      const state = await this.limiter.consume(principal, fn, cost);
      if (context && state && (!context.rateLimit || state.remaining <= context.rateLimit.state.remaining)) {
        context.rateLimit = { state };
      }
    } catch (error) {
      if (error instanceof RateLimitError) {
        if (context && error.state) {
          context.rateLimit = { state: error.state, retryAfterSeconds: error.retryAfterSeconds };
        }
        this.audit.record({
          requestId: context?.requestId,
          principal: principal.id,
          method: principal.method,
          function: fn.name,
          outcome: 'throttled',
          errorCode: error.code,
        });
        throw error;
      }
      // A broken limit store must not take the API down: let the call through and say so (once per 10 s).
      if (Date.now() - this.lastStoreErrorLogAt < 10_000) {
        return;
      }
      this.lastStoreErrorLogAt = Date.now();
      this.logger.error(
        { err: error instanceof Error ? error.message : String(error), function: fn.name },
        'rate-limit store failed; request allowed without limiting',
      );
    }
  }
}

@Injectable()
export class SecurityResultCache implements QueryResultCacheHook {
  constructor(
    private readonly cache: QueryResultCache,
    @Inject(SECURITY_AUDIT) private readonly audit: QueryAuditLogger,
  ) {}

  async getOrLoad<T>(lookup: QueryCacheLookup, loader: () => Promise<T>): Promise<QueryCacheOutcome<T>> {
    const started = performance.now();
    const caller = lookup.caller;
    const context = securityContextOfPrincipal(caller);
    // The audit record is spelled out field by field: this runs on every call, and spreading a small object
    // into a literal showed up in profiles as the costliest line of the cached path.
    const principal = caller?.id ?? 'unknown';
    const method = caller?.method;
    try {
      const outcome = await this.cache.getOrLoad(lookup, loader);
      const shared = Boolean(caller?.anonymous) && Object.keys(lookup.boundClaims).length === 0;
      context?.cacheOutcomes.push({ functionName: lookup.functionName, outcome, shared });
      this.audit.record({
        requestId: context?.requestId,
        principal,
        method,
        function: lookup.functionName,
        params: lookup.params,
        rows: countRows(outcome.value),
        durationMs: performance.now() - started,
        cache: outcome.result,
        outcome: 'ok',
      });
      return outcome;
    } catch (error) {
      const busy = error instanceof RateLimitError && error.code === RateLimitErrorCode.EngineBusy;
      if (busy && context) {
        context.engineBusyRetryAfterSeconds = error.retryAfterSeconds;
      }
      this.audit.record({
        requestId: context?.requestId,
        principal,
        method,
        function: lookup.functionName,
        params: lookup.params,
        durationMs: performance.now() - started,
        outcome: busy ? 'busy' : 'error',
        errorCode:
          (error as { code?: unknown }).code === undefined
            ? undefined
            : String((error as { code?: unknown }).code),
      });
      throw error;
    }
  }
}
