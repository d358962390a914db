/**
 * What the engine knows about a database besides its rows: tables with Kusto column types, stored
 * functions, ingestion mappings, update policies and the other policies. Persisted as JSON bodies in the database's own DuckDB
 * file (schema `kqlgate_meta`), so a schema change commits atomically with the data it describes.
 */
import type { ExternalDataFormat } from '@kqlgate/kql-language';
import type { ColumnSchema, StoredFunctionSchema, TableColumnSchema } from '../compiler/compiler-types.js';

export interface TableEntry {
  name: string;
  /** In Kusto order; `storageName` tells the DuckDB column when it differs from the name. */
  columns: TableColumnSchema[];
  docString?: string;
  folder?: string;
}

export type FunctionEntry = StoredFunctionSchema;

/**
 * An external table: a schema over files the engine reads at query time (blobs in Azure Storage or Azurite, or local
 * files under the engine's external data root). The connection strings keep their secrets, as ADX keeps them; they
 * are shown only redacted (external/storage-location.ts).
 */
export interface ExternalTableEntry {
  name: string;
  columns: ColumnSchema[];
  dataFormat: ExternalDataFormat;
  connectionStrings: string[];
  /** ADX's `includeHeaders` of delimited formats: whether each file starts with a header line to skip. */
  includeHeaders?: 'All' | 'None';
  docString?: string;
  folder?: string;
}

export type MappingKind = 'Json' | 'Csv';

/** One element of an ingestion mapping, in ADX's documented JSON form. */
export interface ColumnMappingElement {
  column: string;
  datatype?: string;
  Properties?: {
    Path?: string;
    Ordinal?: string;
    ConstValue?: string;
    Transform?: string;
    Field?: string;
  };
}

export interface MappingEntry {
  table: string;
  name: string;
  kind: MappingKind;
  mapping: ColumnMappingElement[];
  lastUpdatedOn: string;
}

/** ADX update policy object, property names as ADX spells them. */
export interface UpdatePolicy {
  IsEnabled: boolean;
  Source: string;
  Query: string;
  IsTransactional: boolean;
  PropagateIngestionProperties: boolean;
  ManagedIdentity?: string | null;
}

/** A policy kept as ADX shows it: a JSON object (streaming ingestion, ingestion batching, retention, …). */
export type PolicyObject = Record<string, unknown>;

export interface TablePolicies {
  table: string;
  update: UpdatePolicy[];
}
