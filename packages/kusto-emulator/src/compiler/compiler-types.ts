/**
 * Public contract of the KQL → DuckDB compiler. The embedded engine codes against these types only;
 * everything else under `compiler/` is an implementation detail.
 */

import type { KustoScalarType } from '@kqlgate/kql-language';

export type { KustoScalarType };

export interface ColumnSchema {
  name: string;
  type: KustoScalarType;
}

/** A stored table's column. */
export interface TableColumnSchema extends ColumnSchema {
  /**
   * The DuckDB column holding it, when that differs from `name`: DuckDB names are case-insensitive, so of
   * columns whose names differ only by case all but one are stored as `name~2`, … (`case-distinct-name.ts`).
   */
  storageName?: string;
}

export interface TableSchema {
  name: string;
  columns: TableColumnSchema[];
}

export interface FunctionParameterSchema {
  name: string;
  type: KustoScalarType | 'tabular';
  /** KQL literal text, e.g. `datetime(2024-01-01)` or `10`. */
  defaultValue?: string;
}

export interface StoredFunctionSchema {
  name: string;
  parameters: FunctionParameterSchema[];
  /** KQL body without the surrounding braces. */
  body: string;
  docString?: string;
  folder?: string;
}

export interface DatabaseSchema {
  name: string;
  tables: TableSchema[];
  functions: StoredFunctionSchema[];
  /** Tables over external files, named by `external_table('T')`. */
  externalTables?: TableSchema[];
}

/** Values of query parameters as the Kusto REST request carries them (see protocols/kusto-rest.md §3). */
export type QueryParameterValues = Record<string, string | number | boolean | null>;

export interface CompiledStatement {
  sql: string;
  parameters: readonly unknown[];
  resultSchema: ColumnSchema[];
}

/**
 * External data a compiled query reads, under the view name its SQL scans: the engine creates each view (over the
 * fetched files) on the connection before running the statements. Files are fetched at run time, not compile time,
 * so a cached compiled query reads the data as it is now.
 */
export type ExternalSource =
  | { readonly kind: 'table'; readonly view: string; readonly table: string }
  | {
      readonly kind: 'data';
      readonly view: string;
      /** Decoded URIs; they may carry secrets: never log them. */
      readonly uris: readonly string[];
      /** `with (…)` properties, names lower-cased (`format`, `ignorefirstrecord`). */
      readonly properties: Readonly<Record<string, string | boolean | number>>;
      readonly columns: readonly ColumnSchema[];
    };

export interface CompiledQuery {
  /** One per result table, in order. */
  statements: readonly CompiledStatement[];
  /** Present when the query reads external tables or `externaldata`. */
  externalSources?: readonly ExternalSource[];
}

export interface CompileOptions {
  /** The instant `now()`/`ago()` refer to; defaults to the wall clock at compile time. */
  now?: Date;
}

export type KqlCompileErrorCode = 'SYNTAX' | 'SEMANTIC' | 'UNSUPPORTED' | 'PARAMETER';
