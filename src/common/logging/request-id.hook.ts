import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[\w.:-]{1,128}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is a sane token (so a trace crosses services), else a
 * fresh uuid. Given to Fastify as `genReqId`, so `request.id`, the `reqId` of every log line of the request and the
 * id passed to the engine as client request id are all this value.
 */
export function requestIdOf(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}

/** Echoes the request id on every response, so a caller can quote it when reporting a problem. */
export function registerRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
