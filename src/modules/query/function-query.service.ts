import { Inject, Injectable, Optional } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Histogram } from 'prom-client';
import { createLogger } from '../../common/logging/logger.js';
import { singletonMetric } from '../../common/metrics/metrics.registry.js';
import { failSpan, inSpan, SpanKind, tracing, type Span } from '../../common/telemetry/kqlgate-tracer.js';
import { QueryAuditLogger, type AuditOutcome } from '../audit/query-audit.logger.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import { engineQueryError } from './engine-error.mapper.js';
import { InflightEngineCalls } from './inflight-engine-calls.js';
import { bindParameters } from './parameter-binder.js';
import { QueryError, QueryErrorCode } from './query-error.js';
import { RateLimitError, RateLimitErrorCode, type RateLimitState } from '../rate-limit/rate-limit-error.js';
import {
  AUTHORIZATION_POLICY,
  NoQueryResultCache,
  PermissiveAuthorizationPolicy,
  QUERY_AUDIT,
  QUERY_RATE_LIMITER,
  QUERY_RESULT_CACHE,
  UnlimitedRateLimiter,
  type AuthorizationPolicy,
  type QueryFunctionInfo,
  type QueryRateLimiter,
  type QueryResultCache,
} from './query-hooks.js';
import { functionQueryText } from './query-text.js';
import { KUSTO_QUERY_CLIENT } from './query.tokens.js';
import type { KustoQueryClient } from './kusto-query.client.js';
import { mapResult, type ResultColumn } from './result-mapper.js';

export interface QueryResultMeta {
  function: string;
  rowCount: number;
  /** True when the function returned more than its maxRows and the rows were cut. */
  truncated: boolean;
  maxRows: number;
  columns: ResultColumn[];
  /** hit, miss, stale, bypass … as the cache reports it. */
  cache: string;
  etag?: string;
  cacheAgeSeconds?: number;
  cacheTtlSeconds: number;
  catalogVersion: number;
  requestId: string;
  /** Time in execute(), engine included. */
  durationMs: number;
  /** Time waiting for the engine, when this call ran the query (absent on cache hits). */
  engineMs?: number;
}

/** What an HTTP edge needs to validate and cache the answer (ETag, Cache-Control, Age). */
export interface QueryCacheState {
  /** hit, miss, stale, coalesced, bypass. */
  readonly status: string;
  /** The cached data's strong validator; absent when the function is not cached. */
  readonly etag?: string;
  readonly ttlSeconds: number;
  readonly ageSeconds: number;
  readonly staleWhileRevalidateSeconds: number;
  /**
   * True when every caller gets the same answer (anonymous caller, no claim-bound parameter), so shared caches
   * may store it.
   */
  readonly shared: boolean;
}

/** Everything a call's edge needs: the rows and their columns, the meta, and the state behind its headers. */
export interface QueryResult {
  rows: Record<string, unknown>[];
  meta: QueryResultMeta;
  cache: QueryCacheState;
  /** The tightest rate-limit budget after this call (RateLimit-* headers); absent without limits. */
  rateLimit?: RateLimitState;
}

interface LoadedRows {
  columns: ResultColumn[];
  rows: Record<string, unknown>[];
  truncated: boolean;
}

/** What every call of one function needs and no parameter value changes; built once per catalog version. */
interface PreparedFunction {
  readonly info: QueryFunctionInfo;
  readonly csl: string;
  readonly ttlSeconds: number;
  readonly staleWhileRevalidateSeconds: number;
}

/**
 * How long past a function's timeout the gateway still waits for the engine's own answer (the engine stops the
 * query at the timeout and says so) before it gives up, answers 504 and sends `.cancel query` itself.
 */
export const ENGINE_ANSWER_GRACE_MS = 500;
/** On shutdown, how long calls in flight may still finish before their engine queries are cancelled. */
export const SHUTDOWN_GRACE_MS = 2_000;

