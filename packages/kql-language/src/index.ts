/**
 * Public entry of @kqlgate/kql-language: what the gateway (lint, deploy, catalog) and the Kusto emulator share about
 * KQL — Kusto.Language loaded once as a module, the Kusto scalar types and the text of their literals, `.kql` scripts
 * cut into commands with their comment headers, management commands parsed (one parser for the gateway and the engine), stored functions analyzed against the
 * declared tables, and 1-based source positions for messages.
 */
export { FunctionAnalyzer, type AnalysisDiagnostic, type FunctionAnalysis } from './function-analyzer.js';
export {
  declaredExternalTables,
  externalTableDeclaration,
  KqlCommandSyntaxError,
  parseCommand,
  type ColumnDeclaration,
  type ExternalTableDeclaration,
  type FunctionCommand,
  type KqlCommand,
  type MappingCommand,
  type OtherCommand,
  type ParameterDeclaration,
  type TableCommand,
  type UpdatePolicyCommand,
} from './kql-command.js';
export {
  INT_MAX,
  INT_MIN,
  LONG_MAX,
  LONG_MIN,
  formatTimespanMs,
  formatTimespanTicks,
  literalValue,
  longJson,
  parseDatetime,
  parseTimespanTicks,
  ticksToMs,
} from './kql-literals.js';
export {
  KUSTO_SCALAR_TYPES,
  clrTypeName,
  normalizeScalarType,
  type KustoScalarType,
} from './kql-scalar-types.js';
export {
  EXTERNAL_DATA_FORMATS,
  INGESTION_MAPPING_KINDS,
  POLICY_KINDS,
  type AppendMode,
  type ColumnDefinition,
  type ExternalDataFormat,
  type ExternalTableMode,
  type FunctionMode,
  type FunctionParameterDefinition,
  type FunctionSpans,
  type IngestionMappingKind,
  type ManagementCommand,
  type ManagementCommandKind,
  type MappingMode,
  type PolicyEntity,
  type PolicyKind,
  type PolicyValue,
  type TableSchemaMode,
  type TextSpan,
} from './mgmt-command.js';
export { ManagementCommandError, type ManagementCommandErrorCode } from './mgmt-command-error.js';
export { parseManagementCommand } from './mgmt-command-parser.js';
export { quoteString } from './kql-lexer.js';
export { splitScript, type HeaderLine, type ScriptCommand } from './kql-script.js';
export { kustoLanguage } from './kusto-language.js';
export { LineMap, formatPosition, positionAt, type SourcePosition } from './source-position.js';
