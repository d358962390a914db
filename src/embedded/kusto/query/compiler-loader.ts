/**
 * Loads the KQL → DuckDB compiler on first use (it pulls in Kusto.Language, which takes about a second to
 * parse), so the engine starts without it and only the first query pays.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { KustoScalarType } from '../compiler/compiler-types.js';
import { memoizeLoader, type QueryCompiler, type QueryCompilerLoader } from './query-compiler.js';

export const loadKqlCompiler: QueryCompilerLoader = memoizeLoader(async (): Promise<QueryCompiler> => {
  const compiler = await import('../compiler/kql-compiler.js');
  return {
    compileKql: (kql, database, parameters, options) =>
      compiler.compileKql(kql, database, parameters, options),
    duckDbSetupSql: () => compiler.duckDbSetupSql(),
    cellDecoder: (type: KustoScalarType) => (value: DuckDBValue) => compiler.decodeCell(value, type),
  };
});
