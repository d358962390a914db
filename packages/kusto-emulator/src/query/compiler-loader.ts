/**
 * Loads the KQL → DuckDB compiler on first use (it pulls in Kusto.Language, which takes about a second to
 * parse), so the engine starts without it and only the first query pays.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { KustoScalarType } from '../compiler/compiler-types.js';
import { memoizeLoader, type QueryCompiler, type QueryCompilerLoader } from './query-compiler.js';

/**
 * The setup runs once per connection, so its macros belong in the connection's TEMP catalog: persistent
 * macros would be written into every user database file, and two connections creating them at once can
 * hit a catalog write-write conflict with a concurrent `.create table`.
 */
export function asTempMacro(sql: string): string {
  return sql.replace(/^\s*CREATE\s+OR\s+REPLACE\s+MACRO\b/i, 'CREATE OR REPLACE TEMP MACRO');
}

export const loadKqlCompiler: QueryCompilerLoader = memoizeLoader(async (): Promise<QueryCompiler> => {
  const compiler = await import('../compiler/kql-compiler.js');
  return {
    compileKql: (kql, database, parameters, options) =>
      compiler.compileKql(kql, database, parameters, options),
    duckDbSetupSql: () => compiler.duckDbSetupSql().map(asTempMacro),
    cellDecoder: (type: KustoScalarType) => (value: DuckDBValue) => compiler.decodeCell(value, type),
  };
});
