import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type {
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  GraphQLError as GraphQLErrorType,
  GraphQLFormattedError,
} from 'graphql';
import type { Context, SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createLogger } from '../../common/logging/logger.js';
import { EnvConfig } from '../../config/env.dto.js';
import type { Principal } from '../auth/principal.js';
import { CatalogSchemaGateway } from '../graphql/catalog-schema.gateway.js';
import { GraphqlOptionsFactory } from '../graphql/graphql-options.factory.js';
import { graphqlJs } from '../graphql/graphql-runtime.js';
import { SubscriptionsOnlyRule } from '../graphql/known-operation-types.rule.js';
import { queryLimitsFormatError, checkOperationLimits } from '../graphql/query-limits.js';
import { queryLimitsRule, type DocumentMeasures } from '../graphql/query-limits.rule.js';
import type { LiveSubscriptionContext } from '../graphql/schema-builder.js';
import { TrustedDocumentRegistry } from '../graphql/trusted-document.registry.js';
import { trustedDocumentsRule } from '../graphql/trusted-documents.rule.js';
import { describeError } from '../query/error-status.js';
import type { FunctionVisibility } from '../query/function-visibility.js';
import type { RequestAuthenticator } from '../auth/request-authenticator.js';
import { REQUEST_AUTHENTICATOR } from '../query/query-hooks.js';
import { GraphqlWsConnection, GraphqlWsSink } from './graphql-ws.sink.js';
import { LiveCloseCode } from './live-close.js';
import { LiveResultsService, tokenExpiresAtMs } from './live-results.service.js';
import { LiveShutdownHook } from './live-shutdown.hook.js';

const { GraphQLError, getOperationAST, parse, specifiedRules, subscribe, validate } = graphqlJs;

/** The path of GraphQL over HTTP, and of its subscriptions over WebSocket. */
export const GRAPHQL_WS_PATH = '/graphql';
/** A close reason may hold at most 123 bytes (RFC 6455 §5.5: a control frame's payload is at most 125). */
const MAX_CLOSE_REASON_BYTES = 123;
/** A subscription document is small; a larger message is refused by ws with close code 1009. */
const MAX_MESSAGE_BYTES = 256 * 1024;

/** What a connection keeps once `connection_init` is accepted. */
interface ConnectionState {
  principal?: Principal;
  connection?: GraphqlWsConnection;
  [key: string]: unknown;
}
type WsContext = Context<Record<string, unknown> | undefined, Extra & Partial<ConnectionState>>;

/**
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol, `graphql-transport-ws`) on the gateway's own HTTP
 * server at `/graphql`, upgrades only. @nestjs/graphql's own subscription wiring takes one schema when the server
 * starts, and the catalog's schema is swapped at run time (CatalogSchemaGateway), so graphql-ws's server runs here
 * on `ws`, on the schema Apollo serves at the moment each subscription starts. A swap leaves running subscriptions
 * alone: LiveResultsService ends those whose function went (FUNCTION_REMOVED) or may no longer be called (FORBIDDEN).
 *
 * - `connection_init`'s payload carries the credentials (`Authorization: Bearer …` or `x-api-key`), checked by the
 *   one authentication step of HTTP calls; a refusal closes the socket with 4000 + the HTTP status and the code.
 * - A `subscribe` is validated as an HTTP document is — trusted documents first, then graphql-js's rules and the
 *   document limits, then the operation's depth and cost — against the caller's schema (FUNCTION_VISIBILITY).
 * - Each subscription is a LiveResultsService subscription with a GraphqlWsSink: limits, claim binding, roles,
 *   token expiry, idle timeout and slow consumers are the SSE stream's.
 *
 * Every refusal and end is a graphql-ws `error` message whose errors carry `extensions.code`, or for an end of
 * the whole connection a close code (GraphqlWsSink). The Origin of browsers' upgrades is checked against
 * CORS_ORIGINS before any listener sees them (upgrade-origin.guard.ts).
 */
