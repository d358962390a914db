/**
 * Kusto scalar types and how the engine stores them in DuckDB. The storage column types are the contract
 * with the compiler (it compiles against these tables), so they live in one table here.
 */
import type { KustoScalarType } from '../compiler/compiler-types.js';

export const KUSTO_SCALAR_TYPES: readonly KustoScalarType[] = [
  'bool',
  'int',
  'long',
  'real',
  'decimal',
  'string',
  'datetime',
  'timespan',
  'guid',
  'dynamic',
];

interface TypeInfo {
  /** Column type in DuckDB storage. */
  duckDb: string;
  /** v1 `DataType` (CLR-ish name, protocols/kusto-rest.md §4.2). */
  v1DataType: string;
  /** `.show table T schema as json` `Type` (full CLR name). */
  clrType: string;
}

const TYPE_INFO: Record<KustoScalarType, TypeInfo> = {
  bool: { duckDb: 'BOOLEAN', v1DataType: 'Boolean', clrType: 'System.SByte' },
  int: { duckDb: 'INTEGER', v1DataType: 'Int32', clrType: 'System.Int32' },
  long: { duckDb: 'BIGINT', v1DataType: 'Int64', clrType: 'System.Int64' },
  real: { duckDb: 'DOUBLE', v1DataType: 'Double', clrType: 'System.Double' },
  decimal: { duckDb: 'DECIMAL(38,18)', v1DataType: 'Decimal', clrType: 'System.Data.SqlTypes.SqlDecimal' },
  string: { duckDb: 'VARCHAR', v1DataType: 'String', clrType: 'System.String' },
  datetime: { duckDb: 'TIMESTAMP', v1DataType: 'DateTime', clrType: 'System.DateTime' },
  timespan: { duckDb: 'INTERVAL', v1DataType: 'TimeSpan', clrType: 'System.TimeSpan' },
  guid: { duckDb: 'UUID', v1DataType: 'Guid', clrType: 'System.Guid' },
  dynamic: { duckDb: 'JSON', v1DataType: 'Object', clrType: 'System.Object' },
};

/** Type names and aliases Kusto accepts in `.create table` and function signatures. */
const ALIASES: Record<string, KustoScalarType> = {
  bool: 'bool',
  boolean: 'bool',
  int: 'int',
  int32: 'int',
  long: 'long',
  int64: 'long',
  real: 'real',
  double: 'real',
  decimal: 'decimal',
  string: 'string',
  datetime: 'datetime',
  date: 'datetime',
  timespan: 'timespan',
  time: 'timespan',
  guid: 'guid',
  uuid: 'guid',
  uniqueid: 'guid',
  dynamic: 'dynamic',
};

export function normalizeKustoType(name: string): KustoScalarType | undefined {
  return ALIASES[name.toLowerCase()];
}

export function duckDbTypeOf(type: KustoScalarType): string {
  return TYPE_INFO[type].duckDb;
}

export function v1DataTypeOf(type: KustoScalarType): string {
  return TYPE_INFO[type].v1DataType;
}

export function clrTypeOf(type: KustoScalarType): string {
  return TYPE_INFO[type].clrType;
}

/** DuckDB identifiers are case-insensitive; Kusto's are not. We always quote, and escape embedded quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
