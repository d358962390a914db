/**
 * Parsed control commands: one variant per command the engine executes, as @kqlgate/kql-language's parser yields
 * them. The executor switches over `kind` exhaustively, so a new variant does not compile until it is handled.
 */
import type { ManagementCommand } from '@kqlgate/kql-language';

export type {
  AppendMode,
  FunctionMode,
  IngestionMappingKind,
  MappingMode,
  TableSchemaMode,
} from '@kqlgate/kql-language';

export type ControlCommand = ManagementCommand;
export type ControlCommandKind = ControlCommand['kind'];