@Injectable()
export class GraphqlSubscriptionServer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = createLogger('live');
  private readonly visibility: FunctionVisibility;
  private readonly measures: DocumentMeasures = new WeakMap();
  private readonly formatLimitError: (
    formatted: GraphQLFormattedError,
    error: unknown,
  ) => GraphQLFormattedError;
  private wss?: WebSocketServer;

  constructor(
    private readonly live: LiveResultsService,
    private readonly shutdown: LiveShutdownHook,
    private readonly gateway: CatalogSchemaGateway,
    private readonly options: GraphqlOptionsFactory,
    private readonly trusted: TrustedDocumentRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: EnvConfig,
    @Inject(REQUEST_AUTHENTICATOR) private readonly authenticator: RequestAuthenticator,
  ) {
    this.visibility = config.functionVisibility;
    this.formatLimitError = queryLimitsFormatError(options.limits);
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    this.wss = wss;
    useServer<Record<string, unknown> | undefined, Partial<ConnectionState>>(
      {
        onConnect: (ctx) => this.connect(ctx),
        onSubscribe: (ctx, _id, payload) => this.prepare(ctx, payload),
        subscribe: (args) => subscribeOrFail(args),
        onError: (_ctx, _id, _payload, errors) => errors.map((error) => this.format(error)),
      },
      wss,
    );
    fastify.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(request.url ?? '/', 'http://localhost').pathname !== GRAPHQL_WS_PATH) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    });
    // Its connections end in the live module's one shutdown step, with the subscriptions they carry.
    this.shutdown.closeWithLiveResults(wss);
  }

  onApplicationShutdown(): void {
    for (const client of this.wss?.clients ?? []) {
      client.terminate();
    }
    this.wss?.close();
  }

  /** `connection_init`: authenticates the payload's credentials; a refusal closes the socket with its reason. */
  private async connect(ctx: WsContext): Promise<boolean> {
    const { request, socket } = ctx.extra;
    try {
      ctx.extra.principal = await this.authenticator.authenticate(
        credentialsOf(ctx.connectionParams),
        request.socket.remoteAddress,
        randomUUID(),
      );
    } catch (error) {
      const body = describeError(error);
      socket.close(4000 + body.status, closeReason(`${body.code}: ${body.message}`));
      return false;
    }
    ctx.extra.connection = new GraphqlWsConnection(socket, this.config.LIVE_BUFFER_BYTES);
    return true;
  }

  /** `subscribe`: the operation's execution arguments on the caller's schema, or why it is refused. */
  private prepare(ctx: WsContext, payload: SubscribePayload): ExecutionArgs | GraphQLErrorType[] {
    const { principal, connection } = ctx.extra;
    const schemas = this.gateway.current;
    if (!principal || !connection || !schemas) {
      return [new GraphQLError('the function catalog is not loaded yet; subscribe again in a moment')];
    }
    if (tokenExpiresAtMs(principal) <= Date.now()) {
      connection.close(LiveCloseCode.TokenExpired);
      return [
        new GraphQLError('the access token expired', { extensions: { code: LiveCloseCode.TokenExpired } }),
      ];
    }
    const schema = this.visibility === 'callable' ? schemas.schemaOf(principal) : schemas.full;
    let document: DocumentNode;
    try {
      document = parse(this.documentText(payload), { maxTokens: this.options.limits.maxTokens });
    } catch (error) {
      return [withCode(error, 'GRAPHQL_PARSE_FAILED')];
    }
    const errors = validate(schema, document, [
      // First, so an untrusted document is refused before it is validated or measured (trusted-documents.rule.ts).
      ...(this.trusted.trustedOnly ? [trustedDocumentsRule(this.trusted)] : []),
      ...specifiedRules,
      SubscriptionsOnlyRule,
      queryLimitsRule(this.options.limits, this.measures),
    ]);
    if (errors.length > 0) {
      return errors.map((error) => withCode(error, 'GRAPHQL_VALIDATION_FAILED'));
    }
    const operation = getOperationAST(document, payload.operationName);
    const measure = operation && this.measures.get(document)?.operations.get(operation);
    try {
      if (measure) {
        checkOperationLimits(measure, this.options.limits, operation);
      }
    } catch (error) {
      return [withCode(error, 'GRAPHQL_VALIDATION_FAILED')];
    }
    const contextValue: LiveSubscriptionContext = {
      principal,
      follow: async (fn, params) => {
        const sink = new GraphqlWsSink(connection);
        sink.attach(await this.live.open(principal, fn, params, sink, { requestId: randomUUID() }));
        return sink;
      },
    };
    return {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue,
    };
  }

  /** The document's text, or the registered document of a persisted-query hash. */
  private documentText(payload: SubscribePayload): string {
    if (payload.query) {
      return payload.query;
    }
    const hash = (payload.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const registered = typeof hash === 'string' ? this.trusted.get(hash) : undefined;
    if (registered === undefined) {
      throw new GraphQLError(
        'send the subscription document as `query`, or the sha256Hash of a registered one',
        {
          extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' },
        },
      );
    }
    return registered;
  }

  /** As Apollo formats an HTTP answer's errors: the code in `extensions`, Apollo's `http` hint left out. */
  private format(error: GraphQLErrorType): GraphQLFormattedError {
    const formatted = this.formatLimitError(
      error.toJSON(),
      new GraphQLError(error.message, { originalError: error }),
    );
    const { http: _http, ...extensions } = formatted.extensions ?? {};
    this.logger.debug({ code: extensions.code }, 'graphql-ws subscription refused or ended');
    return { ...formatted, extensions };
  }
}

/**
 * graphql-js answers a subscription whose `subscribe` threw (a refused call: auth, claims, limits) with a plain
 * result, which graphql-ws would send as a `next` and a `complete`; as a failing stream it becomes the `error`
 * message every other refusal and end is.
 */
async function subscribeOrFail(
  args: ExecutionArgs,
): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const result = await subscribe(args);
  if (Symbol.asyncIterator in result) {
    return result;
  }
  const [first] = result.errors ?? [];
  if (!first) {
    return result;
  }
  // eslint-disable-next-line @typescript-eslint/require-await, require-yield -- a stream failing before its first event
  return (async function* failing(): AsyncGenerator<ExecutionResult> {
    throw first;
  })();
}

/** `connection_init`'s payload as the request headers the authenticator reads (names in any case). */
function credentialsOf(params: Record<string, unknown> | undefined): {
  authorization?: string;
  'x-api-key'?: string;
} {
  const headers: { authorization?: string; 'x-api-key'?: string } = {};
  for (const [name, value] of Object.entries(params ?? {})) {
    const key = name.toLowerCase();
    if ((key === 'authorization' || key === 'x-api-key') && typeof value === 'string') {
      headers[key] = value;
    }
  }
  return headers;
}

function withCode(error: unknown, code: string): GraphQLErrorType {
  const graphqlError = error instanceof GraphQLError ? error : new GraphQLError(String(error));
  if (graphqlError.extensions.code !== undefined) {
    return graphqlError;
  }
  return new GraphQLError(graphqlError.message, {
    nodes: graphqlError.nodes,
    originalError: graphqlError.originalError,
    extensions: { ...graphqlError.extensions, code },
  });
}

/** `text` cut to the bytes a close frame may carry. */
function closeReason(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= MAX_CLOSE_REASON_BYTES
    ? text
    : `${bytes
        .subarray(0, MAX_CLOSE_REASON_BYTES - 3)
        .toString()
        .replace(/\uFFFD$/, '')}...`;
}
