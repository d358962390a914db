import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRequestAudited } from '../../common/logging/audited-requests.js';
import type { FunctionQueryService, QueryResult } from '../query/function-query.service.js';
import { QueryError, QueryErrorCode } from '../query/query-error.js';
import { AnonymousRequestAuthenticator } from '../query/query-hooks.js';
import { GraphqlContextFactory } from './graphql-context.factory.js';

/** What FunctionQueryService answers for `BenchOrders`; any other name is refused as unknown. */
const queryService = {
  execute: (_principal: unknown, fn: string): Promise<QueryResult> =>
    fn === 'BenchOrders'
      ? Promise.resolve({
          rows: [{ OrderId: 'o-1' }],
          meta: {
            function: fn,
            rowCount: 1,
            truncated: false,
            maxRows: 1000,
            columns: [],
            cache: 'hit',
            cacheTtlSeconds: 60,
            catalogVersion: 1,
            requestId: 'r-1',
            durationMs: 0.1,
          },
          cache: {
            status: 'hit',
            ttlSeconds: 60,
            ageSeconds: 0,
            staleWhileRevalidateSeconds: 0,
            shared: false,
          },
        })
      : Promise.reject(new QueryError(QueryErrorCode.FunctionNotFound, `no function named ${fn}`)),
} as unknown as FunctionQueryService;

describe(GraphqlContextFactory.name, () => {
  let fastify: FastifyInstance;
  /** Whether each answered request was marked audited, by the function names it called. */
  let marked: Record<string, boolean>;

  beforeEach(async () => {
    marked = {};
    const contexts = new GraphqlContextFactory(queryService, new AnonymousRequestAuthenticator());
    fastify = Fastify();
    // As Apollo's Fastify integration calls the context function: with Fastify's own request and reply.
    fastify.post('/graphql', async (request, reply) => {
      const { calls } = request.body as { calls: string[] };
      const context = await contexts.create(request, reply);
      await Promise.allSettled(calls.map((fn) => context.loader.load({ fn, args: {} })));
      marked[calls.join(',')] = isRequestAudited(request);
      return { data: {} };
    });
    await fastify.ready();
  });

  afterEach(async () => {
    await fastify.close();
  });

  async function post(calls: string[]): Promise<void> {
    const response = await fastify.inject({ method: 'POST', url: '/graphql', payload: { calls } });
    expect(response.statusCode).toBe(200);
  }

  describe('create', () => {
    it('should mark the request audited once it calls a function, whether the call succeeds or not', async () => {
      await post(['BenchOrders']);
      await post(['Missing']);
      expect(marked).toEqual({ BenchOrders: true, Missing: true });
    });

    it('should leave a request that calls no function unmarked', async () => {
      await post([]);
      expect(marked).toEqual({ '': false });
    });
  });
});
