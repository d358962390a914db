import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[\w.:-]{1,128}$/;

/**
 * Gives every request an id — the caller's `x-request-id` when it is a sane token, else a fresh uuid — and
 * echoes it on the response. The id is written back into the raw request headers so the request logger (pino-http,
 * which sees only the raw request) logs the same id.
 */
export function registerRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const given = request.headers[REQUEST_ID_HEADER];
    const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    request.raw.headers[REQUEST_ID_HEADER] = id;
    void reply.header(REQUEST_ID_HEADER, id);
    done();
  });
}
