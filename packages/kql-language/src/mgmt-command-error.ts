import { positionAt } from './source-position.js';

/** `syntax`: the text does not parse. `notSupported`: valid Kusto that the parser does not implement. */
export type ManagementCommandErrorCode = 'syntax' | 'notSupported';

/**
 * A management command that cannot be parsed, at an offset of the command text. Line and column are computed here,
 * once, when the error is raised (never per token), so parsing stays linear however long the command is.
 */
export class ManagementCommandError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(
    readonly code: ManagementCommandErrorCode,
    /** What is wrong, without the position: `expected …, found …`; for `notSupported`, what is not supported. */
    readonly detail: string,
    readonly offset: number,
    source: string,
    /** For `notSupported`: what to do instead. */
    readonly hint?: string,
  ) {
    const { line, column } = positionAt(source, offset);
    super(
      code === 'syntax'
        ? `Syntax error at ${line}:${column}: ${detail}`
        : `${detail} is not supported (at ${line}:${column})${hint ? `; ${hint}` : ''}.`,
    );
    this.name = 'ManagementCommandError';
    this.line = line;
    this.column = column;
  }
}
