/**
 * The Kusto-compatible engine: Kusto REST v1/v2, control commands and streaming ingestion over DuckDB files in
 * `dataDir` (one per database). Run by the `kusto-emulator` command (cli/), by kqlgate's `npm start` and
 * `kqlgate emulator kusto`, and by every test that runs the real azure-kusto-data / azure-kusto-ingest SDKs.
 *
 *   HTTP (protocol/kusto-http-server.ts)
 *     ├─ /v2|v1/rest/query → query/query-executor.ts → compiler (loaded on first query) → DuckDB reader
 *     │                      (listed in query/running-queries.ts: servertimeout, .cancel query, close)
 *     ├─ /v1/rest/mgmt     → @kqlgate/kql-language parser (mgmt/command-parser.ts) → mgmt/command-executor.ts
 *     │                      (`.get ingestion resources`, `.get kusto identity token` → dm/, when enabled)
 *     └─ /v1/rest/ingest   → ingest/data-ingestion.ts ─┐
 *                            .ingest / .set-or-append ─┴→ ingest/ingestion-service.ts (one transaction,
 *                                                          update policies, extent tags) → DuckDB writer
 *   dm/ (optional): queued ingestion — Azurite storage + a poller feeding the same ingestion path (dm/data-management.ts)
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setCompilerLogger } from './compiler/compiler-log.js';
import { ExternalDataReader } from './external/external-data-reader.js';
import { ExternalFileFetcher } from './external/external-file-fetcher.js';
import { IngestionService } from './ingest/ingestion-service.js';
import { silentLogger, type Logger } from './logging/logger.js';
import { CommandExecutor } from './mgmt/command-executor.js';
import { EngineMetrics, type EngineMetricsOptions } from './protocol/engine-metrics.js';
import { KustoHttpServer } from './protocol/kusto-http-server.js';
import { StreamingIngestThrottle } from './protocol/streaming-ingest-throttle.js';
import { loadKqlCompiler } from './query/compiler-loader.js';
import type { QueryCompilerLoader } from './query/query-compiler.js';
import { compileQuery, QueryExecutor } from './query/query-executor.js';
import { KustoEngineError, KustoErrorCode } from './errors/kusto-engine-error.js';
import { RunningQueries } from './query/running-queries.js';
import { DatabaseRegistry } from './storage/database-registry.js';
import { WARM_UP_QUERY } from './query/warm-up-query.js';
import type { AzuritePorts } from './dm/azurite-process.js';
import {
  startDataManagement,
  type DataManagementOptions,
  type RunningDataManagement,
} from './dm/data-management.js';

export const DEFAULT_MAX_INGEST_BODY_BYTES = 64 * 1024 * 1024;
/**
 * Enough for the demo's data and the bundled functions with room to spare, while a runaway query stays far from
 * taking the machine: DuckDB's own default is 80% of RAM.
 */
export const DEFAULT_MEMORY_LIMIT = '1GB';
/** How long close() waits for stopped queries to end their DuckDB work before closing the databases. */
const CLOSE_QUERY_WAIT_MS = 5_000;

