/**
 * The engine's one error type. Every failure a client can observe is a `KustoEngineError` with a code; the
 * HTTP edge (`kusto-error.translator.ts`) turns the code into Kusto's OneApiError body and status, so that
 * the real SDKs surface the engine's message exactly as they would ADX's.
 */
export enum KustoErrorCode {
  /** Command or query text does not parse. */
  Syntax = 'SYNTAX',
  /** Parses, but names, types or arguments are wrong. */
  Semantic = 'SEMANTIC',
  /** Database, table, function, mapping or policy does not exist. */
  EntityNotFound = 'ENTITY_NOT_FOUND',
  /** `.create` of something that exists (without `ifnotexists`). */
  EntityAlreadyExists = 'ENTITY_ALREADY_EXISTS',
  /** Request shape is wrong: bad JSON body, missing `db`, command on the query endpoint, … */
  BadRequest = 'BAD_REQUEST',
  /** Ingested data cannot be read in the declared format, or does not fit the mapping. */
  BadData = 'BAD_DATA',
  /** Request or decompressed ingestion body exceeds the configured limit. */
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  /** Valid KQL or command that this engine does not implement. */
  NotSupported = 'NOT_SUPPORTED',
  /** `servertimeout` elapsed. */
  Timeout = 'TIMEOUT',
  /** Stopped by `.cancel query`. */
  Cancelled = 'CANCELLED',
  /**
   * The query ran, but a value was out of range for what used it: an arithmetic overflow, a negative `take`, a
   * date past year 9999, a string that does not convert… Usually a query parameter's value.
   */
  ValueOutOfRange = 'VALUE_OUT_OF_RANGE',
  /** The query needs more memory than the engine's limit allows. */
  LimitsExceeded = 'LIMITS_EXCEEDED',
  /** Over the engine's streaming ingestion capacity (maxConcurrentStreamingIngests): retry later or queue. */
  Throttled = 'THROTTLED',
  /** The engine is shutting down: the query was stopped, another attempt may succeed elsewhere. */
  Unavailable = 'UNAVAILABLE',
  /** A bug or an I/O failure in the engine itself. */
  Internal = 'INTERNAL',
}

export class KustoEngineError extends Error {
  override readonly name = 'KustoEngineError';

  constructor(
    readonly code: KustoErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    // `cause` (a DuckDB error, say) is for the engine's log only: the HTTP edge sends `message`, never the cause.
    super(message, options);
  }

  static syntax(message: string, details?: Record<string, unknown>): KustoEngineError {
    return new KustoEngineError(KustoErrorCode.Syntax, message, details);
  }

  static semantic(message: string, details?: Record<string, unknown>): KustoEngineError {
    return new KustoEngineError(KustoErrorCode.Semantic, message, details);
  }

  static notFound(kind: string, name: string, where?: string): KustoEngineError {
    const suffix = where ? ` in ${where}` : '';
    return new KustoEngineError(KustoErrorCode.EntityNotFound, `${kind} '${name}' was not found${suffix}.`, {
      kind,
      name,
    });
  }

  static alreadyExists(kind: string, name: string): KustoEngineError {
    return new KustoEngineError(KustoErrorCode.EntityAlreadyExists, `${kind} '${name}' already exists.`, {
      kind,
      name,
    });
  }

  /**
   * `.create` of a table over an external table's name, or the reverse: "an external table can't have the same name
   * as a regular table in the same database" (ADX, `.create external table`), so the name is taken.
   */
  static nameTaken(kind: string, name: string, takenBy: string, database: string): KustoEngineError {
    return new KustoEngineError(
      KustoErrorCode.EntityAlreadyExists,
      `${kind} '${name}' cannot be created: database '${database}' has ${takenBy} of that name, and a table and an external table can't have the same name.`,
      { kind, name },
    );
  }

  static badRequest(message: string, details?: Record<string, unknown>): KustoEngineError {
    return new KustoEngineError(KustoErrorCode.BadRequest, message, details);
  }

  static badData(message: string, details?: Record<string, unknown>): KustoEngineError {
    return new KustoEngineError(KustoErrorCode.BadData, message, details);
  }

  static notSupported(message: string, details?: Record<string, unknown>): KustoEngineError {
    return new KustoEngineError(KustoErrorCode.NotSupported, message, details);
  }
}
