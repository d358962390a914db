import type { FastifyInstance } from 'fastify';
import { httpRequestDuration } from './metrics.registry.js';

/**
 * Records every HTTP request's duration labelled by the matched route pattern (never the raw URL, so
 * `/api/v1/functions/:name?x=…` does not explode the label cardinality); unmatched requests count as `unmatched`.
 */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  const histogram = httpRequestDuration();
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    histogram.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
