import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { ServiceBusMessage } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionCatalogService } from '../../../src/modules/catalog/function-catalog.service.js';
import type { KqlgateInstance } from '../../utils/kqlgate-instance.js';
import { openSseStream, type SseStream } from '../../utils/sse-stream.js';
import {
  floodUntilSlowConsumer,
  LIVE_FUNCTIONS,
  metricValue,
  publishEvents,
  startLiveInstance,
  type LiveTestInstance,
} from './live-functions.js';

/**
 * Live results over SSE in the whole runtime (embedded engine and broker, ingestion, gateway, dev-mode tokens):
 * order events sent with the real Service Bus SDK land in RawOrderEvents, the update policy fills Orders, and
 * every subscriber of a function reading Orders gets one new result per change of its own rows — and only that.
 */
const MAX_PER_PRINCIPAL = 3;

/** The members of `meta` that differ between two calls with equal rows (ids, timings, cache state). */
const PER_CALL_META = ['requestId', 'durationMs', 'engineMs', 'cache', 'cacheAgeSeconds', 'etag'];

function stableBody(json: string): unknown {
  const body = JSON.parse(json) as { data: unknown; meta: Record<string, unknown> };
  const meta = Object.fromEntries(Object.entries(body.meta).filter(([key]) => !PER_CALL_META.includes(key)));
  return { data: body.data, meta };
}