/** Settles with `work`, or rejects with the signal's reason once it aborts; `work` is left to settle alone. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The one path from a caller to a KQL function. GraphQL resolvers and REST controllers call `execute` with the
 * principal and the raw parameters of the request; authorization, claim binding, validation, rate limiting and
 * caching happen here, in that order (see query-hooks.ts), and the query text never contains a parameter value.
 */
@Injectable()
export class FunctionQueryService {
  private readonly logger = createLogger('query');
  private readonly inflight = new InflightEngineCalls();
  private closing = false;

  private readonly duration = singletonMetric(
    'kqlgate_query_duration_seconds',
    () =>
      new Histogram({
        name: 'kqlgate_query_duration_seconds',
        help: 'Function calls through the gateway, by function and outcome (ok, or the error code)',
        labelNames: ['function', 'outcome'] as const,
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      }),
  );

  private readonly authorization: AuthorizationPolicy;
  private readonly rateLimiter: QueryRateLimiter;
  private readonly cache: QueryResultCache;
  private readonly audit: QueryAuditLogger;
  /**
   * Keyed by the catalog's function object: a reload swaps in new objects, so a changed function is prepared
   * again and the old entries go with the old catalog.
   */
  private readonly prepared = new WeakMap<CatalogFunction, PreparedFunction>();

  constructor(
    private readonly catalog: FunctionCatalogService,
    @Inject(KUSTO_QUERY_CLIENT) private readonly kusto: KustoQueryClient,
    @Optional() @Inject(AUTHORIZATION_POLICY) authorization?: AuthorizationPolicy,
    @Optional() @Inject(QUERY_RATE_LIMITER) rateLimiter?: QueryRateLimiter,
    @Optional() @Inject(QUERY_RESULT_CACHE) cache?: QueryResultCache,
    @Optional() @Inject(QUERY_AUDIT) audit?: QueryAuditLogger,
  ) {
    this.authorization = authorization ?? new PermissiveAuthorizationPolicy();
    this.rateLimiter = rateLimiter ?? new UnlimitedRateLimiter();
    this.cache = cache ?? new NoQueryResultCache();
    this.audit = audit ?? new QueryAuditLogger();
  }

  /**
   * The exposed function, or a FunctionNotFound error. It names no other function: what a caller may see is decided
   * at the edge (see function-visibility.ts), which turns this error into the caller's 404.
   */
  resolve(name: string): CatalogFunction {
    const fn = this.catalog.exposedFunction(name);
    if (!fn) {
      throw new QueryError(QueryErrorCode.FunctionNotFound, `no function named ${name}`, { function: name });
    }
    return fn;
  }

  /**
   * Resolves the function and checks that the caller may call it (404/401/403), without looking at parameters:
   * an edge runs this before its own checks of the request's shape (406, 400), so that a caller who may not run a
   * function learns nothing more about it. execute() checks again, which costs a map lookup.
   */
  admit(principal: Principal, functionName: string, requestId?: string): void | Promise<void> {
    const started = performance.now();
    try {
      const fn = this.resolve(functionName);
      const authorized = this.authorization.authorize(principal, this.prepare(fn).info);
      // Like execute(): a synchronous policy answers without a promise, which saves a microtask turn per call.
      return authorized?.catch((error: unknown) => {
        this.refused(principal, functionName, error, started, requestId);
        throw error;
      });
    } catch (error) {
      this.refused(principal, functionName, error, started, requestId);
      throw error;
    }
  }

  /**
   * `signal` aborts when the caller goes away (its connection closed): if no other caller waits for the same
   * engine query, the engine query is cancelled.
   */
  execute(
    principal: Principal,
    functionName: string,
    params: Readonly<Record<string, unknown>>,
    options: { requestId?: string; signal?: AbortSignal } = {},
  ): Promise<QueryResult> {
    if (!tracing.enabled) {
      return this.run(principal, functionName, params, options);
    }
    // One span per call with the stages below it (authorize, cache, Kusto query); no parameter value in any.
    return inSpan('kqlgate.query.execute', { attributes: { 'kqlgate.function': functionName } }, (span) =>
      this.run(principal, functionName, params, options, span),
    );
  }

