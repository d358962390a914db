/**
 * The server span of every HTTP request, registered only when telemetry is on (createApp). It continues the
 * caller's trace from its `traceparent` header, is named by method and route pattern (never the raw URL: a GET's
 * query string holds parameter values), and is made the active context for the request's hooks and handler, so
 * the authentication and query spans nest under it.
 *
 * Fastify runs a request's hooks and handler as one chain of callbacks, so entering the context around `done()`
 * covers them; reading a body (POST) resumes from the socket's events, outside it, hence the second entry in
 * preHandler, which runs after the body is parsed.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TRACER_NAME } from './kqlgate-tracer.js';

/** Probes and scrapes: a trace every few seconds per replica that says nothing about callers. */
const UNTRACED_ROUTES = /^\/(health(\/|$)|metrics$)/;

export function registerHttpTracing(fastify: FastifyInstance): void {
  const tracer = trace.getTracer(TRACER_NAME);
  const traced = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
  const end = (request: FastifyRequest, statusCode?: number): void => {
    const entry = traced.get(request);
    if (!entry) {
      return;
    }
    traced.delete(request);
    if (statusCode === undefined) {
      entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection' });
    } else {
      entry.span.setAttribute('http.response.status_code', statusCode);
      if (statusCode >= 500) {
        entry.span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
      }
    }
    entry.span.end();
  };

  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (UNTRACED_ROUTES.test(route)) {
      done();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': route,
          'kqlgate.request_id': String(request.id),
        },
      },
      parent,
    );
    const active = trace.setSpan(parent, span);
    traced.set(request, { span, context: active });
    context.with(active, done);
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const entry = traced.get(request);
    if (entry) {
      context.with(entry.context, done);
    } else {
      done();
    }
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request);
    done();
  });
}
