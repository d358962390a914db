/**
 * Control commands are parsed by @kqlgate/kql-language's management-command parser, the one the gateway reads
 * `.kql` scripts with; this module only turns its errors into the engine's, worded for the embedded engine.
 */
import { ManagementCommandError, parseManagementCommand } from '@kqlgate/kql-language';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import type { ControlCommand } from './control-command.js';

export function parseControlCommand(text: string): ControlCommand {
  try {
    return parseManagementCommand(text.trim());
  } catch (error) {
    if (!(error instanceof ManagementCommandError)) {
      throw error;
    }
    const position = { line: error.line, column: error.column };
    switch (error.code) {
      case 'syntax':
        throw KustoEngineError.syntax(error.message, position);
      case 'notSupported':
        throw KustoEngineError.notSupported(
          `${error.detail} is not supported by the embedded engine (at ${error.line}:${error.column})${error.hint ? `; ${error.hint}` : ''}.`,
          position,
        );
    }
  }
}
