import { describe, expect, it, vi } from 'vitest';
import type { CatalogFunction } from '../catalog/catalog.types.js';
import type { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { ENGINE_ANSWER_GRACE_MS, FunctionQueryService } from './function-query.service.js';
import type { KustoQueryClient, KustoQueryOptions, RawResultTable } from './kusto-query.client.js';
import { QueryError, QueryErrorCode } from './query-error.js';
import type { Principal } from '../auth/principal.js';

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

async function failure(promise: Promise<unknown>): Promise<QueryError> {
  try {
    await promise;
  } catch (error) {
    return error as QueryError;
  }
  throw new Error('expected the call to fail');
}

describe(FunctionQueryService.name, () => {
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

  describe('beforeApplicationShutdown', () => {
    it('should cancel the engine queries still running after the grace and refuse new ones', async () => {
      vi.useFakeTimers();
      try {
        const { sut, kusto } = newService(() => new Promise<RawResultTable>(() => undefined));
        const call = failure(sut.execute(principal, 'Slow', {}, { requestId: 'req-3' }));
        await vi.waitFor(() => expect(kusto.query).toHaveBeenCalled());
        const shutdown = sut.beforeApplicationShutdown();
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
