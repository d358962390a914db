/**
 * What is specific to DuckDB in the SQL we emit. Policy: the emitter writes generic SQL (SELECT … FROM
 * (subquery) AS t WHERE … GROUP BY … ORDER BY … LIMIT, CASE, CAST, window functions); the dialect only
 * supplies what SQL leaves open — type names, identifier quoting, parameter placeholders — and the few
 * DuckDB constructs we use because they are the only way or clearly faster:
 *
 * - `SEMI JOIN` / `ANTI JOIN` (https://duckdb.org/docs/sql/query_syntax/from#semi-and-anti-joins): the
 *   generic fallback is `WHERE [NOT] EXISTS`, which DuckDB plans the same but reads worse.
 * - `DISTINCT ON` (https://duckdb.org/docs/sql/query_syntax/select#distinct-on-clause) for the `innerunique`
 *   left side; generic fallback: `row_number() OVER (PARTITION BY keys) = 1`.
 * - `TRY_CAST` (https://duckdb.org/docs/sql/expressions/cast#try_cast) because Kusto conversions yield null on
 *   failure instead of raising.
 * - list/JSON functions for dynamic values and series (https://duckdb.org/docs/sql/functions/list).
 */
import type { KustoScalarType } from '../compiler-types.js';
import type { IrType } from '../ir/ir-node.js';

/**
 * Kusto type → DuckDB storage type, the single source of truth (storage, casts, parameters). Datetimes and
 * timespans are BIGINT 100 ns ticks (datetimes since 0001-01-01): see `../kusto-time.ts` and the compiler
 * README for why not TIMESTAMP/TIMESTAMP_NS/INTERVAL.
 */
const DUCKDB_TYPES: Record<KustoScalarType, string> = {
  bool: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  real: 'DOUBLE',
  decimal: 'DECIMAL(38,18)',
  string: 'VARCHAR',
  datetime: 'BIGINT',
  timespan: 'BIGINT',
  guid: 'UUID',
  dynamic: 'JSON',
};

/** The DuckDB column type the engine stores a Kusto column as; the compiler's SQL assumes exactly these. */
export function duckDbTypeOf(type: KustoScalarType): string {
  return DUCKDB_TYPES[type];
}

export const DuckDbDialect = {
  typeName(type: IrType): string {
    if (type === 'struct') {
      throw new Error('internal: struct values have no column type');
    }
    return DUCKDB_TYPES[type];
  },

  /**
   * The one audited place where text becomes part of SQL: identifiers are always double-quoted with
   * embedded quotes doubled, so any Kusto column or table name (`['my col']`, keywords) is safe.
   */
  quoteIdentifier(name: string): string {
    return `"${name.replace(/"/g, '""')}"`;
  },

  /** DuckDB numbers prepared-statement parameters from 1. */
  placeholder(index: number): string {
    return `$${index}`;
  },

  /**
   * How a bound parameter of `type` is read back: the engine binds plain JS values (string, number, bigint,
   * boolean), so the SQL states the type. Datetimes and timespans travel as ticks.
   */
  typedParameter(placeholder: string, type: IrType): string {
    if (type === 'dynamic') {
      // json() re-serialises compactly, as Kusto prints dynamic values (`[1,2]`, not `[1, 2]`).
      return `json(CAST(${placeholder} AS VARCHAR))`;
    }
    return `CAST(${placeholder} AS ${DuckDbDialect.typeName(type)})`;
  },
} as const;
