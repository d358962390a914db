import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../../common/logging/logger.js';
import { QueryAuditLogger } from '../audit/query-audit.logger.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import { FunctionAuthorizationPolicy } from '../auth/function-authorization.policy.js';
import { MemoryCacheStore, MemoryTableGenerations } from '../cache/memory-cache.store.js';
import { StoreBackedResultCache } from '../cache/store-backed-result-cache.js';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import type { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { ENGINE_ANSWER_GRACE_MS, FunctionQueryService } from './function-query.service.js';
import type { KustoQueryClient, KustoQueryOptions, RawResultTable } from './kusto-query.client.js';
import { QueryError, QueryErrorCode } from './query-error.js';
import type { Principal } from '../auth/principal.js';
import { MemoryThrottlerStorage } from '../rate-limit/cost-throttler.storage.js';
import { CostBudgetRateLimiter } from '../rate-limit/cost-budget-rate-limiter.js';
import { RateLimitError, RateLimitErrorCode } from '../rate-limit/rate-limit-error.js';

const fn = {
  name: 'Slow',
  parameters: [{ name: 'n', type: 'long', required: false, defaultText: '1' }],
  outputColumns: [{ name: 'x', type: 'long' }],
  tables: [],
  exposure: {
    roles: [],
    scopes: [],
    anonymous: true,
    cacheTtlMs: 0,
    staleWhileRevalidateMs: 0,
    cost: 1,
    timeoutMs: 1000,
    maxRows: 10,
  },
} as unknown as CatalogFunction;

const principal: Principal = { id: 'p', roles: [], scopes: [], claims: {}, anonymous: true };

/** The service over a catalog of one function and an engine client whose query() the test controls. */
function newService(query: (csl: string, options: KustoQueryOptions) => Promise<RawResultTable>) {
  const catalog = {
    exposedFunction: (name: string) => (name === fn.name ? fn : undefined),
    exposedFunctions: () => [fn],
    current: () => ({ version: 1 }),
  } as unknown as FunctionCatalogService;
  const kusto = {
    query: vi.fn(query),
    cancel: vi.fn((_id: string, _reason: string) => Promise.resolve(true)),
  };
  const sut = new FunctionQueryService(catalog, kusto as unknown as KustoQueryClient);
  return { sut, kusto };
}

/** The error a call rejected with (a QueryError unless said otherwise). */
async function failure<E extends Error = QueryError>(promise: Promise<unknown>): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error('expected the call to fail');
}

/** A tenant's orders: callers with the analyst role, tenant bound to the `tid` claim, 2 points a call, cached 60 s. */
const orders = {
  name: 'TenantOrders',
  parameters: [
    { name: 'tenantId', type: 'string', required: false, binding: { claim: 'tid' } },
    { name: 'minAmount', type: 'long', required: false, defaultText: '0' },
  ],
  outputColumns: [{ name: 'OrderId', type: 'string' }],
  tables: ['Orders'],
  exposure: {
    roles: ['analyst'],
    scopes: [],
    anonymous: false,
    cacheTtlMs: 60_000,
    staleWhileRevalidateMs: 0,
    cost: 2,
    timeoutMs: 1000,
    maxRows: 10,
  },
} as unknown as CatalogFunction;

const analyst: Principal = {
  id: 'alice',
  roles: ['analyst'],
  scopes: [],
  claims: { tid: 'A' },
  anonymous: false,
  method: 'jwt',
};

/**
 * The whole query path over the real authorization policy, rate limiter (5 points a minute) and in-memory result
 * cache, with the engine faked at KustoQueryClient's interface and the audit lines collected.
 */
function newPipeline() {
  const catalog = {
    exposedFunction: (name: string) => (name === orders.name ? orders : undefined),
    current: () => ({ version: 1 }),
  } as unknown as FunctionCatalogService;
  const kusto = {
    query: vi.fn((_csl: string, _options: KustoQueryOptions) =>
      Promise.resolve<RawResultTable>({ columns: [{ name: 'OrderId', type: 'string' }], rows: [['o-1']] }),
    ),
    cancel: vi.fn(() => Promise.resolve(true)),
  };
  const audit: Record<string, unknown>[] = [];
  const logger: Logger = {
    debug: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    info: (fields) => audit.push(fields as Record<string, unknown>),
  };
  const sut = new FunctionQueryService(
    catalog,
    kusto as unknown as KustoQueryClient,
    new FunctionAuthorizationPolicy(),
    new CostBudgetRateLimiter(new MemoryThrottlerStorage(), { points: 5, windowSeconds: 60 }),
    new StoreBackedResultCache({
      store: new MemoryCacheStore(1024 * 1024),
      generations: new MemoryTableGenerations(),
    }),
    new QueryAuditLogger(logger),
  );
  return { sut, kusto, audit };
}

