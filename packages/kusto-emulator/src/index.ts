/**
 * Public entry of @kqlgate/kusto-emulator: a Kusto-compatible engine — Kusto REST v1/v2 queries, management commands
 * and streaming ingestion — on DuckDB, for the real azure-kusto-data / azure-kusto-ingest SDKs. Other entry points:
 * `./compiler` (the KQL → DuckDB compiler alone), `./compiler-thread-server` (serving compile requests in a thread
 * a host starts) and `./cli` (the `kusto-emulator` command line).
 */
export {
  DEFAULT_MAX_INGEST_BODY_BYTES,
  DEFAULT_MEMORY_LIMIT,
  startKustoEmulator,
  type KustoEmulatorOptions,
  type RunningKustoEmulator,
} from './kusto-emulator.js';
export {
  connectCompilerThread,
  startCompilerThread,
  type CompilerThread,
  type CompilerThreadOptions,
} from './query/compiler-thread.js';
export type { QueryCompiler, QueryCompilerLoader } from './query/query-compiler.js';
export { DEFAULT_METRIC_PREFIX, type EngineMetricsOptions } from './protocol/engine-metrics.js';
export { silentLogger, type Logger } from './logging/logger.js';
export type { DataManagementOptions } from './dm/data-management.js';
export type { AzuritePorts } from './dm/azurite-process.js';
