import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Health probes and metric scrapes would drown the log; they stay visible in the metrics. */
const UNLOGGED_PATH = /^\/(health|metrics)(\/|\?|$)/;

/**
 * Fastify's request lines, reshaped: one JSON line per answered request (instead of Fastify's "incoming request"
 * + "request completed" pair), through the request's own logger — the root pino logger with this request's
 * `reqId`. It carries method, matched route pattern, path, status and duration. The query string is left out on
 * purpose: function parameters may be customer ids, and the audit line carries only their hash. 5xx log at
 * `error`, 4xx at `warn`, the rest at `info`. Fastify's other lines (e.g. errors of its default error handler)
 * keep their default behaviour.
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
    const url = request.url;
    if (this.isLogDisabled(request)) {
      return;
    }
    const query = url.indexOf('?');
    const status = reply.statusCode;
    const line: Record<string, unknown> = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      path: query === -1 ? url : url.slice(0, query),
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
    } else {
      request.log.info(line, 'request completed');
    }
  }
}