describe(FunctionQueryService.name, () => {
  describe('execute (authorize → bind claims → validate → rate limit → cache → engine)', () => {
    it('should return the rows, columns, meta, cache validators and rate-limit state the edge needs', async () => {
      const { sut, kusto } = newPipeline();
      const result = await sut.execute(analyst, 'TenantOrders', { minAmount: '5' }, { requestId: 'r-1' });
      expect(result.rows).toEqual([{ OrderId: 'o-1' }]);
      expect(result.meta).toMatchObject({
        function: 'TenantOrders',
        rowCount: 1,
        columns: [{ name: 'OrderId', type: 'string' }],
        cache: 'miss',
        requestId: 'r-1',
      });
      expect(result.cache).toEqual({
        status: 'miss',
        etag: expect.stringMatching(/^".+"$/) as string,
        ttlSeconds: 60,
        ageSeconds: 0,
        staleWhileRevalidateSeconds: 0,
        shared: false,
      });
      expect(result.rateLimit).toMatchObject({
        limit: 5,
        remaining: 3,
        windowSeconds: 60,
        scope: 'principal',
      });
      // The claim filled the bound parameter; the caller's value was validated and typed.
      expect(kusto.query.mock.calls[0][1].parameters).toEqual({ tenantId: 'A', minAmount: 'long(5)' });
    });

    it('should answer a repeated call from the cache, spending the budget but not the engine', async () => {
      const { sut, kusto } = newPipeline();
      const first = await sut.execute(analyst, 'TenantOrders', {});
      const again = await sut.execute(analyst, 'TenantOrders', {});
      expect(again.cache).toMatchObject({ status: 'hit', etag: first.cache.etag });
      expect(again.rateLimit?.remaining).toBe(1);
      expect(kusto.query).toHaveBeenCalledTimes(1);
    });

    it('should refuse an anonymous caller before binding claims, spending budget or calling the engine', async () => {
      const { sut, kusto } = newPipeline();
      const error = await failure<AuthError>(
        sut.execute(
          { ...analyst, id: 'anonymous', roles: [], claims: {}, anonymous: true },
          'TenantOrders',
          {},
        ),
      );
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ code: AuthErrorCode.Unauthenticated, httpStatus: 401 });
      expect(error.challenge).toBe('Bearer realm="kqlgate", ApiKey realm="kqlgate"');
      expect(kusto.query).not.toHaveBeenCalled();
    });

    it('should refuse a caller without the role with 403 and its challenge', async () => {
      const { sut } = newPipeline();
      const error = await failure<AuthError>(
        sut.execute({ ...analyst, roles: ['support'] }, 'TenantOrders', {}),
      );
      expect(error).toMatchObject({ code: AuthErrorCode.Forbidden, httpStatus: 403 });
      expect(error.challenge).toMatch(/^Bearer realm="kqlgate", error="insufficient_scope"/);
    });

    it('should refuse a value for a claim-bound parameter before validating the others', async () => {
      const { sut } = newPipeline();
      const error = await failure(sut.execute(analyst, 'TenantOrders', { tenantId: 'B', minAmount: 'x' }));
      expect(error).toMatchObject({ code: AuthErrorCode.BoundParameterSupplied, httpStatus: 400 });
    });

    it('should refuse invalid parameters before spending the budget', async () => {
      const { sut } = newPipeline();
      const error = await failure(sut.execute(analyst, 'TenantOrders', { minAmount: 'x' }));
      expect(error).toMatchObject({ code: QueryErrorCode.InvalidParameters });
      expect((await sut.execute(analyst, 'TenantOrders', {})).rateLimit?.remaining).toBe(3);
    });

    it('should refuse with the budget state and Retry-After once the budget is spent, before the cache', async () => {
      const { sut, kusto } = newPipeline();
      await sut.execute(analyst, 'TenantOrders', {});
      await sut.execute(analyst, 'TenantOrders', {});
      const error = await failure<RateLimitError>(sut.execute(analyst, 'TenantOrders', {}));
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error.code).toBe(RateLimitErrorCode.RateLimited);
      expect(error.httpStatus).toBe(429);
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
      expect(error.state).toMatchObject({ limit: 5, remaining: 1 });
      expect(kusto.query).toHaveBeenCalledTimes(1);
    });

    it('should write one audit line per call, answered or refused, with the request id', async () => {
      const { sut, audit } = newPipeline();
      await sut.execute(analyst, 'TenantOrders', {}, { requestId: 'trace-ok' });
      await failure(sut.execute({ ...analyst, roles: [] }, 'TenantOrders', {}, { requestId: 'trace-403' }));
      await sut.execute(analyst, 'TenantOrders', {}, { requestId: 'trace-hit' });
      await failure(sut.execute(analyst, 'TenantOrders', {}, { requestId: 'trace-429' }));
      expect(audit).toEqual([
        expect.objectContaining({
          audit: 'query',
          reqId: 'trace-ok',
          function: 'TenantOrders',
          cache: 'miss',
          rows: 1,
          outcome: 'ok',
        }),
        expect.objectContaining({ reqId: 'trace-403', outcome: 'forbidden', errorCode: 'AUTH_FORBIDDEN' }),
        expect.objectContaining({ reqId: 'trace-hit', cache: 'hit', outcome: 'ok' }),
        expect.objectContaining({ reqId: 'trace-429', outcome: 'throttled', errorCode: 'RATE_LIMITED' }),
      ]);
    });
  });

  describe('execute', () => {
    it('should bound the wait for the engine and cancel the engine query when the gateway gives up', async () => {
      // What azure-kusto-data throws when its client timeout passes: an AxiosError without a response.
      const { sut, kusto } = newService(() =>
        Promise.reject(Object.assign(new Error('timeout of 1500ms exceeded'), { code: 'ECONNABORTED' })),
      );
      const error = await failure(sut.execute(principal, 'Slow', {}, { requestId: 'req-1' }));
      expect(error.code).toBe(QueryErrorCode.Timeout);
      expect(error.message).toBe(
        'Slow did not finish within its timeout of 1s; the engine query was cancelled',
      );
      expect(kusto.query.mock.calls[0][1]).toMatchObject({
        timeoutMs: 1000,
        clientTimeoutMs: 1000 + ENGINE_ANSWER_GRACE_MS,
        clientRequestId: 'kqlgate.Slow;req-1',
      });
      expect(kusto.cancel).toHaveBeenCalledWith(
        'kqlgate.Slow;req-1',
        'kqlgate gave up waiting after 1000 ms',
      );
    });

    it('should not cancel what the engine reported as timed out itself', async () => {
      const { sut, kusto } = newService(() =>
        Promise.reject(
          Object.assign(new Error('Request failed with status code 504'), {
            response: {
              status: 504,
              data: { error: { code: 'General_RequestTimeout', message: 'servertimeout' } },
            },
          }),
        ),
      );
      expect((await failure(sut.execute(principal, 'Slow', {}))).code).toBe(QueryErrorCode.Timeout);
      expect(kusto.cancel).not.toHaveBeenCalled();
    });

    it('should cancel the engine query when its only caller goes away', async () => {
      const { sut, kusto } = newService(() => new Promise<RawResultTable>(() => undefined));
      const gone = new AbortController();
      const call = failure(
        sut.execute(principal, 'Slow', { n: 2 }, { requestId: 'req-2', signal: gone.signal }),
      );
      await vi.waitFor(() => expect(kusto.query).toHaveBeenCalled());
      gone.abort();
      const error = await call;
      expect(error.code).toBe(QueryErrorCode.Cancelled);
      expect(kusto.cancel).toHaveBeenCalledWith(
        'kqlgate.Slow;req-2',
        'every caller of Slow went away before the answer; the engine query was cancelled',
      );
    });
  });

  describe('drainForShutdown', () => {
    it('should cancel the engine queries still running after the grace and refuse new ones', async () => {
      vi.useFakeTimers();
      try {
        const { sut, kusto } = newService(() => new Promise<RawResultTable>(() => undefined));
        const call = failure(sut.execute(principal, 'Slow', {}, { requestId: 'req-3' }));
        await vi.waitFor(() => expect(kusto.query).toHaveBeenCalled());
        const shutdown = sut.drainForShutdown();
        await vi.advanceTimersByTimeAsync(2_100);
        await shutdown;
        expect((await call).message).toBe('kqlgate is shutting down; the call was cancelled, retry it');
        expect(kusto.cancel).toHaveBeenCalledWith(
          'kqlgate.Slow;req-3',
          'kqlgate is shutting down; the call was cancelled, retry it',
        );
        expect((await failure(sut.execute(principal, 'Slow', {}))).code).toBe(
          QueryErrorCode.EngineUnavailable,
        );
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
