/**
 * What the engine needs from the KQL → DuckDB compiler (src/embedded/kusto/compiler). The compiler — and
 * Kusto.Language, which it loads — is imported on first use through a loader, which keeps start-up fast.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type {
  CompiledQuery,
  CompileOptions,
  DatabaseSchema,
  KustoScalarType,
  QueryParameterValues,
} from '../compiler/compiler-types.js';

export interface QueryCompiler {
  /** Synchronous in this thread; a promise when the compiler runs in a thread of its own (compiler-thread.ts). */
  compileKql(
    kql: string,
    database: DatabaseSchema,
    parameters: QueryParameterValues | undefined,
    options: CompileOptions,
  ): CompiledQuery | Promise<CompiledQuery>;
  /** SQL run once on every DuckDB connection before compiled statements (macros, settings). */
  duckDbSetupSql(): readonly string[];
  /** Turns a DuckDB result value into the v2 JSON cell for a column of the given Kusto type. */
  cellDecoder(type: KustoScalarType): (value: DuckDBValue) => unknown;
}

export type QueryCompilerLoader = () => Promise<QueryCompiler>;

export function memoizeLoader(loader: QueryCompilerLoader): QueryCompilerLoader {
  let loaded: Promise<QueryCompiler> | undefined;
  return () => {
    loaded ??= loader().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}
