import { KqlgateError } from '../common/errors/kqlgate-error.js';

export enum IngestionErrorCode {
  /** A routes file or an ingestion setting cannot be used; the message names the file/variable and the fix. */
  InvalidConfiguration = 'INGESTION_INVALID_CONFIGURATION',
  /** The pipeline was asked to start twice or used after stop(). */
  InvalidState = 'INGESTION_INVALID_STATE',
}

/** Errors the ingestion pipeline raises on purpose (never for a single bad message: those are dead-lettered). */
export class IngestionError extends KqlgateError {
  constructor(
    code: IngestionErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(code, message, details, cause === undefined ? undefined : { cause });
  }
}
