/**
 * The Kusto REST surface (protocols/kusto-rest.md) on node:http. node:http rather than Fastify because the
 * engine needs raw control of request bodies — gzip streaming ingestion with a limit on the *decompressed*
 * size, JSON bodies of any content type — and nothing else Fastify offers; it also starts in no time.
 *
 * Every handler is one line into the executor/ingestion code; this file only reads bodies, frames results
 * and translates errors.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Logger } from '../logging/logger.js';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import { asKustoEngineError, toOneApiError } from '../errors/kusto-error.translator.js';
import { ingestData } from '../ingest/data-ingestion.js';
import type { IngestionService } from '../ingest/ingestion-service.js';
import type { CommandExecutor } from '../mgmt/command-executor.js';
import type { QueryExecutor } from '../query/query-executor.js';
import { parseRequestProperties } from '../query/request-properties.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import { executeDataManagementCommand, isDataManagementCommand } from '../dm/data-management-commands.js';
import type { IngestionStorage } from '../dm/ingestion-storage.js';
import type { EngineMetrics } from './engine-metrics.js';
import type { StreamingIngestThrottle } from './streaming-ingest-throttle.js';
import { v1MgmtResponse, v1QueryResponse } from './v1-response.js';
import { v2Frames } from './v2-response.js';

export interface KustoHttpServerDeps {
  registry: DatabaseRegistry;
  commands: CommandExecutor;
  queries: QueryExecutor;
  ingestion: IngestionService;
  logger: Logger;
  metrics: EngineMetrics;
  maxIngestBodyBytes: number;
  /** Streaming ingestion capacity: requests over it are answered 429. */
  streamingThrottle: StreamingIngestThrottle;
  /** The data-management endpoint's storage, when it runs (queued ingestion); see dm/. */
  ingestionStorage?: IngestionStorage;
}

type Endpoint = 'query-v2' | 'query-v1' | 'mgmt' | 'ingest' | 'metadata' | 'other';

interface RequestContext {
  clientRequestId: string;
  activityId: string;
}

const INGEST_PATH = /^\/v1\/rest\/ingest\/([^/]+)\/([^/]+)\/?$/;
/** Query/command JSON bodies: `.ingest inline` carries data, so allow the ingestion limit plus headroom. */
const JSON_BODY_HEADROOM = 1024 * 1024;

class BodyTooLarge extends Error {}

