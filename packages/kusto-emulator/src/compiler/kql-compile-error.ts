import { KustoEmulatorError } from '../errors/kusto-emulator-error.js';
import type { KqlCompileErrorCode } from './compiler-types.js';

/** Where in the KQL text a problem is; 1-based like every editor shows it. */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * The compiler's only error. The message always names the operator/function at fault and ends with
 * `line:col`, because the engine forwards it verbatim to Kusto clients (never SQL, never DuckDB text).
 */
export class KqlCompileError extends KustoEmulatorError {
  declare readonly code: KqlCompileErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    code: KqlCompileErrorCode,
    message: string,
    position?: SourcePosition,
    details: Record<string, unknown> = {},
  ) {
    super(code, position ? `${message} (at ${position.line}:${position.column})` : message, {
      ...details,
      ...(position ? { line: position.line, column: position.column } : {}),
    });
    this.line = position?.line;
    this.column = position?.column;
  }

  /**
   * Rebuilds an error that crossed a thread boundary: `message` already ends with its position, which `details`
   * carries as `line`/`column`.
   */
  static revive(
    code: KqlCompileErrorCode,
    message: string,
    details: Record<string, unknown>,
  ): KqlCompileError {
    const error = new KqlCompileError(code, message, undefined, details);
    const position = error as { line: number | undefined; column: number | undefined };
    position.line = typeof details.line === 'number' ? details.line : undefined;
    position.column = typeof details.column === 'number' ? details.column : undefined;
    return error;
  }

  static unsupported(what: string, position?: SourcePosition): KqlCompileError {
    return new KqlCompileError('UNSUPPORTED', `${what} is not supported by the embedded engine`, position);
  }
}
