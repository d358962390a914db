import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { FunctionCatalogService } from '../catalog/function-catalog.service.js';
import { FunctionQueryService } from '../query/function-query.service.js';
import { visibleError, type FunctionVisibility } from '../query/function-visibility.js';
import type { CredentialHeaders, RequestAuthenticator } from '../auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { fromQueryString } from '../rest/function.routes.js';
import { sendProblem } from '../rest/problem-reply.js';
import { LiveResultsService } from './live-results.service.js';
import { SseSink } from './sse-sink.js';

/** The SSE path of every exposed function. */
export const FUNCTION_STREAM_ROUTE = '/api/v1/functions/:name/stream';
/** Every open stream gets a `: keep-alive` comment this often, so proxies and browsers keep it open. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

type StreamRoute = { Params: { name: string }; Querystring: Record<string, unknown> };
type StreamRequest = FastifyRequest<StreamRoute>;

/**
 * `GET /api/v1/functions/{Name}/stream?<parameters>`: the function's result now and again whenever ingestion
 * changes it, as Server-Sent Events (SseSink). Authenticated like the REST call; since a browser's EventSource
 * cannot set headers, this route alone also takes the token as `access_token=` in the query string (request lines
 * never carry query strings, see log-privacy.ts). Refusals before the stream opens are the REST call's problem JSON.
 * A plain Fastify route like the REST one, so the instance hooks (request id, log line, metrics) apply.
 */
@Injectable()
export class FunctionStreamRoutes implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('live');
  private readonly visibility: FunctionVisibility;
  private readonly open = new Set<SseSink>();
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly live: LiveResultsService,
    private readonly query: FunctionQueryService,
    private readonly catalog: FunctionCatalogService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: EnvConfig,
    @Inject(REQUEST_AUTHENTICATOR) private readonly authenticator: RequestAuthenticator,
  ) {
    this.visibility = config.functionVisibility;
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get<StreamRoute>(FUNCTION_STREAM_ROUTE, (request, reply) => this.stream(request, reply));
    this.heartbeat = setInterval(() => {
      for (const sink of this.open) {
        sink.heartbeat();
      }
    }, HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.heartbeat);
  }

  private async stream(request: StreamRequest, reply: FastifyReply): Promise<FastifyReply> {
    const name = request.params.name;
    const { access_token: accessToken, ...query } = request.query;
    let principal: Principal;
    try {
      principal = await this.authenticator.authenticate(
        credentials(request.headers, accessToken),
        request.ip,
        String(request.id),
      );
    } catch (error) {
      return sendProblem(reply, request, error, this.logger);
    }
    try {
      const admitted = this.query.admit(principal, name, String(request.id));
      if (admitted) {
        await admitted;
      }
      const params = fromQueryString(name, query);
      const sink = new SseSink(reply.raw, this.config.LIVE_BUFFER_BYTES);
      const handle = await this.live.open(principal, name, params, sink, { requestId: String(request.id) });
      this.open.add(sink);
      reply.raw.on('close', () => {
        this.open.delete(sink);
        handle.cancel();
      });
      return reply
        .status(200)
        .header('content-type', 'text/event-stream')
        .header('cache-control', 'no-store')
        .header('x-accel-buffering', 'no')
        .send(sink.stream);
    } catch (error) {
      const shown = visibleError(error, name, principal, this.catalog.current().functions, this.visibility);
      return sendProblem(reply, request, shown, this.logger);
    }
  }
}

/** The request's credential headers, with `access_token=` as a bearer token when the query string carries one. */
function credentials(headers: FastifyRequest['headers'], accessToken: unknown): CredentialHeaders {
  if (accessToken === undefined) {
    return headers;
  }
  if (
    typeof accessToken !== 'string' ||
    headers.authorization !== undefined ||
    headers['x-api-key'] !== undefined
  ) {
    throw new AuthError(
      AuthErrorCode.MultipleCredentials,
      'send one credential: access_token= was sent more than once or with an Authorization or X-API-Key header',
    );
  }
  return { authorization: `Bearer ${accessToken}` };
}
