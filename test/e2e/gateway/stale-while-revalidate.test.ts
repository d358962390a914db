import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { removeDir, tempDir } from '../../utils/temp-dir.js';
import { ingestInline, startCountingGateway, type CountingGateway } from '../security/real-gateway.js';

/**
 * `@expose … cache=2s swr=30s` over real HTTP: once the TTL has passed, callers get the old rows at once while
 * exactly one background query refreshes them; the next call sees the new rows. `.ingest inline` changes the
 * table without going through the ingestion path, so the cache is not invalidated and only expiry is at play.
 */
const FUNCTIONS = {
  OrderTotal: `// @expose roles=analyst cache=2s swr=30s
.create-or-alter function with (docstring = 'Sum of all orders', folder = 'test')
OrderTotal() {
    Orders
    | summarize Total = sum(TotalAmount)
}
`,
};

const TTL_MS = 2000;

describe('stale-while-revalidate set by @expose swr=', () => {
  let issuer: TestJwtIssuer;
  let dir: string;
  let gateway: CountingGateway;
  let headers: Record<string, string>;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    dir = await tempDir('swr');
    gateway = await startCountingGateway(
      dir,
      { JWKS_URI: issuer.jwksUri, JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience },
      { functions: FUNCTIONS },
    );
    await ingestInline(gateway, 'Orders', ['A,a-1,10']);
    headers = { authorization: `Bearer ${await issuer.token({ sub: 'u1', roles: ['analyst'] })}` };
  });
  afterAll(async () => {
    await gateway?.close();
    await issuer?.stop();
    await removeDir(dir);
  });

  const rest = async () => {
    const response = await fetch(`${gateway.url}/api/v1/functions/OrderTotal`, { headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { Total: number }[]; meta: { cache: string } };
    return {
      cacheControl: response.headers.get('cache-control'),
      total: body.data[0].Total,
      cache: body.meta.cache,
    };
  };
  const graphql = async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ OrderTotal { Total } }' }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      data: { OrderTotal: { Total: number }[] };
      extensions: { kqlgate: { calls: { cache: string }[] } };
    };
    return { total: body.data.OrderTotal[0].Total, cache: body.extensions.kqlgate.calls[0].cache };
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  /** The background refresh is not awaited by the stale response: wait for it to reach the engine and finish. */
  const engineQueriesSettle = async (expected: number) => {
    for (let i = 0; i < 100 && gateway.kusto.queries < expected; i++) {
      await sleep(20);
    }
    await sleep(100);
  };

  it('should serve stale rows over REST within the window, refreshing once in the background', async () => {
    const first = await rest();
    expect(first).toEqual({
      cacheControl: 'private, max-age=2, stale-while-revalidate=30',
      total: 10,
      cache: 'miss',
    });
    expect(gateway.kusto.queries).toBe(1);

    await ingestInline(gateway, 'Orders', ['A,a-2,5']);
    await sleep(TTL_MS + 100);
    const stale = await Promise.all(Array.from({ length: 5 }, () => rest()));
    for (const response of stale) {
      expect(response).toEqual({
        cacheControl: 'private, max-age=0, stale-while-revalidate=30',
        total: 10,
        cache: 'stale',
      });
    }
    await engineQueriesSettle(2);
    expect(gateway.kusto.queries).toBe(2);

    expect(await rest()).toMatchObject({ total: 15, cache: 'hit' });
    expect(gateway.kusto.queries).toBe(2);
  });

  it('should serve stale rows over GraphQL the same way', async () => {
    const before = gateway.kusto.queries;
    await ingestInline(gateway, 'Orders', ['A,a-3,1']);
    await sleep(TTL_MS + 100);
    const stale = await Promise.all([graphql(), graphql(), graphql()]);
    expect(stale).toEqual(Array.from({ length: 3 }, () => ({ total: 15, cache: 'stale' })));
    await engineQueriesSettle(before + 1);
    expect(gateway.kusto.queries).toBe(before + 1);
    expect(await graphql()).toEqual({ total: 16, cache: 'hit' });
  });
});
