import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '../../common/logging/logger.js';
import { packageVersion } from '../../common/package-version.js';
import { EnvConfig } from '../../config/env.dto.js';
import { AuthError, AuthErrorCode } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { clientDisconnectSignal } from '../query/client-disconnect.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { RouteAuthentication } from '../rest/route-authentication.js';
import { McpToolsService } from './mcp-tools.service.js';

/** Where the MCP server answers (Streamable HTTP: JSON-RPC messages POSTed to one URL). */
export const MCP_ROUTE = '/mcp';

/**
 * The MCP endpoint: `POST /mcp` carries JSON-RPC messages of the Model Context Protocol over its Streamable HTTP
 * transport (the official SDK's), so an AI agent lists the functions it may call as tools and calls them.
 *
 * Stateless: every POST gets a fresh SDK server and transport, answers with plain JSON (no SSE stream) and keeps
 * nothing, so any replica answers any request and no session outlives a catalog reload. The price is that the
 * server cannot push `notifications/tools/list_changed`; `GET /mcp` (the server-to-client stream) and `DELETE
 * /mcp` (ending a session) answer 405, as the transport specification says a server without them does. Clients
 * see a reloaded catalog on their next `tools/list` (docs/mcp.md).
 *
 * The route is a plain Fastify route, like the REST functions (function.routes.ts), so the instance hooks —
 * request id, request log, metrics, connection drain, security headers — apply to it; the SDK's web-standard
 * transport hands back a Response that is sent through the Fastify reply, never written to the socket behind
 * Fastify's back. The caller is authenticated in onRequest, before the body is parsed, with the REST
 * authenticator: no credentials, or bad ones, answer 401 with the same problem JSON and WWW-Authenticate.
 *
 * The SDK (and its zod schemas, 0.4 s of CPU to load) is imported by the first POST, not at start-up: every start
 * would pay it on the main thread before listening, and with MCP_ENABLED=false it would never be used.
 */
@Injectable()
export class McpRoutes implements OnModuleInit {
  private readonly logger = createLogger('mcp');
  private readonly authentication: RouteAuthentication;
  private readonly enabled: boolean;

  constructor(
    private readonly tools: McpToolsService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(REQUEST_AUTHENTICATOR) authenticator: RequestAuthenticator,
    @Optional() config?: EnvConfig,
  ) {
    this.authentication = new RouteAuthentication(authenticator, this.logger, requireCredentials);
    this.enabled = (config?.MCP_ENABLED ?? 'true') === 'true';
  }

  onModuleInit(): void {
    if (!this.enabled) {
      return;
    }
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.route({
      method: ['GET', 'POST', 'DELETE'],
      url: MCP_ROUTE,
      onRequest: this.authentication.onRequest,
      handler: (request, reply) =>
        request.method === 'POST'
          ? this.handle(request, reply, this.authentication.principalOf(request))
          : reply
              .status(405)
              .header('allow', 'POST')
              .header('content-type', 'application/problem+json; charset=utf-8')
              .send({
                status: 405,
                code: 'MCP_METHOD_NOT_ALLOWED',
                title: `${request.method} ${MCP_ROUTE} is not offered: this MCP server is stateless (no sessions, no server-sent stream); POST JSON-RPC messages`,
              }),
    });
  }

  private async handle(
    request: FastifyRequest,
    reply: FastifyReply,
    principal: Principal,
  ): Promise<FastifyReply> {
    const requestId = String(request.id);
    const signal = clientDisconnectSignal(reply.raw);
    const [
      { Server },
      { WebStandardStreamableHTTPServerTransport },
      { CallToolRequestSchema, ListToolsRequestSchema },
    ] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    // The SDK's low-level Server rather than McpServer: the tools are the catalog's, described by JSON Schema built
    // from it, not zod schemas registered once at start-up; they differ per caller and change on reload.
    const server = new Server(
      { name: 'kqlgate', version: packageVersion() },
      // listChanged: false — a stateless server has no stream to announce changes on (see the class comment).
      { capabilities: { tools: { listChanged: false } } },
    );
    server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.tools.list(principal) }));
    server.setRequestHandler(CallToolRequestSchema, (call) =>
      this.tools.call(principal, call.params.name, call.params.arguments ?? {}, { requestId, signal }),
    );
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(webRequest(request), { parsedBody: request.body });
      reply.status(response.status);
      response.headers.forEach((value, key) => {
        reply.header(key, value);
      });
      const body = await response.text();
      return reply.send(body === '' ? undefined : body);
    } finally {
      await server.close();
    }
  }
}

/** MCP has no anonymous tools: an anonymous caller is refused like one without valid credentials. */
function requireCredentials(principal: Principal): void {
  if (principal.anonymous) {
    throw new AuthError(
      AuthErrorCode.Unauthenticated,
      `${MCP_ROUTE} requires authentication: send a bearer token or an API key`,
    );
  }
}

/** The request as the SDK's web-standard transport reads it: method, URL and headers (the body is parsed already). */
function webRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') {
      headers.set(name, value);
    } else if (Array.isArray(value)) {
      for (const item of value) {
        headers.append(name, item);
      }
    }
  }
  return new Request(`http://${request.host}${request.url}`, { method: request.method, headers });
}
