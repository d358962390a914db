import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpFrom, type HttpAnswer } from '../../utils/http-from.js';
import { TestJwtIssuer } from '../../utils/jwt-issuer.js';
import { startKqlgateInstance, type KqlgateInstance } from '../../utils/kqlgate-instance.js';

const ALLOWED = 'https://app.example.com';
const SUBDOMAIN = 'https://team.dash.example.org';
const REFUSED = 'https://evil.example.net';

const EXPOSED =
  'ETag, Age, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After, WWW-Authenticate, x-request-id, x-kqlgate-row-count, x-kqlgate-truncated';

function corsHeadersOf(response: HttpAnswer): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(response.headers).filter(([name]) => name.startsWith('access-control-')),
  );
}

/** A preflight as a browser sends it before a POST with a Bearer token and a JSON body. */
function preflightHeaders(origin: string): Record<string, string> {
  return {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization,content-type',
  };
}

/** The status line and body of a raw HTTP/1.1 upgrade request, as a WebSocket client sends it. */
async function rawUpgrade(url: string, origin?: string): Promise<{ statusLine: string; body: string }> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const lines = [
    'GET /graphql HTTP/1.1',
    `Host: ${hostname}:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Protocol: graphql-transport-ws',
    ...(origin ? [`Origin: ${origin}`] : []),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  // Read one answer: a 101 has no body and keeps the socket; another ends after its Content-Length.
  const answer = await new Promise<string>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const headEnd = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd));
      if (headEnd >= 0 && Buffer.byteLength(text.slice(headEnd + 4)) >= Number(length?.[1] ?? 0)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
  const [head, body = ''] = answer.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], body };
}

/**
 * CORS on the whole app as `npm start` builds it, at the HTTP level (test/e2e/browser/ shows a real browser
 * obeying it): which origins get which headers on REST, GraphQL, any /api/v1 path and preflights, and the origin
 * check of WebSocket upgrades.
 */
describe('CORS with CORS_ORIGINS set', () => {
  let issuer: TestJwtIssuer;
  let instance: KqlgateInstance;
  let token: string;

  beforeAll(async () => {
    issuer = await TestJwtIssuer.create();
    await issuer.start();
    instance = await startKqlgateInstance({
      CORS_ORIGINS: `${ALLOWED},https://*.example.org`,
      CORS_CREDENTIALS: 'true',
      CORS_MAX_AGE_SECONDS: '900',
      // The OpenAPI document then varies by credential too: both Vary entries must survive.
      FUNCTION_VISIBILITY: 'callable',
      JWKS_URI: issuer.jwksUri,
      JWT_ISSUER: issuer.issuer,
      JWT_AUDIENCE: issuer.audience,
    });
    token = await issuer.token({ sub: 'u1', roles: ['analyst'], claims: { tid: 'A' } });
  });
  afterAll(async () => {
    await instance?.stop();
    await issuer?.stop();
  });

  const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) =>
    httpFrom('127.0.0.1', `${instance.url}${path}`, init);

  it("should answer an allowed origin's preflight with 204, the policy and how long to keep it", async () => {
    for (const [origin, path] of [
      [ALLOWED, '/api/v1/functions/OrderThroughput'],
      [SUBDOMAIN, '/graphql'],
      // Every /api/v1 path, routed or not yet (the SSE stream): the preflight never reaches a route.
      [ALLOWED, '/api/v1/functions/OrderThroughput/stream'],
    ]) {
      const response = await call(path, { method: 'OPTIONS', headers: preflightHeaders(origin) });
      expect([path, response.status, response.text]).toEqual([path, 204, '']);
      expect(corsHeadersOf(response)).toEqual({
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, HEAD, POST',
        'access-control-allow-headers':
          'authorization, x-api-key, content-type, if-none-match, accept, x-request-id, last-event-id, apollo-require-preflight, x-apollo-operation-name',
        'access-control-max-age': '900',
        'access-control-expose-headers': EXPOSED,
      });
      expect(response.headers.vary).toBe('Origin');
    }
  });

  it('should let an allowed origin read REST answers, their refusals and the headers clients need', async () => {
    const authorization = `Bearer ${token}`;
    const ok = await call('/api/v1/functions/OrderThroughput?lookback=1h', {
      headers: { origin: ALLOWED, authorization },
    });
    expect(ok.status).toBe(200);
    expect(corsHeadersOf(ok)).toEqual({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': EXPOSED,
    });
    expect(ok.headers.vary).toBe('Origin');
    for (const header of ['etag', 'ratelimit-remaining', 'ratelimit-policy', 'x-request-id']) {
      expect([header, typeof ok.headers[header]]).toEqual([header, 'string']);
    }
    const unauthenticated = await call('/api/v1/functions/OrderThroughput', {
      headers: { origin: ALLOWED, authorization: 'Bearer not-a-token' },
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(unauthenticated.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('should let an allowed origin read GraphQL answers', async () => {
    const response = await call('/graphql', {
      method: 'POST',
      headers: { origin: SUBDOMAIN, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(SUBDOMAIN);
    expect(response.headers.vary).toMatch(/\bOrigin\b/);
  });

  it('should keep Vary: Origin beside the Vary of a per-caller OpenAPI document', async () => {
    const response = await call('/api/v1/openapi.json', { headers: { origin: ALLOWED } });
    expect(response.status).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(response.headers.vary).toBe('Origin, Authorization, X-API-Key');
  });

  it('should send no CORS header at all to a refused origin, and not answer its preflight', async () => {
    const preflight = await call('/api/v1/functions/OrderThroughput', {
      method: 'OPTIONS',
      headers: preflightHeaders(REFUSED),
    });
    expect(preflight.status).toBe(404);
    expect(corsHeadersOf(preflight)).toEqual({});
    for (const origin of [REFUSED, 'https://example.org', 'http://app.example.com', 'null']) {
      const response = await call('/api/v1/functions/OrderThroughput?lookback=1h', {
        headers: { origin, authorization: `Bearer ${token}` },
      });
      expect([origin, response.status, corsHeadersOf(response)]).toEqual([origin, 200, {}]);
      // The same URL answers differently for another Origin: caches must keep them apart.
      expect(response.headers.vary).toBe('Origin');
    }
  });

  it('should refuse a WebSocket upgrade from a refused origin with 403, and only that one', async () => {
    const refused = await rawUpgrade(instance.url, REFUSED);
    expect(refused.statusLine).toBe('HTTP/1.1 403 Forbidden');
    expect(JSON.parse(refused.body)).toEqual({
      status: 403,
      code: 'UPGRADE_ORIGIN_REFUSED',
      title: `a page from ${REFUSED} may not open a connection here: add the origin to CORS_ORIGINS to allow it`,
    });
    // The others reach the GraphQL subscriptions' WebSocket at /graphql, which accepts the upgrade.
    const sameHost = new URL(instance.url).host;
    for (const origin of [ALLOWED, SUBDOMAIN, `http://${sameHost}`, undefined]) {
      expect([origin, (await rawUpgrade(instance.url, origin)).statusLine]).toEqual([
        origin,
        'HTTP/1.1 101 Switching Protocols',
      ]);
    }
  });

  it('should keep a refused origin away from an upgrade listener added later, such as GraphQL subscriptions', async () => {
    const server = instance.app.getHttpServer();
    const reached: (string | undefined)[] = [];
    // A stand-in WebSocket endpoint: switches protocols for whatever reaches it.
    const listener = (request: IncomingMessage, socket: Duplex) => {
      reached.push(request.headers.origin);
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    };
    server.on('upgrade', listener);
    try {
      expect((await rawUpgrade(instance.url, REFUSED)).statusLine).toBe('HTTP/1.1 403 Forbidden');
      expect((await rawUpgrade(instance.url, ALLOWED)).statusLine).toBe('HTTP/1.1 101 Switching Protocols');
      expect((await rawUpgrade(instance.url)).statusLine).toBe('HTTP/1.1 101 Switching Protocols');
      expect(reached).toEqual([ALLOWED, undefined]);
    } finally {
      server.off('upgrade', listener);
    }
  });
});

describe('CORS without CORS_ORIGINS (default)', () => {
  let instance: KqlgateInstance;

  beforeAll(async () => {
    instance = await startKqlgateInstance();
  });
  afterAll(async () => {
    await instance?.stop();
  });

  it('should send no CORS header and answer no preflight', async () => {
    const get = await httpFrom('127.0.0.1', `${instance.url}/api/v1/openapi.json`, {
      headers: { origin: ALLOWED },
    });
    expect(get.status).toBe(200);
    expect(corsHeadersOf(get)).toEqual({});
    expect(get.headers.vary).toBeUndefined();
    const preflight = await httpFrom('127.0.0.1', `${instance.url}/api/v1/functions/OrderThroughput`, {
      method: 'OPTIONS',
      headers: preflightHeaders(ALLOWED),
    });
    expect(preflight.status).toBe(404);
    expect(corsHeadersOf(preflight)).toEqual({});
  });

  it('should still refuse a cross-origin WebSocket upgrade, and allow a same-origin one', async () => {
    expect((await rawUpgrade(instance.url, ALLOWED)).statusLine).toBe('HTTP/1.1 403 Forbidden');
    const sameHost = new URL(instance.url).host;
    expect((await rawUpgrade(instance.url, `http://${sameHost}`)).statusLine).toBe(
      'HTTP/1.1 101 Switching Protocols',
    );
  });
});