  private async run(
    principal: Principal,
    functionName: string,
    params: Readonly<Record<string, unknown>>,
    options: { requestId?: string; signal?: AbortSignal },
    span?: Span,
  ): Promise<QueryResult> {
    const started = performance.now();
    const requestId = options.requestId ?? randomUUID();
    let leave: (() => void) | undefined;
    let typed: Record<string, unknown> | undefined;
    try {
      const fn = this.resolve(functionName);
      const exposure = fn.exposure!;
      const { info, csl, ttlSeconds, staleWhileRevalidateSeconds } = this.prepare(fn);
      // Hooks may answer synchronously; awaiting only real promises saves a microtask turn per call.
      const authorized = span
        ? this.tracedAuthorize(principal, info)
        : this.authorization.authorize(principal, info);
      if (authorized) {
        await authorized;
      }
      const withClaims = this.authorization.bindClaims(principal, info, params);
      const bound = bindParameters(fn, withClaims.params);
      const consumed = this.rateLimiter.consume(principal, info, exposure.cost);
      const rateLimit = consumed instanceof Promise ? await consumed : consumed;

      typed = {};
      const wire: Record<string, string | number | boolean> = {};
      for (const parameter of bound) {
        typed[parameter.name] = parameter.value;
        wire[parameter.name] = parameter.wire;
      }
      const catalogVersion = this.catalog.current().version;
      if (options.signal?.aborted) {
        throw callersGone(fn.name);
      }
      const callKey = `${fn.name}\n${JSON.stringify(wire)}`;
      leave = this.inflight.join(callKey, options.signal, () => callersGone(fn.name));
      let engineMs: number | undefined;
      const lookup = () =>
        this.cache.getOrLoad<LoadedRows>(
          {
            functionName: fn.name,
            tables: fn.tables,
            params: typed!,
            boundClaims: withClaims.bound,
            ttlSeconds,
            staleWhileRevalidateSeconds,
          },
          async () => {
            const loadStarted = performance.now();
            try {
              return await this.load(fn, csl, wire, requestId, callKey);
            } finally {
              engineMs = Math.round((performance.now() - loadStarted) * 1000) / 1000;
            }
          },
        );
      const outcome = span
        ? await inSpan(
            'kqlgate.cache',
            { attributes: { 'kqlgate.function': fn.name } },
            async (cacheSpan) => {
              const looked = await lookup();
              cacheSpan?.setAttribute('kqlgate.cache', looked.result);
              return looked;
            },
          )
        : await lookup();
      const meta: QueryResultMeta = {
        function: fn.name,
        rowCount: outcome.value.rows.length,
        truncated: outcome.value.truncated,
        maxRows: exposure.maxRows,
        columns: outcome.value.columns,
        cache: outcome.result,
        cacheTtlSeconds: ttlSeconds,
        catalogVersion,
        requestId,
        durationMs: 0,
      };
      // Optional members are assigned rather than spread into the literal (cheaper on this per-call path); the
      // assignment order keeps the JSON key order callers see.
      if (engineMs !== undefined) {
        meta.engineMs = engineMs;
      }
      if (outcome.etag) {
        meta.etag = outcome.etag;
      }
      if (outcome.ageSeconds !== undefined) {
        meta.cacheAgeSeconds = outcome.ageSeconds;
      }
      const result: QueryResult = {
        rows: outcome.value.rows,
        meta,
        cache: {
          status: outcome.result,
          etag: outcome.etag || undefined,
          ttlSeconds: outcome.ttlSeconds ?? 0,
          ageSeconds: outcome.ageSeconds ?? 0,
          staleWhileRevalidateSeconds: outcome.staleWhileRevalidateSeconds ?? 0,
          shared: principal.anonymous && Object.keys(withClaims.bound).length === 0,
        },
        rateLimit,
      };
      const elapsed = performance.now() - started;
      meta.durationMs = Math.round(elapsed * 1000) / 1000;
      span?.setAttributes({
        'kqlgate.function': fn.name,
        'kqlgate.cache': outcome.result,
        'kqlgate.rows': meta.rowCount,
        'kqlgate.status': 'ok',
      });
      this.duration.observe({ function: fn.name, outcome: 'ok' }, elapsed / 1000);
      // The audit record is spelled out field by field: this runs on every call.
      this.audit.record({
        requestId: options.requestId,
        principal: principal.id,
        method: principal.method,
        function: fn.name,
        params: typed,
        rows: meta.rowCount,
        durationMs: elapsed,
        cache: outcome.result,
        outcome: 'ok',
      });
      return result;
    } catch (error) {
      this.refused(principal, functionName, error, started, options.requestId, typed);
      failSpan(span, error);
      throw error;
    } finally {
      leave?.();
    }
  }

