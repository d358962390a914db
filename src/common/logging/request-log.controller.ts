import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import { isRequestAudited } from './audited-requests.js';
import { pathOf } from './log-privacy.js';

/** Health probes and metric scrapes would drown the log; they stay visible in the metrics. */
const UNLOGGED_PATH = /^\/(health|metrics)(\/|\?|$)/;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Every request of this route writes an audit line of its own (the REST function routes: one call per
     * request, audited by the query path whatever its outcome), so its successful answers need no request line.
     */
    audited?: boolean;
  }
}

/**
 * Fastify's request lines, reshaped: one JSON line per answered request (instead of Fastify's "incoming request"
 * + "request completed" pair), through the request's own logger — the root pino logger with this request's
 * `reqId`. It carries method, matched route pattern, path, status and duration. The query string is left out on
 * purpose: function parameters may be customer ids, and the audit line carries only their hash. 5xx log at
 * `error`, 4xx at `warn`, the rest at `info`. Fastify's error lines that would carry the request (its default
 * error handler's, a failed writeHead's) are written in the same shape, without the URL.
 *
 * One line per call: on a route whose every request writes an audit line (route config `audited`), and for a
 * request that wrote one itself (a GraphQL request that called a function, see audited-requests.ts), a successful
 * answer's request line is written at `debug` only — the audit line already says who called what, when (`reqId`,
 * `time`), the outcome and the duration. Their 4xx and 5xx keep their request line (status, route), as on any route.
 */
export class RequestLogController extends LogController {
  override isLogDisabled(request: { url?: string }): boolean {
    return UNLOGGED_PATH.test(request.url ?? '');
  }

  override incomingRequest(): void {
    // One line per request, written when it completes.
  }

  override routeNotFound(): void {
    // requestCompleted logs the 404 with its route `unmatched`.
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) {
      return;
    }
    const status = reply.statusCode;
    // Spelled out rather than spread from requestFields(): this runs once per request.
    const line: Record<string, unknown> = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      path: pathOf(request.url),
      statusCode: status,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
    };
    if (error) {
      line.err = error;
      request.log.error(line, 'request failed');
    } else if (status >= 500) {
      request.log.error(line, 'request failed');
    } else if (status >= 400) {
      request.log.warn(line, 'request refused');
    } else if (request.routeOptions.config.audited === true || isRequestAudited(request)) {
      request.log.debug(line, 'request completed');
    } else {
      request.log.info(line, 'request completed');
    }
  }

  override defaultErrorLog(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) {
      return;
    }
    const line = { ...requestFields(request), statusCode: reply.statusCode, err: error };
    if (reply.statusCode >= 500) {
      request.log.error(line, error.message);
    } else {
      request.log.info(line, error.message);
    }
  }

  override writeHeadError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) {
      return;
    }
    request.log.warn({ ...requestFields(request), statusCode: reply.statusCode, err: error }, error.message);
  }
}

/** What a line may say about a request: method, route pattern and path — never the query string. */
function requestFields(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    route: request.routeOptions.url ?? 'unmatched',
    path: pathOf(request.url),
  };
}