/** Reads (and decompresses) a body up to `limit` bytes; past it, drains the rest so the client gets our answer. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
  let stream: NodeJS.ReadableStream = request;
  if (encoding === 'gzip') {
    stream = request.pipe(createGunzip());
  } else if (encoding === 'deflate') {
    stream = request.pipe(createInflate());
  } else if (encoding !== '' && encoding !== 'identity') {
    throw KustoEngineError.badRequest(
      `Unsupported Content-Encoding '${encoding}'; send gzip, deflate or no encoding.`,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = false;
  try {
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > limit) {
        tooLarge = true;
        chunks.length = 0;
        continue;
      }
      if (!tooLarge) {
        chunks.push(buffer);
      }
    }
  } catch (error) {
    if (tooLarge) {
      throw new BodyTooLarge();
    }
    throw KustoEngineError.badData(
      `The request body could not be read as ${encoding || 'plain'} data: ${(error as Error).message}`,
    );
  }
  if (tooLarge) {
    throw new BodyTooLarge();
  }
  return Buffer.concat(chunks);
}

async function drain(request: IncomingMessage): Promise<void> {
  if (request.readableEnded || request.destroyed) {
    return;
  }
  request.resume();
  await new Promise<void>((resolve) => {
    request.once('end', resolve);
    request.once('close', resolve);
    request.once('error', () => resolve());
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class KustoHttpServer {
  readonly server: Server;
  private closing = false;

  constructor(private readonly deps: KustoHttpServerDeps) {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    this.server.keepAliveTimeout = 65_000;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const context: RequestContext = {
      clientRequestId: header(request, 'x-ms-client-request-id') ?? `KQLGATE.${randomUUID()}`,
      activityId: randomUUID(),
    };
    const url = new URL(request.url ?? '/', 'http://localhost');
    const endpoint = this.endpointOf(request.method ?? 'GET', url.pathname);
    let status = 200;
    try {
      const body = await this.route(endpoint, request, url, context);
      this.send(response, 200, body, context);
    } catch (error) {
      if (endpoint === 'metadata') {
        status = 404;
        this.send(
          response,
          404,
          {
            error: {
              code: 'NotFound',
              message: 'Cloud metadata is not served by the embedded engine; use public-cloud defaults.',
            },
          },
          context,
        );
        return;
      }
      const engineError =
        error instanceof BodyTooLarge
          ? new KustoEngineError(
              KustoErrorCode.PayloadTooLarge,
              `Request body exceeds the limit of ${this.deps.maxIngestBodyBytes} bytes (after decompression); nothing was ingested. Split the data into smaller batches.`,
              { limit: this.deps.maxIngestBodyBytes },
            )
          : asKustoEngineError(error, context.activityId);
      // Answer only once the client has finished sending, or it sees a reset instead of our error.
      await drain(request);
      const translated = toOneApiError(engineError, context);
      status = translated.status;
      const log = {
        endpoint,
        path: url.pathname,
        status,
        code: engineError.code,
        clientRequestId: context.clientRequestId,
        err: engineError.message,
      };
      // What the client was not told (DuckDB's text, which quotes the compiled SQL) is logged: debug for errors the
      // client caused, error for the engine's own failures.
      const cause = engineError.cause ?? (error === engineError ? undefined : error);
      if (engineError.code === KustoErrorCode.Internal) {
        this.deps.logger.error(
          {
            ...log,
            cause: (cause as Error | undefined)?.message,
            stack: (cause as Error | undefined)?.stack,
          },
          'kusto request failed',
        );
      } else {
        this.deps.logger.debug(
          cause ? { ...log, cause: (cause as Error).message } : log,
          'kusto request rejected',
        );
      }
      this.send(response, status, translated.body, context);
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.deps.metrics.requestDuration.observe({ endpoint, status: String(status) }, seconds);
      this.deps.logger.debug(
        {
          endpoint,
          path: url.pathname,
          status,
          ms: Math.round(seconds * 1000),
          clientRequestId: context.clientRequestId,
        },
        'kusto request',
      );
    }
  }

  private endpointOf(method: string, path: string): Endpoint {
    if (method === 'GET' && path === '/v1/rest/auth/metadata') {
      return 'metadata';
    }
    if (method !== 'POST') {
      return 'other';
    }
    switch (path) {
      case '/v2/rest/query':
        return 'query-v2';
      case '/v1/rest/query':
        return 'query-v1';
      case '/v1/rest/mgmt':
        return 'mgmt';
      default:
        return INGEST_PATH.test(path) ? 'ingest' : 'other';
    }
  }

  private async route(
    endpoint: Endpoint,
    request: IncomingMessage,
    url: URL,
    context: RequestContext,
  ): Promise<unknown> {
    switch (endpoint) {
      case 'metadata':
        throw KustoEngineError.notFound('Resource', url.pathname);
      case 'query-v2':
      case 'query-v1':
      case 'mgmt':
        return this.handleJsonRequest(endpoint, request, context);
      case 'ingest':
        return this.handleIngest(request, url);
      case 'other':
        throw new KustoEngineError(
          KustoErrorCode.BadRequest,
          `${request.method ?? 'GET'} ${url.pathname} is not a Kusto REST endpoint of this engine (POST /v2/rest/query, /v1/rest/query, /v1/rest/mgmt, /v1/rest/ingest/{db}/{table}).`,
        );
      default: {
        const unreachable: never = endpoint;
        throw new Error(`unhandled endpoint ${String(unreachable)}`);
      }
    }
  }

  private async handleJsonRequest(
    endpoint: 'query-v2' | 'query-v1' | 'mgmt',
    request: IncomingMessage,
    context: RequestContext,
  ): Promise<unknown> {
    const raw = await readBody(request, this.deps.maxIngestBodyBytes + JSON_BODY_HEADROOM);
    let payload: { db?: unknown; csl?: unknown; properties?: unknown };
    try {
      payload = JSON.parse(raw.toString('utf8')) as typeof payload;
    } catch {
      throw KustoEngineError.badRequest(
        'The request body must be JSON: {"db": "<database>", "csl": "<query or command>", "properties": {…}}.',
      );
    }
    if (
      typeof payload !== 'object' ||
      payload === null ||
      typeof payload.csl !== 'string' ||
      payload.csl.trim() === ''
    ) {
      throw KustoEngineError.badRequest(
        'The request body must have a non-empty "csl" string (the query or command text).',
      );
    }
    if (typeof payload.db !== 'string' || payload.db === '') {
      throw KustoEngineError.badRequest('The request body must name the database in "db".');
    }
    const csl = payload.csl.trim();
    const isCommand = csl.startsWith('.');
    if (endpoint === 'mgmt') {
      if (!isCommand) {
        throw KustoEngineError.badRequest(
          `The management endpoint (/v1/rest/mgmt) runs control commands starting with '.'; send queries to /v2/rest/query.`,
        );
      }
      if (isDataManagementCommand(csl)) {
        return v1MgmtResponse(executeDataManagementCommand(csl, this.deps.ingestionStorage));
      }
      const table = await this.deps.commands.execute(csl, {
        databaseName: payload.db,
        request: {
          clientRequestId: context.clientRequestId,
          activityId: context.activityId,
          application: header(request, 'x-ms-app') ?? '',
        },
        maxIngestBodyBytes: this.deps.maxIngestBodyBytes,
      });
      return v1MgmtResponse(table);
    }
    if (isCommand) {
      throw KustoEngineError.badRequest(
        `Control commands (starting with '.') go to the management endpoint /v1/rest/mgmt, not the query endpoint.`,
      );
    }
    const properties = parseRequestProperties(payload.properties);
    const result = await this.deps.queries.execute(payload.db, csl, properties, {
      clientRequestId: context.clientRequestId,
      activityId: context.activityId,
      application: header(request, 'x-ms-app') ?? '',
    });
    if (endpoint === 'query-v1') {
      if (result.partialError) {
        throw result.partialError;
      }
      return v1QueryResponse(result.tables, context.clientRequestId, context.activityId);
    }
    return v2Frames({
      tables: result.tables,
      clientRequestId: context.clientRequestId,
      activityId: context.activityId,
      errors: result.partialError ? [toOneApiError(result.partialError, context).body] : undefined,
    });
  }

  private async handleIngest(request: IncomingMessage, url: URL): Promise<unknown> {
    const [, dbPart, tablePart] = INGEST_PATH.exec(url.pathname) as RegExpExecArray;
    const databaseName = decodeURIComponent(dbPart);
    const tableName = decodeURIComponent(tablePart);
    this.deps.streamingThrottle.acquire(databaseName, tableName);
    try {
      return await this.ingestStream(request, url, databaseName, tableName);
    } finally {
      this.deps.streamingThrottle.release();
    }
  }

  private async ingestStream(
    request: IncomingMessage,
    url: URL,
    databaseName: string,
    tableName: string,
  ): Promise<unknown> {
    if ((url.searchParams.get('sourceKind') ?? '').toLowerCase() === 'uri') {
      await readBody(request, JSON_BODY_HEADROOM).catch(() => undefined);
      throw KustoEngineError.notSupported(
        'Streaming ingestion from a blob URL (sourceKind=uri) is not supported by the embedded engine; send the data in the request body.',
      );
    }
    const database = await this.deps.registry.get(databaseName);
    // Validate the target before reading a possibly large body.
    database.table(tableName);
    const body = await readBody(request, this.deps.maxIngestBodyBytes);
    const result = await ingestData(this.deps.ingestion, database, {
      table: tableName,
      format: url.searchParams.get('streamFormat') ?? undefined,
      mappingName: url.searchParams.get('mappingName') ?? undefined,
      data: body.toString('utf8'),
    });
    this.deps.metrics.ingestedRows.inc({ database: databaseName, table: tableName }, result.rowCount);
    const status =
      result.policiesRun === 0 && result.policyFailures.length === 0
        ? 'Inactive'
        : result.policyFailures.length > 0
          ? 'Failed'
          : 'Succeeded';
    return {
      Tables: [
        {
          TableName: 'Table_0',
          Columns: [
            { ColumnName: 'ConsumedRecordsCount', DataType: 'Int64', ColumnType: 'long' },
            { ColumnName: 'UpdatePolicyStatus', DataType: 'String', ColumnType: 'string' },
            { ColumnName: 'UpdatePolicyFailureCode', DataType: 'String', ColumnType: 'string' },
            { ColumnName: 'UpdatePolicyFailureReason', DataType: 'String', ColumnType: 'string' },
          ],
          Rows: [
            [
              result.rowCount,
              status,
              result.policyFailures.length > 0 ? 'Failed' : 'Unknown',
              result.policyFailures.length > 0 ? result.policyFailures.map((f) => f.reason).join('; ') : null,
            ],
          ],
        },
      ],
    };
  }

  /** Stops accepting requests; in-flight ones finish, and their keep-alive sockets close after the answer. */
  close(): Promise<void> {
    this.closing = true;
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private send(response: ServerResponse, status: number, body: unknown, context: RequestContext): void {
    const text = JSON.stringify(body);
    if (this.closing) {
      response.setHeader('Connection', 'close');
    }
    response.writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'x-ms-client-request-id': context.clientRequestId,
      'x-ms-activity-id': context.activityId,
    });
    response.end(text);
  }
}
