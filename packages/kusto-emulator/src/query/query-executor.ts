/**
 * Runs a KQL query: compile against the database's current schema, execute each statement on a reader
 * connection, decode cells to Kusto JSON. Enforces ADX's result limits (500,000 records / 64 MB unless the
 * request says otherwise): past the limit the rows so far are returned with an in-band partial-result
 * error.
 *
 * Every query is listed in RunningQueries for its whole life. `servertimeout` counts from the request's arrival
 * (compilation included), and a timeout, a `.cancel query` or the engine's shutdown all stop it the same way: the
 * client is answered at once, and the DuckDB connection is interrupted. DuckDB stops at its next check between
 * chunks of rows; the query stays listed (`Cancelling`) until it has.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type {
  CompiledQuery,
  CompiledStatement,
  DatabaseSchema,
  ExternalSource,
  QueryParameterValues,
} from '../compiler/compiler-types.js';
import { KqlCompileError } from '../compiler/kql-compile-error.js';
import { fromDuckDbError, isDuckDbInterrupt } from '../errors/duckdb-error.translator.js';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import type { ExternalDataReader } from '../external/external-data-reader.js';
import { withObfuscatedLiterals } from '../logging/obfuscated-literals.js';
import type { ResultTable } from '../protocol/result-table.js';
import type { ExternalTableEntry } from '../storage/catalog-types.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import type { QueryCompiler, QueryCompilerLoader } from './query-compiler.js';
import { parameterTypes } from './parameter-types.js';
import type { RequestProperties } from './request-properties.js';
import type { RunningQueries, RunningQuery } from './running-queries.js';

export interface QueryResult {
  tables: ResultTable[];
  /** Set when a limit cut the result short (reported in-band, HTTP 200). */
  partialError?: KustoEngineError;
}

function withPrefix(prefix: string, message: string): string {
  return message.startsWith(prefix) ? message : `${prefix}: ${message}`;
}

/** The compiler's error codes as Kusto error kinds. */
export function fromCompileError(error: unknown): unknown {
  if (!(error instanceof KqlCompileError)) {
    return error;
  }
  const details = { ...error.details };
  switch (error.code) {
    case 'SYNTAX':
      return new KustoEngineError(KustoErrorCode.Syntax, withPrefix('Syntax error', error.message), details);
    case 'SEMANTIC':
    case 'PARAMETER':
      return new KustoEngineError(
        KustoErrorCode.Semantic,
        withPrefix('Semantic error', error.message),
        details,
      );
    case 'UNSUPPORTED':
      return new KustoEngineError(KustoErrorCode.NotSupported, error.message, details);
    default:
      return new KustoEngineError(KustoErrorCode.Semantic, error.message, details);
  }
}

function approximateSize(value: unknown): number {
  if (value === null || value === undefined) {
    return 4;
  }
  if (typeof value === 'string') {
    return value.length + 2;
  }
  if (typeof value === 'object') {
    return JSON.stringify(value).length;
  }
  return 8;
}