export interface KustoEmulatorOptions {
  /** Bind address; default 127.0.0.1. */
  host?: string;
  /** 0 = any free port. */
  port: number;
  /** Directory of the DuckDB files (created if missing). */
  dataDir: string;
  /** Created at start if missing; default ['analytics']. */
  databases?: string[];
  /** Largest accepted ingestion body after decompression (streaming and `.ingest inline`); default 64 MiB. */
  maxIngestBodyBytes?: number;
  /**
   * Streaming ingestion requests handled at once; more are answered 429 (throttled), as ADX does over its streaming
   * capacity (about six per core), so that clients' throttling paths — ManagedStreamingIngestClient's fallback to
   * queued ingestion — can be rehearsed. Default: no limit.
   */
  maxConcurrentStreamingIngests?: number;
  /** Where the engine logs; default: nowhere. */
  logger?: Logger;
  /**
   * Where the in-process KQL compiler logs (each newly compiled query, at debug level); default: nowhere. One per
   * process (the compiler is a module): the last engine started with one sets it.
   */
  compilerLogger?: Logger;
  /** Registry and name prefix of the engine's Prometheus metrics; default prom-client's, `kusto_emulator_`. */
  metrics?: EngineMetricsOptions;
  /**
   * Replaces the KQL compiler: a compiler thread's (`startCompilerThread().loader`), or a double in tests of the
   * engine's own behaviour; default: the compiler of compiler/, in this thread, loaded on first use.
   */
  compilerLoader?: QueryCompilerLoader;
  /**
   * DuckDB memory limit of each database (shared by its queries and ingestions), e.g. `1GB`; default
   * DEFAULT_MEMORY_LIMIT. A query that needs more fails with a Kusto E_LOW_MEMORY_CONDITION error.
   */
  memoryLimit?: string;
  /**
   * Compile a small query right after start-up, in the background, so Kusto.Language's one-time start-up
   * (about a second of CPU) is paid before the first real command instead of by it. `npm start` turns it on for a
   * first start only: a restart that takes the catalog from its stored analysis needs no Kusto.Language before
   * the gateway listens.
   */
  warmUpCompiler?: boolean;
  /**
   * Serve ADX's data-management endpoint too (queued ingestion for azure-kusto-ingest's QueuedIngestClient and
   * ManagedStreamingIngestClient's fallback): starts Azurite (blob, queue and table storage, data under
   * `dataDir/azurite`) and a poller that ingests the queued blobs. Off by default: Azurite is a second process.
   */
  dataManagement?: DataManagementOptions | boolean;
  /**
   * The folder `file://` connection strings of external tables and `externaldata` may read from (itself and below);
   * unset: local files are refused, so a query cannot read arbitrary files of the engine's machine. Blobs are read
   * from any storage account, and the development account's cloud address from the engine's own Azurite.
   */
  externalDataRoot?: string;
}

export interface RunningKustoEmulator {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** With dataManagement: Azurite's ports (pass them as `dataManagement.storagePorts` to keep them on restart). */
  storagePorts?: AzuritePorts;
  /** Resolves once the background compiler warm-up (warmUpCompiler) is done; at once without one. */
  warmedUp: Promise<void>;
  close(): Promise<void>;
}