  /**
   * The REST route's preClose hook, the one shutdown step of calls in flight (the HTTP server then waits for them):
   * calls get SHUTDOWN_GRACE_MS to finish, then their engine queries are cancelled and they answer 503, so a long
   * query cannot hold the shutdown. Not a Nest lifecycle hook: whoever closes the server runs it, once.
   */
  async drainForShutdown(): Promise<void> {
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    while (this.inflight.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.closing = true;
    const cancelled = this.inflight.abortAll(
      new QueryError(
        QueryErrorCode.EngineUnavailable,
        'kqlgate is shutting down; the call was cancelled, retry it',
      ),
    );
    if (cancelled > 0) {
      this.logger.info({ cancelled }, 'cancelled the engine queries still running at shutdown');
    }
  }

  /** The authorization step in a span of its own (tracing on only: the promise costs a microtask turn). */
  private tracedAuthorize(principal: Principal, info: QueryFunctionInfo): Promise<void> {
    return inSpan('kqlgate.authorize', { attributes: { 'kqlgate.function': info.name } }, async () => {
      await this.authorization.authorize(principal, info);
    });
  }

  /** The metric and the audit line of a call that did not answer. */
  private refused(
    principal: Principal,
    functionName: string,
    error: unknown,
    started: number,
    requestId: string | undefined,
    params?: Readonly<Record<string, unknown>>,
  ): void {
    const code = (error as { code?: unknown }).code;
    const known = this.catalog.exposedFunction(functionName) !== undefined;
    const elapsed = performance.now() - started;
    this.duration.observe(
      { function: known ? functionName : '(unknown)', outcome: typeof code === 'string' ? code : 'error' },
      elapsed / 1000,
    );
    this.audit.record({
      requestId,
      principal: principal.id,
      method: principal.method,
      function: known ? functionName : '-',
      params,
      durationMs: elapsed,
      outcome: auditOutcomeOf(error),
      errorCode: typeof code === 'string' ? code : undefined,
    });
  }

  private prepare(fn: CatalogFunction): PreparedFunction {
    let prepared = this.prepared.get(fn);
    if (!prepared) {
      prepared = Object.freeze({
        info: Object.freeze(functionInfo(fn)),
        csl: functionQueryText(fn, fn.exposure!.maxRows),
        ttlSeconds: Math.floor(fn.exposure!.cacheTtlMs / 1000),
        staleWhileRevalidateSeconds: Math.floor(fn.exposure!.staleWhileRevalidateMs / 1000),
      });
      this.prepared.set(fn, prepared);
    }
    return prepared;
  }

  private async load(
    fn: CatalogFunction,
    csl: string,
    parameters: Record<string, string | number | boolean>,
    requestId: string,
    callKey: string,
  ): Promise<LoadedRows> {
    const exposure = fn.exposure!;
    if (this.closing) {
      throw new QueryError(QueryErrorCode.EngineUnavailable, 'kqlgate is shutting down; retry the call', {
        function: fn.name,
      });
    }
    const clientRequestId = `kqlgate.${fn.name};${requestId}`;
    const call = this.inflight.startLoad(callKey);
    const query = () =>
      untilAborted(
        this.kusto.query(csl, {
          parameters,
          timeoutMs: exposure.timeoutMs,
          // The engine answers 504 at the timeout itself; this bounds the wait when it does not (network, a stuck
          // engine), so the caller's 504 comes within the timeout plus this grace, never the SDK's 30 s later.
          clientTimeoutMs: exposure.timeoutMs + ENGINE_ANSWER_GRACE_MS,
          clientRequestId,
        }),
        call.signal,
      );
    let raw;
    try {
      raw = tracing.enabled
        ? await inSpan(
            'kqlgate.kusto.query',
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'db.system.name': 'azure.kusto',
                'kqlgate.function': fn.name,
                'kqlgate.client_request_id': clientRequestId,
              },
            },
            async (querySpan) => {
              const answered = await query();
              querySpan?.setAttribute('kqlgate.rows', answered.rows.length);
              return answered;
            },
          )
        : await query();
    } catch (error) {
      if (call.signal.aborted) {
        // Every caller left, or the gateway is shutting down: nobody will read the answer.
        this.cancelOnEngine(fn.name, clientRequestId, (call.signal.reason as Error).message);
        throw call.signal.reason as Error;
      }
      const mapped = engineQueryError(fn.name, error, exposure.timeoutMs);
      if (mapped.code === QueryErrorCode.Timeout && !(error as { response?: unknown }).response) {
        // The gateway gave up waiting (the engine did not say it stopped the query): stop it there too.
        this.cancelOnEngine(
          fn.name,
          clientRequestId,
          `kqlgate gave up waiting after ${exposure.timeoutMs} ms`,
        );
      }
      throw mapped;
    } finally {
      call.end();
    }
    const mapped = mapResult(raw);
    const truncated = mapped.rows.length > exposure.maxRows;
    return {
      columns: mapped.columns,
      rows: truncated ? mapped.rows.slice(0, exposure.maxRows) : mapped.rows,
      truncated,
    };
  }

  /** `.cancel query` for a query nobody will read; best effort, in the background. */
  private cancelOnEngine(fn: string, clientRequestId: string, reason: string): void {
    this.kusto.cancel(clientRequestId, reason).then(
      (stopped) =>
        this.logger.debug({ function: fn, clientRequestId, stopped }, 'sent .cancel query to the engine'),
      (error: unknown) =>
        this.logger.warn(
          { function: fn, clientRequestId, err: error instanceof Error ? error.message : String(error) },
          'could not cancel the engine query; it runs until its timeout',
        ),
    );
  }
}