function formatTimeout(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** Compiles with the compiler's errors translated to Kusto errors (syntax/semantic, with line:column). */
export async function compileQuery(
  compiler: QueryCompiler,
  kql: string,
  schema: DatabaseSchema,
  parameters?: QueryParameterValues,
): Promise<CompiledQuery> {
  try {
    return await compiler.compileKql(kql, schema, parameters, { now: new Date() });
  } catch (error) {
    throw fromCompileError(error);
  }
}

/**
 * Refuses external data where a compiled query runs outside a query request (update policies, `.set-or-append`):
 * those paths run the SQL on the writer connection without preparing external sources.
 */
export function assertNoExternalSources(compiled: CompiledQuery, where: string): void {
  if (compiled.externalSources && compiled.externalSources.length > 0) {
    throw KustoEngineError.notSupported(
      `${where} cannot read external data (external_table(), externaldata) on the embedded engine; query it instead.`,
    );
  }
}

const INTERRUPT_REPEAT_MS = 100;

/** Who asked: the request's ids, for `.show running queries` and `.cancel query`. */
export interface QueryContext {
  clientRequestId: string;
  activityId: string;
  application?: string;
}

export interface QueryExecutorOptions {
  /** The DuckDB memory limit as configured, for the message of a query that exceeds it. */
  memoryLimit?: string;
  /** Reads `external_table()` and `externaldata` sources; without one, queries using them are refused. */
  externalData?: ExternalDataReader;
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts (leaving `work` to finish alone). */
function untilStopped<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function timeoutError(serverTimeoutMs: number): KustoEngineError {
  return new KustoEngineError(
    KustoErrorCode.Timeout,
    `Query execution has exceeded the allowed limits: servertimeout ${formatTimeout(serverTimeoutMs)} elapsed and the query was cancelled.`,
  );
}

export class QueryExecutor {
  constructor(
    private readonly registry: DatabaseRegistry,
    private readonly loadCompiler: QueryCompilerLoader,
    private readonly running: RunningQueries,
    private readonly options: QueryExecutorOptions = {},
  ) {}

  async execute(
    databaseName: string,
    csl: string,
    properties: RequestProperties,
    context: QueryContext,
  ): Promise<QueryResult> {
    const { options } = properties;
    const query = this.running.start({
      clientActivityId: context.clientRequestId,
      rootActivityId: context.activityId,
      database: databaseName,
      // As ADX shows queries: secrets in h'…' literals (externaldata URIs) hidden.
      text: withObfuscatedLiterals(csl),
      application: context.application ?? '',
      startedOn: new Date(),
    });
    const timer = setTimeout(
      () => query.stop(timeoutError(options.serverTimeoutMs)),
      options.serverTimeoutMs,
    );
    let work: Promise<QueryResult> | undefined;
    try {
      const database = await untilStopped(this.registry.get(databaseName), query.signal);
      const compiler = await untilStopped(this.loadCompiler(), query.signal);
      // Compilation runs in the compiler thread where there is one: the deadline holds while it runs.
      const compiled = await untilStopped(
        compileQuery(compiler, csl, database.schema(), properties.parameters),
        query.signal,
      );
      const maxRecords = options.noTruncation ? Number.POSITIVE_INFINITY : options.truncationMaxRecords;
      const maxSize = options.noTruncation ? Number.POSITIVE_INFINITY : options.truncationMaxSize;
      const { externalSources } = compiled;
      work = database.read(
        async (connection) => {
          if (externalSources) {
            await this.prepareExternal(connection, externalSources, database.catalog.externalTables);
          }
          return this.runStatements(connection, compiler, compiled.statements, query, maxRecords, maxSize);
        },
        { compiledSql: true },
      );
      return await untilStopped(work, query.signal);
    } catch (error) {
      if (query.signal.aborted) {
        throw query.signal.reason as KustoEngineError;
      }
      throw fromDuckDbError(error, { memoryLimit: this.options.memoryLimit });
    } finally {
      clearTimeout(timer);
      void this.running.finish(query, work);
    }
  }

  private async prepareExternal(
    connection: DuckDBConnection,
    sources: readonly ExternalSource[],
    externalTables: ReadonlyMap<string, ExternalTableEntry>,
  ): Promise<void> {
    if (!this.options.externalData) {
      throw new KustoEngineError(
        KustoErrorCode.NotSupported,
        'External data (external_table(), externaldata) is not available on this engine instance.',
      );
    }
    await this.options.externalData.prepare(connection, sources, externalTables);
  }

  private async runStatements(
    connection: DuckDBConnection,
    compiler: QueryCompiler,
    statements: readonly CompiledStatement[],
    query: RunningQuery,
    maxRecords: number,
    maxSize: number,
  ): Promise<QueryResult> {
    // The connection may have come from the pool after the query was stopped (all readers were busy).
    if (query.signal.aborted) {
      throw query.signal.reason as Error;
    }
    // DuckDB clears a connection's interrupt flag when a statement starts executing, so an interrupt that lands
    // while the statement is still being prepared is lost: once stopped, interrupt again until the work has ended.
    let reinterrupt: NodeJS.Timeout | undefined;
    const interrupt = (): void => {
      connection.interrupt();
      reinterrupt = setInterval(() => connection.interrupt(), INTERRUPT_REPEAT_MS);
    };
    query.signal.addEventListener('abort', interrupt, { once: true });
    try {
      const tables: ResultTable[] = [];
      for (const statement of statements) {
        const { table, partialError } = await this.runStatement(
          connection,
          compiler,
          statement,
          maxRecords,
          maxSize,
          query.signal,
        );
        tables.push(table);
        if (partialError) {
          return { tables, partialError };
        }
      }
      return { tables };
    } catch (error) {
      if (query.signal.aborted && (isDuckDbInterrupt(error) || error === query.signal.reason)) {
        throw query.signal.reason as Error;
      }
      throw error;
    } finally {
      query.signal.removeEventListener('abort', interrupt);
      clearInterval(reinterrupt);
    }
  }

  private async runStatement(
    connection: DuckDBConnection,
    compiler: QueryCompiler,
    statement: CompiledStatement,
    maxRecords: number,
    maxSize: number,
    signal: AbortSignal,
  ): Promise<{ table: ResultTable; partialError?: KustoEngineError }> {
    const decoders = statement.resultSchema.map((c) => compiler.cellDecoder(c.type));
    const result = await connection.stream(
      statement.sql,
      statement.parameters as DuckDBValue[],
      parameterTypes(statement.parameters),
    );
    const rows: unknown[][] = [];
    let size = 0;
    for (;;) {
      // Decoding runs in this thread between chunks: a stopped query stops here too.
      if (signal.aborted) {
        throw signal.reason as Error;
      }
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) {
        break;
      }
      for (const raw of chunk.getRows()) {
        if (rows.length >= maxRecords) {
          return {
            table: { name: 'PrimaryResult', columns: statement.resultSchema, rows },
            partialError: new KustoEngineError(
              KustoErrorCode.Semantic,
              `Query result set has exceeded the internal record count limit ${maxRecords} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits). Use the notruncation or truncationmaxrecords request option, or reduce the result.`,
            ),
          };
        }
        const row = new Array<unknown>(decoders.length);
        for (let i = 0; i < decoders.length; i += 1) {
          const cell = decoders[i](raw[i]);
          row[i] = cell;
          size += approximateSize(cell);
        }
        if (size > maxSize) {
          return {
            table: { name: 'PrimaryResult', columns: statement.resultSchema, rows },
            partialError: new KustoEngineError(
              KustoErrorCode.Semantic,
              `Query result set has exceeded the internal data size limit ${maxSize} (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits). Use the notruncation or truncationmaxsize request option, or reduce the result.`,
            ),
          };
        }
        rows.push(row);
      }
    }
    return { table: { name: 'PrimaryResult', columns: statement.resultSchema, rows } };
  }
}