describe('GET /api/v1/functions/{Name}/stream (Server-Sent Events)', () => {
  let live: LiveTestInstance;
  let instance: KqlgateInstance;
  let tokens: Record<'contoso' | 'fabrikam' | 'slowco' | 'limited', string>;
  const streams: SseStream[] = [];

  const token = (tenant: string, roles?: string[], expiresInSeconds?: number): Promise<string> =>
    live.token(tenant, roles, expiresInSeconds);

  /** Opens `/api/v1/functions/{name}/stream?{query}`. */
  const open = async (name: string, headers: Record<string, string> = {}, query = ''): Promise<SseStream> => {
    const stream = await openSseStream(
      `${instance.url}/api/v1/functions/${name}/stream${query ? `?${query}` : ''}`,
      headers,
    );
    streams.push(stream);
    return stream;
  };
  const bearer = (value: string): Record<string, string> => ({ authorization: `Bearer ${value}` });

  const orderEvent = (tenant: string, orderId: string, amount: number): ServiceBusMessage => {
    const messageId = randomUUID();
    return {
      messageId,
      contentType: 'application/json',
      applicationProperties: { eventType: 'order.placed', tenantId: tenant },
      body: {
        messageId,
        eventId: randomUUID(),
        eventType: 'order.placed',
        tenantId: tenant,
        occurredAt: new Date().toISOString(),
        data: {
          orderId,
          customerId: `c-${orderId}`,
          accountId: `a-${orderId}`,
          channel: 'web',
          currency: 'EUR',
          totalAmount: amount,
          shippingCountry: 'DE',
          lines: [{ sku: 'sku-1', productName: 'Lamp', category: 'home', quantity: 1, unitPrice: amount }],
        },
      },
    };
  };
  const publish = (messages: ServiceBusMessage[]): Promise<void> =>
    publishEvents(live.sb, instance, messages);
  const metric = (line: string): Promise<number | undefined> => metricValue(instance, line);

  let kqlDir: string;

  beforeAll(async () => {
    live = await startLiveInstance('live', () => ({
      RATE_LIMIT_POINTS: '0',
      LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL: String(MAX_PER_PRINCIPAL),
    }));
    ({ instance, kqlDir } = live);
    tokens = {
      contoso: await token('contoso'),
      fabrikam: await token('fabrikam'),
      slowco: await token('slowco'),
      limited: await token('limited'),
    };
  });
  afterAll(async () => {
    for (const stream of streams) {
      await stream.close();
    }
    await live?.close();
  });

  it('should send the current result at once, then one result per change of the caller tenant rows only', async () => {
    const contoso = await open('LiveOrders', bearer(tokens.contoso));
    const fabrikam = await open('LiveOrders', bearer(tokens.fabrikam));
    expect(contoso.status).toBe(200);
    expect(contoso.headers.get('content-type')).toBe('text/event-stream');
    expect(contoso.headers.get('cache-control')).toBe('no-store');

    const first = await contoso.nextEvent();
    expect(first).toMatchObject({ id: '1', event: 'result' });
    const rest = await fetch(`${instance.url}/api/v1/functions/LiveOrders`, {
      headers: bearer(tokens.contoso),
    });
    expect(stableBody(first!.data!)).toEqual(stableBody(await rest.text()));
    expect(JSON.parse(first!.data!)).toMatchObject({
      data: [],
      meta: { function: 'LiveOrders', rowCount: 0 },
    });
    expect(await fabrikam.nextEvent()).toMatchObject({ id: '1', event: 'result' });

    await publish([orderEvent('contoso', 'o-1', 10.5)]);
    const second = await contoso.nextEvent();
    expect(second).toMatchObject({ id: '2', event: 'result' });
    expect(JSON.parse(second!.data!)).toMatchObject({
      data: [{ OrderId: 'o-1', TenantId: 'contoso', TotalAmount: 10.5 }],
      meta: { function: 'LiveOrders', rowCount: 1 },
    });

    // A commit to Orders that leaves contoso's rows as they were: fabrikam's subscriber gets its change, contoso's
    // nothing — its next result (id 3) is the one of its own next order.
    await publish([orderEvent('fabrikam', 'f-1', 99)]);
    const fabrikamSecond = await fabrikam.nextEvent();
    expect(fabrikamSecond).toMatchObject({ id: '2', event: 'result' });
    expect(JSON.parse(fabrikamSecond!.data!).data).toEqual([
      { OrderId: 'f-1', TenantId: 'fabrikam', TotalAmount: 99 },
    ]);

    await publish([orderEvent('contoso', 'o-2', 3)]);
    const third = await contoso.nextEvent();
    expect(third).toMatchObject({ id: '3', event: 'result' });
    expect(JSON.parse(third!.data!).data).toEqual([
      { OrderId: 'o-1', TenantId: 'contoso', TotalAmount: 10.5 },
      { OrderId: 'o-2', TenantId: 'contoso', TotalAmount: 3 },
    ]);

    await publish([orderEvent('fabrikam', 'f-2', 1)]);
    const fabrikamThird = await fabrikam.nextEvent();
    expect(fabrikamThird).toMatchObject({ id: '3', event: 'result' });
    expect(JSON.parse(fabrikamThird!.data!).data).toEqual([
      { OrderId: 'f-1', TenantId: 'fabrikam', TotalAmount: 99 },
      { OrderId: 'f-2', TenantId: 'fabrikam', TotalAmount: 1 },
    ]);
    await contoso.close();
    await fabrikam.close();
  });

  it('should close the stream with TOKEN_EXPIRED when the caller token expires', async () => {
    const stream = await open('LiveOrders', bearer(await token('expiring', ['analyst'], 2)));
    expect(stream.status).toBe(200);
    expect(await stream.nextEvent()).toMatchObject({ id: '1', event: 'result' });
    const close = await stream.nextEvent();
    expect(close).toEqual({
      event: 'close',
      data: JSON.stringify({
        code: 'TOKEN_EXPIRED',
        reason: 'the access token expired; reconnect to LiveOrders with a fresh token',
      }),
    });
    expect(await stream.nextEvent()).toBeUndefined();
  });

  it('should accept the token as access_token= in the query string of the stream route', async () => {
    const stream = await open('LiveOrders', {}, `minAmount=5&access_token=${tokens.contoso}`);
    expect(stream.status).toBe(200);
    const first = await stream.nextEvent();
    expect(JSON.parse(first!.data!).data).toEqual([
      { OrderId: 'o-1', TenantId: 'contoso', TotalAmount: 10.5 },
    ]);
    await stream.close();
  });

  it('should close the stream with FORBIDDEN when a reload takes the caller role away, and FUNCTION_REMOVED when it unexposes the function', async () => {
    const changed = await open('RoleChanged', bearer(tokens.fabrikam));
    const removed = await open('Removed', bearer(tokens.fabrikam));
    expect(await changed.nextEvent()).toMatchObject({ id: '1', event: 'result' });
    expect(await removed.nextEvent()).toMatchObject({ id: '1', event: 'result' });
    await writeFile(
      join(kqlDir, 'functions', 'RoleChanged.kql'),
      LIVE_FUNCTIONS.RoleChanged.replace('roles=analyst', 'roles=operations'),
    );
    await writeFile(
      join(kqlDir, 'functions', 'Removed.kql'),
      LIVE_FUNCTIONS.Removed.replace('// @expose roles=analyst\n', ''),
    );
    await instance.app.get(FunctionCatalogService).reload();
    expect(await changed.nextEvent()).toEqual({
      event: 'close',
      data: JSON.stringify({
        code: 'FORBIDDEN',
        reason: "the caller may no longer run RoleChanged (its roles or the function's changed)",
      }),
    });
    expect(await removed.nextEvent()).toEqual({
      event: 'close',
      data: JSON.stringify({ code: 'FUNCTION_REMOVED', reason: 'Removed is no longer exposed' }),
    });
    expect(await changed.nextEvent()).toBeUndefined();
    expect(await removed.nextEvent()).toBeUndefined();
  });

  describe('refusals before the stream opens', () => {
    /** The stream's refusal, checked against the REST call's for the same request, and returned. */
    const refusal = async (
      path: string,
      headers: Record<string, string>,
      restPath?: string,
    ): Promise<{ status: number; body: unknown }> => {
      const stream = await fetch(`${instance.url}/api/v1/functions/${path}`, { headers });
      expect(stream.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      const answer = { status: stream.status, body: await stream.json() };
      if (restPath !== undefined) {
        const rest = await fetch(`${instance.url}/api/v1/functions/${restPath}`, { headers });
        expect(answer).toEqual({ status: rest.status, body: await rest.json() });
      }
      return answer;
    };

    it('should answer 401 without credentials, as the REST call does', async () => {
      expect(await refusal('LiveOrders/stream', {}, 'LiveOrders')).toEqual({
        status: 401,
        body: {
          type: 'https://kqlgate.dev/problems/auth-unauthenticated',
          title: 'function LiveOrders requires authentication',
          status: 401,
          code: 'AUTH_UNAUTHENTICATED',
          function: 'LiveOrders',
        },
      });
    });

    it('should answer 401 for a bad access_token', async () => {
      const invalid = {
        status: 401,
        body: {
          reason: 'ERR_JWS_INVALID',
          type: 'https://kqlgate.dev/problems/auth-invalid-token',
          title: 'token is malformed: Invalid Compact JWS',
          status: 401,
          code: 'AUTH_INVALID_TOKEN',
        },
      };
      expect(await refusal('LiveOrders/stream?access_token=not-a-jwt', {})).toEqual(invalid);
      expect(await refusal('LiveOrders/stream', bearer('not-a-jwt'), 'LiveOrders')).toEqual(invalid);
    });

    it('should refuse access_token= sent together with an Authorization header', async () => {
      expect(
        await refusal(`LiveOrders/stream?access_token=${tokens.contoso}`, bearer(tokens.contoso)),
      ).toEqual({
        status: 401,
        body: {
          type: 'https://kqlgate.dev/problems/auth-multiple-credentials',
          title:
            'send one credential: access_token= was sent more than once or with an Authorization or X-API-Key header',
          status: 401,
          code: 'AUTH_MULTIPLE_CREDENTIALS',
        },
      });
    });

    it('should answer 404 for an unknown function, as the REST call does', async () => {
      expect(await refusal('NoSuchFunction/stream', bearer(tokens.contoso), 'NoSuchFunction')).toEqual({
        status: 404,
        body: {
          function: 'NoSuchFunction',
          type: 'https://kqlgate.dev/problems/query-function-not-found',
          title:
            'no function named NoSuchFunction; GET /api/v1/openapi.json (with your credentials) lists the functions you may call',
          status: 404,
          code: 'QUERY_FUNCTION_NOT_FOUND',
        },
      });
    });

    it('should answer 403 without the role, as the REST call does', async () => {
      expect(await refusal('OpsOnly/stream', bearer(tokens.contoso), 'OpsOnly')).toEqual({
        status: 403,
        body: {
          function: 'OpsOnly',
          requiredRoles: ['operations'],
          requiredScopes: [],
          type: 'https://kqlgate.dev/problems/auth-forbidden',
          title: 'function OpsOnly requires one of: role operations',
          status: 403,
          code: 'AUTH_FORBIDDEN',
        },
      });
    });

    it('should answer 400 naming a bad parameter, as the REST call does', async () => {
      expect(
        await refusal(
          'LiveOrders/stream?minAmount=lots',
          bearer(tokens.contoso),
          'LiveOrders?minAmount=lots',
        ),
      ).toEqual({
        status: 400,
        body: {
          function: 'LiveOrders',
          parameters: [{ parameter: 'minAmount', message: 'must be a finite number (real), got "lots"' }],
          type: 'https://kqlgate.dev/problems/query-invalid-parameters',
          title: 'invalid parameters for LiveOrders: minAmount: must be a finite number (real), got "lots"',
          status: 400,
          code: 'QUERY_INVALID_PARAMETERS',
        },
      });
    });

    it('should answer 429 once the caller holds LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL streams', async () => {
      for (let i = 0; i < MAX_PER_PRINCIPAL; i += 1) {
        const stream = await open('LiveOrders', bearer(tokens.limited));
        expect(stream.status).toBe(200);
        await stream.nextEvent();
      }
      expect(await refusal('LiveOrders/stream', bearer(tokens.limited))).toEqual({
        status: 429,
        body: {
          type: 'https://kqlgate.dev/problems/live-too-many-subscriptions',
          title: `the caller already has ${MAX_PER_PRINCIPAL} live subscriptions open, the most allowed (LIVE_MAX_SUBSCRIPTIONS_PER_PRINCIPAL); close one first`,
          status: 429,
          code: 'LIVE_TOO_MANY_SUBSCRIPTIONS',
          limit: MAX_PER_PRINCIPAL,
        },
      });
    });
  });

  it('should drop a client that stops reading with SLOW_CONSUMER, without growing the server memory', async () => {
    const url = new URL(`${instance.url}/api/v1/functions/LiveOrderPages/stream`);
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const closedByServer = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `GET ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\naccept: text/event-stream\r\nauthorization: Bearer ${tokens.slowco}\r\n` +
        // Not kept alive once the response ends: the close below is the server's, not Fastify's keep-alive timeout
        // (72 s) after a client that resumed within the grace read the rest of the stream.
        'connection: close\r\n\r\n',
    );
    // Read the response head, then stop reading: the kernel buffers fill, then the server's.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();

    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 50);
    const events = await floodUntilSlowConsumer(live, (index) =>
      orderEvent('slowco', `s-${String(index).padStart(4, '0')}`, 1),
    ).finally(() => clearInterval(sampler));
    const rssAfter = process.memoryUsage().rss;
    console.info(
      `slow consumer: dropped after ${events} events; RSS before ${(rssBefore / 2 ** 20).toFixed(1)} MB, peak ${(rssPeak / 2 ** 20).toFixed(1)} MB, after drop ${(rssAfter / 2 ** 20).toFixed(1)} MB`,
    );
    expect(await metric('kqlgate_live_closed_total{reason="SLOW_CONSUMER"}')).toBe(1);
    socket.resume();
    await closedByServer;
    // Generous sanity bound: this process also runs the engine, the broker and the ingestion of the events.
    expect(rssPeak - rssBefore).toBeLessThan(256 * 2 ** 20);
  });

  it('should close open streams with SHUTTING_DOWN when the app shuts down', async () => {
    const stream = await open('LiveOrders', bearer(tokens.fabrikam));
    expect(await stream.nextEvent()).toMatchObject({ id: '1', event: 'result' });
    const stopping = live.stop();
    expect(await stream.nextEvent()).toEqual({
      event: 'close',
      data: JSON.stringify({
        code: 'SHUTTING_DOWN',
        reason: 'this kqlgate replica is shutting down; reconnect',
      }),
    });
    expect(await stream.nextEvent()).toBeUndefined();
    await stopping;
  });
});