export async function startKustoEmulator(options: KustoEmulatorOptions): Promise<RunningKustoEmulator> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  if (options.compilerLogger) {
    setCompilerLogger(options.compilerLogger);
  }
  const loadCompiler = options.compilerLoader ?? loadKqlCompiler;
  const maxIngestBodyBytes = options.maxIngestBodyBytes ?? DEFAULT_MAX_INGEST_BODY_BYTES;
  const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  const registry = await DatabaseRegistry.create(
    options.dataDir,
    async () => (await loadCompiler()).duckDbSetupSql(),
    { memoryLimit },
  );
  try {
    for (const name of options.databases ?? ['analytics']) {
      await registry.create(name, true);
    }
  } catch (error) {
    await registry.closeAll();
    throw error;
  }
  const ingestion = new IngestionService(loadCompiler);
  const running = new RunningQueries(logger);
  let dataManagement: RunningDataManagement | undefined;
  const externalData = new ExternalDataReader(
    new ExternalFileFetcher({
      cacheDir: join(options.dataDir, 'external-cache'),
      localRoot: options.externalDataRoot,
      azuriteBlobEndpoint: () => dataManagement?.storage.azurite.blobEndpoint,
    }),
  );
  const queries = new QueryExecutor(registry, loadCompiler, running, { memoryLimit, externalData });
  const metrics = new EngineMetrics(options.metrics);
  if (options.dataManagement) {
    dataManagement = await startDataManagement(
      options.dataManagement === true ? {} : options.dataManagement,
      {
        host,
        dataDir: options.dataDir,
        registry,
        ingestion,
        logger,
        onIngested: (database, table, rows) => metrics.ingestedRows.inc({ database, table }, rows),
      },
    ).catch(async (error: unknown) => {
      await registry.closeAll();
      throw error;
    });
  }
  const server = new KustoHttpServer({
    registry,
    ingestion,
    commands: new CommandExecutor(registry, ingestion, loadCompiler, running, queries),
    queries,
    logger,
    metrics,
    maxIngestBodyBytes,
    streamingThrottle: new StreamingIngestThrottle(options.maxConcurrentStreamingIngests),
    ingestionStorage: dataManagement?.storage,
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(options.port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await dataManagement?.close();
    await registry.closeAll();
    throw error;
  });
  const port = (server.server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}`;
  logger.info({ url, dataDir: options.dataDir, databases: registry.names() }, 'kusto emulator started');
  let closeRequested = false;
  const wanted = (): boolean => !closeRequested;
  // After the caller learned the engine is up (it may start sending while the warm-up runs).
  const warmedUp = options.warmUpCompiler
    ? new Promise<void>((resolve) =>
        setImmediate(() => void warmUpKqlCompiler(logger, loadCompiler, wanted).then(resolve)),
      )
    : Promise.resolve();
  // Then the query connections, in the background: the first queries (ingestion's dedup lookups) come in together,
  // and would otherwise each open and prepare one in turn.
  const background = options.warmUpCompiler
    ? warmedUp.then(() => (wanted() ? prepareReaders(registry, logger) : undefined))
    : Promise.resolve();
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    storagePorts: dataManagement?.storage.azurite.ports,
    warmedUp,
    close: () => {
      closing ??= (async () => {
        // The background work ends before the databases close: DuckDB work on a closing database (or a thread
        // torn down in the middle of it) can abort the process.
        closeRequested = true;
        // Running queries are stopped first, so that the server's close does not wait for them, and their DuckDB
        // work has ended before the databases close: a process cannot exit while DuckDB works in its thread pool.
        const stopped = running.stopAll(
          new KustoEngineError(
            KustoErrorCode.Unavailable,
            'The engine is shutting down; the query was stopped. Retry it once the engine is back.',
          ),
        );
        if (stopped > 0) {
          logger.info({ stopped }, 'stopped the running queries');
        }
        await background;
        await server.close();
        // The poller ends its ingestion in hand before the databases close.
        await dataManagement?.close();
        if (!(await running.idle(CLOSE_QUERY_WAIT_MS))) {
          logger.warn(
            { queries: running.list().map((q) => q.clientActivityId), waitedMs: CLOSE_QUERY_WAIT_MS },
            'a stopped query has not ended its DuckDB work yet (DuckDB checks for interrupts between chunks of rows); closing anyway',
          );
        }
        await registry.closeAll();
        logger.info({ url }, 'kusto emulator stopped');
      })();
      return closing;
    },
  };
}

async function prepareReaders(registry: DatabaseRegistry, logger: Logger): Promise<void> {
  const started = performance.now();
  try {
    for (const name of registry.names()) {
      await (await registry.get(name)).prepareReaders();
    }
    logger.debug({ ms: Math.round(performance.now() - started) }, 'query connections prepared');
  } catch (error) {
    // Only latency is at stake: a query prepares its connection itself when it gets one.
    logger.warn({ err: error }, 'preparing the query connections failed');
  }
}

/**
 * Loads the KQL compiler and compiles a small query, paying Kusto.Language's one-time start-up (over a second of
 * CPU) before the first real command. With a compiler thread (query/compiler-thread.ts) the query is compiled
 * there, and this resolves when it has. `stillWanted` is asked once the compiler is loaded, before
 * the analysis.
 */
export async function warmUpKqlCompiler(
  logger: Logger = silentLogger,
  loadCompiler: QueryCompilerLoader = loadKqlCompiler,
  stillWanted: () => boolean = () => true,
): Promise<void> {
  const started = performance.now();
  try {
    const compiler = await loadCompiler();
    if (!stillWanted()) {
      // The host gave up on this engine meanwhile (a thread discarded before its start): skip the second of CPU.
      return;
    }
    await compileQuery(compiler, WARM_UP_QUERY, { name: 'warm-up', tables: [], functions: [] });
    logger.debug({ ms: Math.round(performance.now() - started) }, 'KQL compiler warmed up');
  } catch (error) {
    // Only the start-up time is at stake: the first real query loads the compiler again and reports its error.
    logger.warn({ err: error }, 'KQL compiler warm-up failed');
  }
}
