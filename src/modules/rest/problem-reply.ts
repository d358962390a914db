import type { FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from '../../common/logging/log-privacy.js';
import type { Logger } from '../../common/logging/logger.js';
import { describeError, type ErrorBody } from '../query/error-status.js';
import { refusalHeaders } from '../query/refusal-headers.js';

/**
 * Answers an error of the REST edge as RFC 9457 problem JSON: `status`, a stable `code`, the message, and the
 * facts (`function`, `parameters: [{parameter, message}]`, …) from the error's details. Server-side failures
 * The error's own headers (a challenge, a rate-limit budget, Retry-After; refusal-headers.ts) go with it.
 * Server-side failures (5xx) are logged, since the caller only learns that something broke — with the route and path, never the query
 * string or body: parameter values may be customer ids (the audit line carries their hash).
 */
export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  error: unknown,
  logger: Logger,
): FastifyReply {
  const body = describeError(error);
  if (body.status >= 500) {
    logger.error(
      {
        reqId: request.id,
        err: error,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        path: pathOf(request.url),
        code: body.code,
      },
      body.message,
    );
  }
  return reply
    .status(body.status)
    .headers(refusalHeaders(error, body.status))
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(problemJson(body));
}

/** The RFC 9457 body of an error, as REST answers it and MCP tools report it. */
export function problemJson(body: ErrorBody): Record<string, unknown> {
  return {
    ...body.details,
    type: `https://kqlgate.dev/problems/${body.code.toLowerCase().replace(/_/g, '-')}`,
    title: body.message,
    status: body.status,
    code: body.code,
  };
}
