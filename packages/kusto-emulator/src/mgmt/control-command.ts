/**
 * Parsed control commands: one variant per command the engine executes. The executor switches over
 * `kind` exhaustively, so a new variant does not compile until it is handled.
 */
import type { ColumnSchema, FunctionParameterSchema } from '../compiler/compiler-types.js';
import type { MappingKind } from '../storage/catalog-types.js';

export type TableSchemaMode = 'create' | 'create-merge' | 'alter-merge' | 'alter';
export type FunctionMode = 'create' | 'create-or-alter' | 'alter';
export type MappingMode = 'create' | 'create-or-alter' | 'alter';
export type AppendMode = 'set' | 'append' | 'set-or-append' | 'set-or-replace';

export type ControlCommand =
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
      columns: ColumnSchema[];
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
      parameters: FunctionParameterSchema[];
      body: string;
      properties: Record<string, string>;
    }
  | { kind: 'dropFunction'; name: string; ifExists: boolean }
  | { kind: 'showFunctions' }
  | { kind: 'showFunction'; name: string }
  | {
      kind: 'createMapping';
      mode: MappingMode;
      table: string;
      mappingKind: MappingKind;
      name: string;
      mapping: string;
    }
  | { kind: 'dropMapping'; table: string; mappingKind: MappingKind; name: string }
  | { kind: 'showMappings'; table: string; mappingKind?: MappingKind }
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
  | { kind: 'ingestInline'; table: string; properties: Record<string, string>; data: string };

export type ControlCommandKind = ControlCommand['kind'];
