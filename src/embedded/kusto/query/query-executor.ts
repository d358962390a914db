/**
 * Runs a KQL query: compile against the database's current schema, execute each statement on a reader
 * connection, decode cells to Kusto JSON. Enforces ADX's result limits (500,000 records / 64 MB unless the
 * request says otherwise): past the limit the rows so far are returned with an in-band partial-result
 * error. `servertimeout` interrupts DuckDB.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type {
  CompiledQuery,
  CompiledStatement,
  DatabaseSchema,
  QueryParameterValues,
} from '../compiler/compiler-types.js';
import { KqlCompileError } from '../compiler/kql-compile-error.js';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import type { ResultTable } from '../protocol/result-table.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import type { QueryCompiler, QueryCompilerLoader } from './query-compiler.js';
import type { RequestProperties } from './request-properties.js';

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

export class QueryExecutor {
  constructor(
    private readonly registry: DatabaseRegistry,
    private readonly loadCompiler: QueryCompilerLoader,
  ) {}

  async execute(databaseName: string, csl: string, properties: RequestProperties): Promise<QueryResult> {
    const database = await this.registry.get(databaseName);
    const compiler = await this.loadCompiler();
    const compiled = await compileQuery(compiler, csl, database.schema(), properties.parameters);
    const { options } = properties;
    const maxRecords = options.noTruncation ? Number.POSITIVE_INFINITY : options.truncationMaxRecords;
    const maxSize = options.noTruncation ? Number.POSITIVE_INFINITY : options.truncationMaxSize;
    return database.read(
      async (connection) => {
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          connection.interrupt();
        }, options.serverTimeoutMs);
        try {
          const tables: ResultTable[] = [];
          for (const statement of compiled.statements) {
            const { table, partialError } = await this.runStatement(
              connection,
              compiler,
              statement,
              maxRecords,
              maxSize,
              () => timedOut,
            );
            tables.push(table);
            if (partialError) {
              return { tables, partialError };
            }
          }
          return { tables };
        } catch (error) {
          if (timedOut) {
            throw new KustoEngineError(
              KustoErrorCode.Timeout,
              `Query execution has exceeded the allowed limits: servertimeout ${formatTimeout(options.serverTimeoutMs)} elapsed and the query was cancelled.`,
            );
          }
          throw error;
        } finally {
          clearTimeout(timer);
        }
      },
      { compiledSql: true },
    );
  }

  private async runStatement(
    connection: DuckDBConnection,
    compiler: QueryCompiler,
    statement: CompiledStatement,
    maxRecords: number,
    maxSize: number,
    timedOut: () => boolean,
  ): Promise<{ table: ResultTable; partialError?: KustoEngineError }> {
    const decoders = statement.resultSchema.map((c) => compiler.cellDecoder(c.type));
    const result = await connection.stream(statement.sql, statement.parameters as DuckDBValue[]);
    const rows: unknown[][] = [];
    let size = 0;
    for (;;) {
      if (timedOut()) {
        throw new Error('interrupted');
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
