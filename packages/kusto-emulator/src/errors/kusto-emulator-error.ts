/**
 * Base of the errors the emulator raises on purpose. `code` is a stable string a translator switches on (the Kusto
 * REST error body, see kusto-error.translator.ts); `details` carries the facts a user needs to act (line:col,
 * column, table…). The same shape as a host application's own coded errors, without depending on one.
 */
export class KustoEmulatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
