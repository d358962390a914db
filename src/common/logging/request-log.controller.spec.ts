import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { markRequestAudited } from './audited-requests.js';
import { privateLoggerOptions } from './log-privacy.js';
import { RequestLogController } from './request-log.controller.js';
import { REQUEST_ID_HEADER, registerRequestIds, requestIdOf } from './request-id.hook.js';

/** A real Fastify instance logging through a pino logger whose lines land in `lines`, as createApp wires it. */
function gatewayLike(lines: Record<string, unknown>[]): FastifyInstance {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const logger: FastifyBaseLogger = pino({ level: 'info', ...privateLoggerOptions }, sink);
  const fastify = Fastify({
    loggerInstance: logger,
    logController: new RequestLogController(),
    genReqId: requestIdOf,
  });
  registerRequestIds(fastify);
  fastify.get('/api/v1/functions/:name', (request, reply) =>
    (request.params as { name: string }).name === 'Broken'
      ? reply.status(500).send({ error: 'boom' })
      : reply.send({ data: [] }),
  );
  fastify.get('/api/v1/explode', (request) => {
    // An error whose message quotes the URL, handled by Fastify's default error handler.
    throw new Error(`cannot answer ${request.url}`);
  });
  fastify.get('/api/v1/audited/:status', { config: { audited: true } }, (request, reply) =>
    reply.status(Number((request.params as { status: string }).status)).send({ data: [] }),
  );
  // As /graphql: a request that calls a function marks itself audited (each call writes its audit line).
  fastify.post('/graphql', (request, reply) => {
    const { calls, status } = request.body as { calls: number; status: number };
    if (calls > 0) {
      markRequestAudited(request);
    }
    return reply.status(status).send({ data: {} });
  });
  fastify.get('/health/live', (_request, reply) => reply.send({ status: 'ok' }));
  return fastify;
}

describe(RequestLogController.name, () => {
  let lines: Record<string, unknown>[];
  let fastify: FastifyInstance;

  beforeEach(async () => {
    lines = [];
    fastify = gatewayLike(lines);
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    lines.length = 0; // Fastify's own "Server listening" line
  });

  afterEach(async () => {
    await fastify.close();
  });

  function url(path: string): string {
    const address = fastify.server.address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}${path}`;
  }

  it('should write one line per request with method, route, path, status, duration and the request id', async () => {
    const response = await fetch(url('/api/v1/functions/TopProducts?tenantId=customer-42'), {
      headers: { [REQUEST_ID_HEADER]: 'trace-abc.1' },
    });
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe('trace-abc.1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      reqId: 'trace-abc.1',
      method: 'GET',
      route: '/api/v1/functions/:name',
      path: '/api/v1/functions/TopProducts',
      statusCode: 200,
      msg: 'request completed',
    });
    expect(typeof lines[0].durationMs).toBe('number');
  });

  it('should leave the request line of an audited route at debug when it answers 2xx, and log its refusals', async () => {
    expect((await fetch(url('/api/v1/audited/200'))).status).toBe(200);
    expect((await fetch(url('/api/v1/audited/304'))).status).toBe(304);
    expect(lines).toEqual([]);
    expect((await fetch(url('/api/v1/audited/403'))).status).toBe(403);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        route: '/api/v1/audited/:status',
        statusCode: 403,
        msg: 'request refused',
      }),
    ]);
  });

  it('should leave the request line of a request that wrote its own audit line at debug when it answers 2xx', async () => {
    const post = (body: { calls: number; status: number }) =>
      fetch(url('/graphql'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ calls: 1, status: 200 })).status).toBe(200);
    expect(lines).toEqual([]);
    expect((await post({ calls: 1, status: 400 })).status).toBe(400);
    expect((await post({ calls: 0, status: 200 })).status).toBe(200);
    expect(lines.map((l) => [l.level, l.route, l.statusCode, l.msg])).toEqual([
      [40, '/graphql', 400, 'request refused'],
      [30, '/graphql', 200, 'request completed'],
    ]);
  });

  it('should never log the query string, whose values may be customer ids', async () => {
    await fetch(url('/api/v1/functions/TopProducts?tenantId=customer-42'));
    expect(JSON.stringify(lines)).not.toContain('customer-42');
  });

  it("should log the default error handler's 5xx without the URL, in the shape of the request line", async () => {
    const response = await fetch(url('/api/v1/explode?customerId=customer-42'));
    expect(response.status).toBe(500);
    expect(JSON.stringify(lines)).not.toContain('customer-42');
    expect(lines[0]).toMatchObject({
      level: 50,
      method: 'GET',
      route: '/api/v1/explode',
      path: '/api/v1/explode',
      statusCode: 500,
      msg: 'cannot answer /api/v1/explode?(query omitted)',
    });
    expect(lines[0].req).toBeUndefined();
  });

  it('should mint a uuid when the caller sends no usable request id', async () => {
    const response = await fetch(url('/api/v1/functions/TopProducts'), {
      headers: { [REQUEST_ID_HEADER]: 'has spaces and "quotes"' },
    });
    const minted = response.headers.get(REQUEST_ID_HEADER);
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[0].reqId).toBe(minted);
  });

  it('should log 4xx at warn and 5xx at error, unmatched routes included', async () => {
    await fetch(url('/nowhere'));
    await fetch(url('/api/v1/functions/Broken'));
    expect(lines.map((l) => [l.level, l.route, l.statusCode])).toEqual([
      [40, 'unmatched', 404],
      [50, '/api/v1/functions/:name', 500],
    ]);
  });

  it('should leave health probes out of the log', async () => {
    await fetch(url('/health/live'));
    expect(lines).toEqual([]);
  });
});
