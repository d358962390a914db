/**
 * Kusto scalar types as the engine reports them (v1 data types, CLR names). The DuckDB storage column types
 * are the contract with the compiler (it compiles against these tables), so the compiler's dialect owns them.
 */
import { clrTypeName, normalizeScalarType } from '@kqlgate/kql-language';
import type { KustoScalarType } from '../compiler/compiler-types.js';
import { duckDbTypeOf as compilerDuckDbTypeOf } from '../compiler/sql/duckdb-dialect.js';

/** v1 `DataType` (CLR-ish name, protocols/kusto-rest.md §4.2). */
const V1_DATA_TYPES: Record<KustoScalarType, string> = {
  bool: 'Boolean',
  int: 'Int32',
  long: 'Int64',
  real: 'Double',
  decimal: 'Decimal',
  string: 'String',
  datetime: 'DateTime',
  timespan: 'TimeSpan',
  guid: 'Guid',
  dynamic: 'Object',
};

/** Type names and aliases Kusto accepts in `.create table` and function signatures. */
export function normalizeKustoType(name: string): KustoScalarType | undefined {
  return normalizeScalarType(name);
}

/** Column type in DuckDB storage: the compiler's dialect owns it, since its SQL assumes exactly these. */
export function duckDbTypeOf(type: KustoScalarType): string {
  return compilerDuckDbTypeOf(type);
}

export function v1DataTypeOf(type: KustoScalarType): string {
  return V1_DATA_TYPES[type];
}

/** `.show table T schema as json` `Type` (full CLR name). */
export function clrTypeOf(type: KustoScalarType): string {
  return clrTypeName(type);
}

/** DuckDB identifiers are case-insensitive; Kusto's are not. We always quote, and escape embedded quotes. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteSqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