export function functionInfo(fn: CatalogFunction): QueryFunctionInfo {
  const exposure = fn.exposure;
  return {
    name: fn.name,
    anonymous: exposure?.anonymous ?? false,
    roles: exposure?.roles ?? [],
    scopes: exposure?.scopes ?? [],
    boundParameters: Object.fromEntries(
      fn.parameters.filter((p) => p.binding).map((p) => [p.name, p.binding!.claim]),
    ),
    cost: exposure?.cost ?? 1,
    cacheTtlSeconds: Math.floor((exposure?.cacheTtlMs ?? 0) / 1000),
    tables: fn.tables,
  };
}

/** The error of a call whose callers all went away: logged and counted, never read by a client. */
function callersGone(fn: string): QueryError {
  return new QueryError(
    QueryErrorCode.Cancelled,
    `every caller of ${fn} went away before the answer; the engine query was cancelled`,
    { function: fn },
  );
}

function auditOutcomeOf(error: unknown): AuditOutcome {
  if (error instanceof AuthError) {
    return error.code === AuthErrorCode.Unauthenticated ? 'unauthenticated' : 'forbidden';
  }
  if (error instanceof RateLimitError) {
    return error.code === RateLimitErrorCode.EngineBusy ? 'busy' : 'throttled';
  }
  return 'error';
}
