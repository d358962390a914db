import { DOUBLE, type DuckDBType } from '@duckdb/node-api';

/**
 * Explicit DuckDB types where inference would get a value wrong: node-api binds a whole JS number as INTEGER or
 * BIGINT, and `real(1e308)` (a whole number to JavaScript) does not fit a BIGINT. Numbers are reals here — longs
 * come as bigint — so every number is bound as DOUBLE; the SQL casts each parameter to its Kusto type anyway.
 */
export function parameterTypes(parameters: readonly unknown[]): DuckDBType[] | undefined {
  // An entry left undefined is inferred from its value as before (DuckDBPreparedStatement.bind binds
  // `types[i] ?? typeForValue(values[i])`); the declared type only lacks the `| undefined`.
  return parameters.some((p) => typeof p === 'number')
    ? (parameters.map((p) => (typeof p === 'number' ? DOUBLE : undefined)) as DuckDBType[])
    : undefined;
}
