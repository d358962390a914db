import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceBusMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FunctionCatalogService } from '../../../src/modules/catalog/function-catalog.service.js';
import { documentHash } from '../../../src/modules/graphql/trusted-document.registry.js';
import {
  openGraphqlWs,
  type GraphqlWsSession,
  type SubscriptionEvent,
} from '../../utils/graphql-ws-session.js';
import type { KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { orderPlacedMessage } from '../../utils/order-placed-message.js';
import {
  floodUntilSlowConsumer,
  LIVE_FUNCTIONS,
  metricValue,
  publishEvents,
  startLiveInstance,
  type LiveTestInstance,
} from './live-functions.js';

/**
 * Live results as GraphQL subscriptions over WebSocket (graphql-ws) in the whole runtime: a real graphql-ws client,
 * order events sent with the real Service Bus SDK, the embedded engine and broker, dev-mode tokens, and only
 * trusted documents served (GRAPHQL_TRUSTED_DOCUMENTS_ONLY), as in production.
 */
const DOCUMENTS = {
  orders:
    'subscription Orders($minAmount: Float) { LiveOrders(minAmount: $minAmount) { OrderId TenantId TotalAmount } }',
  pages: 'subscription Pages { LiveOrderPages { OrderId Padding } }',
  roleChanged: 'subscription RoleChanged { RoleChanged { Orders } }',
  removed: 'subscription Removed { Removed { Orders } }',
  opsOnly: 'subscription Ops { OpsOnly { Orders } }',
  query: 'query Orders { LiveOrders { OrderId } }',
  aliases: `subscription Aliases { LiveOrders { ${Array.from({ length: 51 }, (_, i) => `a${i}: OrderId`).join(' ')} } }`,
};

type Row = Record<string, unknown>;

/** The rows of a `next` message of `field`, failing the test on any other message. */
function rowsOf(event: SubscriptionEvent, field: string): Row[] {
  if (!('next' in event)) {
    throw new Error(`expected a result, got ${JSON.stringify(event)}`);
  }
  expect(event.next.errors).toBeUndefined();
  return event.next.data?.[field] as Row[];
}

describe('GraphQL subscriptions over WebSocket (graphql-ws)', () => {
  let live: LiveTestInstance;
  let kqlDir: string;
  let instance: KqlgateInstance;
  let wsUrl: string;
  const sessions: GraphqlWsSession[] = [];

  const token = (tenant: string, roles?: string[], expiresInSeconds?: number): Promise<string> =>
    live.token(tenant, roles, expiresInSeconds);
  const connect = (connectionParams?: Record<string, unknown>): GraphqlWsSession => {
    const session = openGraphqlWs(wsUrl, connectionParams);
    sessions.push(session);
    return session;
  };
  const connectAs = async (tenant: string, roles?: string[], expiresInSeconds?: number) =>
    connect({ Authorization: `Bearer ${await token(tenant, roles, expiresInSeconds)}` });
  const order = (tenantId: string, orderId: string, totalAmount: number): ServiceBusMessage =>
    orderPlacedMessage({ messageId: randomUUID(), orderId, totalAmount, tenantId });
  const publish = (messages: ServiceBusMessage[]): Promise<void> =>
    publishEvents(live.sb, instance, messages);
  const metric = (line: string): Promise<number | undefined> => metricValue(instance, line);

  beforeAll(async () => {
    live = await startLiveInstance('live-graphql', async (dir) => {
      const manifest = join(dir, 'trusted-documents.json');
      await writeFile(
        manifest,
        JSON.stringify(
          Object.fromEntries(Object.values(DOCUMENTS).map((text) => [documentHash(text), text])),
        ),
      );
      return {
        RATE_LIMIT_POINTS: '0',
        GRAPHQL_TRUSTED_DOCUMENTS: manifest,
        GRAPHQL_TRUSTED_DOCUMENTS_ONLY: 'true',
      };
    });
    ({ instance, kqlDir } = live);
    wsUrl = `${instance.url.replace(/^http/, 'ws')}/graphql`;
  });
  afterAll(async () => {
    for (const session of sessions) {
      await session.dispose();
    }
    await live?.close();
  });

  it('should send the current result at once, then one result per change of the caller tenant rows only', async () => {
    const contoso = (await connectAs('contoso')).subscribe(DOCUMENTS.orders);
    const fabrikam = (await connectAs('fabrikam')).subscribe(DOCUMENTS.orders);
    expect(rowsOf(await contoso.next(), 'LiveOrders')).toEqual([]);
    expect(rowsOf(await fabrikam.next(), 'LiveOrders')).toEqual([]);

    await publish([order('contoso', 'o-1', 10.5)]);
    expect(rowsOf(await contoso.next(), 'LiveOrders')).toEqual([
      { OrderId: 'o-1', TenantId: 'contoso', TotalAmount: 10.5 },
    ]);

    // A commit that leaves contoso's rows as they were: fabrikam gets its change, contoso nothing — its next
    // message is the one of its own next order.
    await publish([order('fabrikam', 'f-1', 99)]);
    expect(rowsOf(await fabrikam.next(), 'LiveOrders')).toEqual([
      { OrderId: 'f-1', TenantId: 'fabrikam', TotalAmount: 99 },
    ]);
    await publish([order('contoso', 'o-2', 3)]);
    expect(rowsOf(await contoso.next(), 'LiveOrders')).toEqual([
      { OrderId: 'o-1', TenantId: 'contoso', TotalAmount: 10.5 },
      { OrderId: 'o-2', TenantId: 'contoso', TotalAmount: 3 },
    ]);
    await publish([order('fabrikam', 'f-2', 1)]);
    expect(rowsOf(await fabrikam.next(), 'LiveOrders')).toEqual([
      { OrderId: 'f-1', TenantId: 'fabrikam', TotalAmount: 99 },
      { OrderId: 'f-2', TenantId: 'fabrikam', TotalAmount: 1 },
    ]);
    contoso.unsubscribe();
    fabrikam.unsubscribe();
  });

  it('should take the arguments of the query field', async () => {
    const stream = (await connectAs('contoso')).subscribe(DOCUMENTS.orders, { minAmount: 5 });
    expect(rowsOf(await stream.next(), 'LiveOrders')).toEqual([
      { OrderId: 'o-1', TenantId: 'contoso', TotalAmount: 10.5 },
    ]);
    stream.unsubscribe();
  });

  it('should close the connection with 4403 TOKEN_EXPIRED when the caller token expires', async () => {
    const session = await connectAs('expiring', ['analyst'], 2);
    const stream = session.subscribe(DOCUMENTS.orders);
    expect(rowsOf(await stream.next(), 'LiveOrders')).toEqual([]);
    expect(await session.closed).toEqual({ code: 4403, reason: 'TOKEN_EXPIRED' });
  });

  it('should keep a subscription through a hot reload, and end those whose function or role went', async () => {
    const session = await connectAs('contoso');
    const kept = session.subscribe(DOCUMENTS.orders);
    const changed = session.subscribe(DOCUMENTS.roleChanged);
    const removed = session.subscribe(DOCUMENTS.removed);
    expect(rowsOf(await kept.next(), 'LiveOrders')).toHaveLength(2);
    expect(rowsOf(await changed.next(), 'RoleChanged')).toHaveLength(1);
    expect(rowsOf(await removed.next(), 'Removed')).toHaveLength(1);
    await writeFile(
      join(kqlDir, 'functions', 'RoleChanged.kql'),
      LIVE_FUNCTIONS.RoleChanged.replace('roles=analyst', 'roles=operations'),
    );
    await writeFile(
      join(kqlDir, 'functions', 'Removed.kql'),
      LIVE_FUNCTIONS.Removed.replace('// @expose roles=analyst\n', ''),
    );
    await instance.app.get(FunctionCatalogService).reload();
    expect(await changed.next()).toEqual({
      error: [
        {
          message: "the caller may no longer run RoleChanged (its roles or the function's changed)",
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
    expect(await removed.next()).toEqual({
      error: [{ message: 'Removed is no longer exposed', extensions: { code: 'FUNCTION_REMOVED' } }],
    });
    await publish([order('contoso', 'o-3', 7)]);
    expect(rowsOf(await kept.next(), 'LiveOrders')).toHaveLength(3);
    kept.unsubscribe();
  });

  describe('refusals', () => {
    it('should close the connection with 4401 and the code for a bad token', async () => {
      const session = connect({ Authorization: 'Bearer not-a-jwt' });
      const stream = session.subscribe(DOCUMENTS.orders);
      expect(await session.closed).toEqual({
        code: 4401,
        reason: 'AUTH_INVALID_TOKEN: token is malformed: Invalid Compact JWS',
      });
      expect(await stream.next()).toMatchObject({ error: { code: 4401 } });
    });

    it('should refuse the upgrade of a page from an origin CORS_ORIGINS does not allow', async () => {
      const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { origin: 'https://elsewhere.example' });
      const refused = await new Promise<{ status?: number; body: string }>((resolve) =>
        socket.once('unexpected-response', (_request, response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode, body }));
        }),
      );
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body)).toEqual({
        status: 403,
        code: 'UPGRADE_ORIGIN_REFUSED',
        title:
          'a page from https://elsewhere.example may not open a connection here: add the origin to CORS_ORIGINS to allow it',
      });
    });

    it('should refuse an unauthenticated caller with the error of the query path', async () => {
      const stream = connect().subscribe(DOCUMENTS.orders);
      expect(await stream.next()).toEqual({
        error: [
          {
            message: 'function LiveOrders requires authentication',
            extensions: { code: 'AUTH_UNAUTHENTICATED', status: 401, function: 'LiveOrders' },
          },
        ],
      });
    });

    it('should refuse a caller without the role with the error of the query path', async () => {
      const stream = (await connectAs('contoso')).subscribe(DOCUMENTS.opsOnly);
      expect(await stream.next()).toEqual({
        error: [
          {
            message: 'function OpsOnly requires one of: role operations',
            extensions: {
              code: 'AUTH_FORBIDDEN',
              status: 403,
              function: 'OpsOnly',
              requiredRoles: ['operations'],
              requiredScopes: [],
            },
          },
        ],
      });
    });

    it('should refuse a document that is not registered', async () => {
      const stream = (await connectAs('contoso')).subscribe('subscription { LiveOrders { OrderId } }');
      expect(await stream.next()).toEqual({
        error: [
          {
            message:
              'this gateway serves only trusted GraphQL documents and this one is not registered: add the operation to the ' +
              "front-end's .graphql files, run `kqlgate graphql extract <dir> --out <file>` and point " +
              'GRAPHQL_TRUSTED_DOCUMENTS at that file (or send the sha256Hash of a registered document)',
            extensions: { code: 'PERSISTED_QUERY_NOT_TRUSTED' },
          },
        ],
      });
    });

    it('should hold subscription documents to the document limits', async () => {
      const stream = (await connectAs('contoso')).subscribe(DOCUMENTS.aliases);
      expect(await stream.next()).toEqual({
        error: [
          {
            message:
              'query has 51 aliases, more than the limit of 50 (a fragment counts each time it is spread)',
            extensions: { code: 'QUERY_ALIAS_LIMIT_EXCEEDED', aliases: 51, maxAliases: 50 },
          },
        ],
      });
    });

    it('should refuse a query over the WebSocket', async () => {
      const stream = (await connectAs('contoso')).subscribe(DOCUMENTS.query);
      expect(await stream.next()).toEqual({
        error: [
          {
            message:
              'The query operation is served over HTTP (POST /graphql); this WebSocket carries subscriptions only.',
            locations: [{ line: 1, column: 1 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          },
        ],
      });
    });
  });

  it('should drop a client that stops reading with SLOW_CONSUMER, without growing the server memory', async () => {
    const session = await connectAs('slowco');
    const stream = session.subscribe(DOCUMENTS.pages);
    expect(rowsOf(await stream.next(), 'LiveOrderPages')).toEqual([]);
    // Stop reading: the kernel buffers fill, then ws's, then the subscription's queue.
    const socket = await session.socket();
    socket.pause();
    // graphql-ws's keep-alive ends a connection that answers no ping for 12 s (counted CLIENT_GONE), and the flood
    // may take longer to get through the kernel buffers on a loaded machine. This client stays alive — unsolicited
    // pongs (RFC 6455 §5.5.3) — while it reads nothing, so the buffer limit is the one thing that can end it.
    const heartbeat = setInterval(() => socket.pong(), 2_000);

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const events = await floodUntilSlowConsumer(live, (index) =>
      order('slowco', `s-${String(index).padStart(4, '0')}`, 1),
    ).finally(() => {
      clearInterval(sampler);
      clearInterval(heartbeat);
    });
    const rssAfter = process.memoryUsage().rss;
    console.info(
      `graphql-ws slow consumer: dropped after ${events} events; RSS before ${(rssBefore / 2 ** 20).toFixed(1)} MB, peak ${(rssPeak / 2 ** 20).toFixed(1)} MB, after drop ${(rssAfter / 2 ** 20).toFixed(1)} MB`,
    );
    expect(await metric('kqlgate_live_closed_total{reason="SLOW_CONSUMER"}')).toBe(1);
    socket.resume();
    // The close frame waits behind what the client did not read, and the socket is destroyed a second after.
    expect([1013, 1006]).toContain((await session.closed).code);
    // Generous sanity bound: this process also runs the engine, the broker and the ingestion of the events.
    expect(rssPeak - rssBefore).toBeLessThan(256 * 2 ** 20);
  });

  it('should close connections with 1012 SHUTTING_DOWN when the app shuts down', async () => {
    const session = await connectAs('fabrikam');
    const idle = await connectAs('fabrikam');
    const stream = session.subscribe(DOCUMENTS.orders);
    expect(rowsOf(await stream.next(), 'LiveOrders')).toHaveLength(2);
    const idleStream = idle.subscribe(DOCUMENTS.orders);
    await idleStream.next();
    idleStream.unsubscribe();
    const stopping = live.stop();
    expect(await session.closed).toEqual({ code: 1012, reason: 'SHUTTING_DOWN' });
    expect(await idle.closed).toEqual({ code: 1012, reason: 'SHUTTING_DOWN' });
    await stopping;
  });
});
