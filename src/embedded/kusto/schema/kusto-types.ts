/**
 * Kusto scalar types as the engine reports them (v1 data types, CLR names). The DuckDB storage column types
 * are the contract with the compiler (it compiles against these tables), so the compiler's dialect owns them.
 */
import type { KustoScalarType } from '../compiler/compiler-types.js';
import { duckDbTypeOf as compilerDuckDbTypeOf } from '../compiler/sql/duckdb-dialect.js';

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
  /** v1 `DataType` (CLR-ish name, protocols/kusto-rest.md §4.2). */
  v1DataType: string;
  /** `.show table T schema as json` `Type` (full CLR name). */
  clrType: string;
}

const TYPE_INFO: Record<KustoScalarType, TypeInfo> = {
  bool: { v1DataType: 'Boolean', clrType: 'System.SByte' },
  int: { v1DataType: 'Int32', clrType: 'System.Int32' },
  long: { v1DataType: 'Int64', clrType: 'System.Int64' },
  real: { v1DataType: 'Double', clrType: 'System.Double' },
  decimal: { v1DataType: 'Decimal', clrType: 'System.Data.SqlTypes.SqlDecimal' },
  string: { v1DataType: 'String', clrType: 'System.String' },
  datetime: { v1DataType: 'DateTime', clrType: 'System.DateTime' },
  timespan: { v1DataType: 'TimeSpan', clrType: 'System.TimeSpan' },
  guid: { v1DataType: 'Guid', clrType: 'System.Guid' },
  dynamic: { v1DataType: 'Object', clrType: 'System.Object' },
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

/** Column type in DuckDB storage: the compiler's dialect owns it, since its SQL assumes exactly these. */
export function duckDbTypeOf(type: KustoScalarType): string {
  return compilerDuckDbTypeOf(type);
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
