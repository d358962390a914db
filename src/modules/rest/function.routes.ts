import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '../../common/logging/logger.js';
import type { Principal } from '../auth/principal.js';
import { cacheHeaders, isNotModified } from '../cache/http-cache-headers.js';
import { rateLimitHeaders } from '../rate-limit/rate-limit-error.js';
import { EnvConfig } from '../../config/env.dto.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { visibleError, type FunctionVisibility } from '../query/function-visibility.js';
import { clientDisconnectSignal } from '../query/client-disconnect.js';
import { QueryError, QueryErrorCode } from '../query/query-error.js';
import { FunctionQueryService, type QueryResult } from '../query/function-query.service.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { sendProblem } from './problem-reply.js';
import { RouteAuthentication } from './route-authentication.js';
import {
  RESULT_MEDIA_TYPES,
  negotiateFormat,
  toCsv,
  toJson,
  toNdjson,
  type ResultFormat,
} from './result-encoders.js';

/** The REST path of every exposed function; `{Name}` is resolved against the live catalog on each call. */
export const FUNCTION_ROUTE = '/api/v1/functions/:name';

type FunctionRoute = { Params: { name: string } };
type FunctionRequest = FastifyRequest<FunctionRoute>;

/**
 * `GET|POST /api/v1/functions/{Name}`: parameters from the query string or a JSON object body, rows as
 * `{"data":[…], "meta":{…}}`, CSV or NDJSON (Accept). Everything else happens in FunctionQueryService.execute.
 *
 * These two routes are the gateway's hot path, so they are plain Fastify routes registered by this provider
 * rather than a Nest controller: Nest's per-request router context (pipes, guards, interceptors, exception-filter
 * lookup) costs more than the whole cached call. Everything that applies to every route still applies — the
 * instance hooks (request id, request log, metrics, connection drain) run for these routes as for any other;
 * errors become problem JSON here, as the Nest filter did. Every response header comes from what execute()
 * returned (cache validators, rate-limit state) or threw (problem-reply.ts).
 *
 * The caller is authenticated first — GET in the handler, POST in the route's onRequest hook, before its body is
 * parsed — and then admitted to the function (404/401/403) before the request's shape is checked (400 for
 * parameters, 406 for Accept): a caller without valid credentials, or not allowed to call the function, learns
 * nothing else.
 */
@Injectable()
export class FunctionRoutes implements OnModuleInit {
  private readonly logger = createLogger('rest');
  private readonly authentication: RouteAuthentication;
  private readonly visibility: FunctionVisibility;

  constructor(
    private readonly query: FunctionQueryService,
    private readonly catalog: FunctionCatalogService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(REQUEST_AUTHENTICATOR) authenticator: RequestAuthenticator,
    @Optional() config?: EnvConfig,
  ) {
    this.authentication = new RouteAuthentication(authenticator, this.logger);
    this.visibility = config?.functionVisibility ?? 'all';
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // The one shutdown step of calls in flight, whoever closes the server first (the app's shutdown, or the GraphQL
    // driver's drain while its module is destroyed): they get their grace and are then cancelled with a 503 before
    // the server waits for its connections.
    fastify.addHook('preClose', () => this.query.drainForShutdown());
    // Every call is audited (FunctionQueryService, or the authenticator for a refused caller): the request line of a
    // successful answer is left to debug (request-log.controller.ts), so a call writes one line.
    const config = { audited: true };
    fastify.get<FunctionRoute>(FUNCTION_ROUTE, { config }, async (request: FunctionRequest, reply) => {
      const principal = await this.authentication.authenticate(request, reply);
      return principal
        ? this.handle(request, reply, principal, () => fromQueryString(request.params.name, request.query))
        : reply;
    });
    // A POST is authenticated in onRequest, before its body is read and parsed (GET, the cached hot path, has no
    // body to guard and authenticates in its handler).
    fastify.post<FunctionRoute>(
      FUNCTION_ROUTE,
      { config, onRequest: this.authentication.onRequest },
      (request: FunctionRequest, reply) =>
        this.handle(request, reply, this.authentication.principalOf(request), () =>
          fromBody(request.params.name, request.body),
        ),
    );
  }

  private async handle(
    request: FunctionRequest,
    reply: FastifyReply,
    principal: Principal,
    parameters: () => Record<string, unknown>,
  ): Promise<FastifyReply> {
    try {
      const admitted = this.query.admit(principal, request.params.name, String(request.id));
      if (admitted) {
        await admitted;
      }
      const params = parameters();
      const format = negotiateFormat(request.headers.accept);
      if (!format) {
        return reply
          .status(406)
          .header('content-type', 'application/problem+json; charset=utf-8')
          .send({
            status: 406,
            code: 'REST_NOT_ACCEPTABLE',
            title: `cannot answer with ${request.headers.accept}; use application/json, text/csv or application/x-ndjson`,
          });
      }
      const result = await this.query.execute(principal, request.params.name, params, {
        requestId: String(request.id),
        signal: clientDisconnectSignal(reply.raw),
      });
      return send(request, reply, format, result);
    } catch (error) {
      // An unknown function, and one the caller may not see, answer alike (see function-visibility.ts).
      const shown = visibleError(
        error,
        request.params.name,
        principal,
        this.catalog.current().functions,
        this.visibility,
      );
      return sendProblem(reply, request, shown, this.logger);
    }
  }
}

/**
 * The answer with the headers the call's result carries: `RateLimit-*` on every call; on GET, `Cache-Control`,
 * `ETag` and `Age`, and 304 without a body when `If-None-Match` matches.
 */
function send(
  request: FunctionRequest,
  reply: FastifyReply,
  format: ResultFormat,
  result: QueryResult,
): FastifyReply {
  const mediaType = RESULT_MEDIA_TYPES[format];
  reply
    .status(200)
    .header('content-type', mediaType)
    .header('x-kqlgate-row-count', String(result.meta.rowCount))
    .header('x-kqlgate-truncated', String(result.meta.truncated));
  if (result.rateLimit) {
    reply.headers(rateLimitHeaders(result.rateLimit));
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    const { headers, etag } = cacheHeaders(result.cache, mediaType);
    reply.headers(headers);
    if (isNotModified(request.headers['if-none-match'], etag)) {
      return reply.status(304).send();
    }
  }
  switch (format) {
    case 'json':
      return reply.send(toJson(result));
    case 'csv':
      return reply.send(toCsv(result));
    case 'ndjson':
      return reply.send(toNdjson(result));
  }
}

export function fromQueryString(fn: string, query: unknown): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const repeated: string[] = [];
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      repeated.push(key);
    }
    params[key] = value;
  }
  if (repeated.length > 0) {
    throw QueryError.invalidParameters(
      fn,
      repeated.map((parameter) => ({ parameter, message: 'was given more than once' })),
    );
  }
  return params;
}

function fromBody(fn: string, body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') {
    return {};
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new QueryError(
      QueryErrorCode.InvalidParameters,
      `the body of POST /api/v1/functions/${fn} must be a JSON object of parameters`,
      { function: fn, parameters: [] },
    );
  }
  return body as Record<string, unknown>;
}
