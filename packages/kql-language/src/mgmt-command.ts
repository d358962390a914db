/**
 * Management commands as the one parser (mgmt-command-parser.ts) reads them: one variant per command, shared by the
 * engine (which executes them, switching over `kind` exhaustively) and the gateway (which reads table and function
 * definitions out of `.kql` scripts). Offsets are offsets in the parsed command text.
 */
import type { KustoScalarType } from './kql-scalar-types.js';

export type TableSchemaMode = 'create' | 'create-merge' | 'alter-merge' | 'alter';
export type FunctionMode = 'create' | 'create-or-alter' | 'alter';
export type MappingMode = 'create' | 'create-or-alter' | 'alter';
export type AppendMode = 'set' | 'append' | 'set-or-append' | 'set-or-replace';
export type ExternalTableMode = 'create' | 'create-or-alter' | 'alter';

/** Data formats of `.create external table … dataformat=<format>` that the parser accepts. */
export const EXTERNAL_DATA_FORMATS = ['parquet', 'csv', 'json', 'multijson'] as const;
export type ExternalDataFormat = (typeof EXTERNAL_DATA_FORMATS)[number];

/** Ingestion mapping kinds, spelled as ADX reports them in `.show ingestion mappings`. */
export const INGESTION_MAPPING_KINDS = [
  'Csv',
  'Json',
  'Avro',
  'ApacheAvro',
  'Parquet',
  'Orc',
  'W3CLogFile',
] as const;
export type IngestionMappingKind = (typeof INGESTION_MAPPING_KINDS)[number];

/**
 * Policies kept as JSON objects, by the name commands use (`.alter table T policy ingestionbatching …`). `update`
 * is separate: its policy is an array and it drives ingestion (see `alterUpdatePolicy`).
 */
export const POLICY_KINDS = [
  'streamingingestion',
  'ingestionbatching',
  'retention',
  'merge',
  'sharding',
  'partitioning',
  'caching',
] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

/** What a policy command applies to; a table may be qualified by its database (`Db.Table`). */
export type PolicyEntity =
  { kind: 'database'; name: string } | { kind: 'table'; name: string; database?: string };

/** A policy as written: a JSON string literal, or `enable` / `disable` for streaming ingestion. */
export type PolicyValue = { kind: 'json'; text: string } | { kind: 'enabled'; enabled: boolean };

export interface ColumnDefinition {
  name: string;
  type: KustoScalarType;
}

export interface FunctionParameterDefinition {
  name: string;
  type: KustoScalarType | 'tabular';
  /** KQL literal text, e.g. `datetime(2024-01-01)` or `10`. */
  defaultValue?: string;
}

/** A part of the command kept verbatim, with the offset of its first character. */
export interface TextSpan {
  text: string;
  offset: number;
}

/** Where the parts of a function definition are, for messages that point into a `.kql` file. */
export interface FunctionSpans {
  name: number;
  /** Between the parentheses, verbatim. */
  parameterList: TextSpan;
  /** Offset of each parameter's name. */
  parameters: number[];
  /** Between the braces, verbatim (untrimmed). */
  body: TextSpan;
}

export type ManagementCommand =
  | { kind: 'createDatabase'; name: string; ifNotExists: boolean }
  | { kind: 'showDatabases' }
  | { kind: 'showDatabase' }
  | { kind: 'showVersion' }
  | { kind: 'showCluster' }
  | { kind: 'getIngestionResources' }
  | { kind: 'showRunningQueries' }
  | { kind: 'cancelQuery'; clientActivityId: string; reason?: string }
  | {
      kind: 'createTable';
      mode: TableSchemaMode;
      name: string;
      columns: ColumnDefinition[];
      properties: Record<string, string>;
      ifNotExists: boolean;
    }
  | { kind: 'dropTable'; name: string; ifExists: boolean }
  | { kind: 'showTables' }
  | { kind: 'showTable'; name: string }
  | { kind: 'showTableDetails'; name: string }
  | { kind: 'showTableSchema'; name: string; format: 'json' | 'csl' }
  | { kind: 'clearTableData'; name: string }
  | {
      kind: 'createFunction';
      mode: FunctionMode;
      ifNotExists: boolean;
      name: string;
      parameters: FunctionParameterDefinition[];
      /** The body between the braces, trimmed. */
      body: string;
      properties: Record<string, string>;
      spans: FunctionSpans;
    }
  | {
      /** `.create external table T (schema) kind=storage dataformat=<format> (<connection strings>) with (…)`. */
      kind: 'createExternalTable';
      mode: ExternalTableMode;
      name: string;
      columns: ColumnDefinition[];
      dataFormat: ExternalDataFormat;
      /** Decoded string literals; they may carry secrets (account keys, SAS tokens): never log them. */
      connectionStrings: string[];
      properties: Record<string, string>;
    }
  | { kind: 'dropExternalTable'; name: string; ifExists: boolean }
  | { kind: 'showExternalTables' }
  | { kind: 'showExternalTable'; name: string }
  | { kind: 'showExternalTableSchema'; name: string; format: 'json' | 'csl' }
  | { kind: 'dropFunction'; name: string; ifExists: boolean }
  | { kind: 'showFunctions' }
  | { kind: 'showFunction'; name: string }
  | {
      kind: 'createMapping';
      mode: MappingMode;
      table: string;
      mappingKind: IngestionMappingKind;
      name: string;
      mapping: string;
    }
  | { kind: 'dropMapping'; table: string; mappingKind: IngestionMappingKind; name: string }
  | { kind: 'showMappings'; table: string; mappingKind?: IngestionMappingKind }
  | { kind: 'alterUpdatePolicy'; table: string; policy: string }
  | { kind: 'deleteUpdatePolicy'; table: string }
  | { kind: 'showUpdatePolicy'; table: string }
  | {
      kind: 'appendFromQuery';
      mode: AppendMode;
      table: string;
      properties: Record<string, string>;
      query: string;
    }
  | { kind: 'ingestInline'; table: string; properties: Record<string, string>; data: string }
  | { kind: 'alterPolicy'; entity: PolicyEntity; policy: PolicyKind; merge: boolean; value: PolicyValue }
  | { kind: 'deletePolicy'; entity: PolicyEntity; policy: PolicyKind }
  | { kind: 'showPolicy'; entity: PolicyEntity; policy: PolicyKind }
  /** `.clear database cache streamingingestion schema`, or with `table T` for one table. */
  | { kind: 'clearStreamingIngestionSchemaCache'; table?: string }
  /** `.refresh database 'D' [table 'T'] cache ingestionbatchingpolicy` (a data-management command). */
  | { kind: 'refreshIngestionBatchingPolicyCache'; database: string; table?: string }
  | { kind: 'showExportContainers' }
  /** A `.show` command whose result goes through query operators: `.show tables | where …`. */
  | { kind: 'pipedCommand'; command: ManagementCommand; operators: string };

export type ManagementCommandKind = ManagementCommand['kind'];
