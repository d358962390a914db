/**
 * Loads the KQL → DuckDB compiler on first use (it pulls in Kusto.Language, ~1 s of parsing), so the engine
 * starts without it and the first query pays once.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import type { KustoScalarType } from '../compiler/compiler-types.js';
import type { QueryCompiler, QueryCompilerLoader } from './query-compiler.js';
import { memoizeLoader } from './query-compiler.js';

// Held in a variable until the compiler's entry module is committed; see COMPILER-REQUESTS.md.
const COMPILER_MODULE = '../compiler/kql-compiler.js';

export const loadKqlCompiler: QueryCompilerLoader = memoizeLoader(async (): Promise<QueryCompiler> => {
  const [compiler, setup, decoder] = await Promise.all([
    import(COMPILER_MODULE) as Promise<Partial<Pick<QueryCompiler, 'compileKql'>>>,
    import('../compiler/sql/duckdb-setup.js'),
    import('../compiler/result-decoder.js'),
  ]);
  const compileKql = compiler.compileKql;
  if (typeof compileKql !== 'function') {
    throw new Error(`${COMPILER_MODULE} does not export compileKql`);
  }
  return {
    compileKql,
    duckDbSetupSql: () => setup.duckDbSetupSql(),
    cellDecoder: (type: KustoScalarType) => (value: DuckDBValue) => decoder.decodeCell(value, type),
  };
});
