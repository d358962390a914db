import { KqlgateError } from '../../common/errors/kqlgate-error.js';

/** Why the query path refused or failed a call; each code has one HTTP status (`queryHttpStatus`). */
export enum QueryErrorCode {
  /** No exposed function of that name. */
  FunctionNotFound = 'QUERY_FUNCTION_NOT_FOUND',
  /** One or more parameters are missing, unknown or of the wrong type; `details.parameters` lists each. */
  InvalidParameters = 'QUERY_INVALID_PARAMETERS',
  /** The engine rejected or failed the query (a broken function, an engine fault). */
  EngineError = 'QUERY_ENGINE_ERROR',
  /** The engine did not answer within the function's timeout; the engine query was cancelled. */
  Timeout = 'QUERY_TIMEOUT',
  /** The engine could not be reached, is throttling, or is shutting down (as is the gateway). */
  EngineUnavailable = 'QUERY_ENGINE_UNAVAILABLE',
  /**
   * The query ran into a value it cannot compute with (an overflow, a negative row count, a date past 9999): the
   * parameter values are outside what the function handles, though within their types.
   */
  ValueOutOfRange = 'QUERY_VALUE_OUT_OF_RANGE',
  /** The query needs more memory than the engine allows one query. */
  EngineLimitExceeded = 'QUERY_ENGINE_LIMIT_EXCEEDED',
  /** The engine query was cancelled before it answered (by `.cancel query` from elsewhere). */
  Cancelled = 'QUERY_CANCELLED',
}

export interface ParameterProblem {
  parameter: string;
  message: string;
}

export class QueryError extends KqlgateError {
  constructor(
    override readonly code: QueryErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }

  static invalidParameters(fn: string, problems: ParameterProblem[]): QueryError {
    return new QueryError(
      QueryErrorCode.InvalidParameters,
      `invalid parameters for ${fn}: ${problems.map((p) => `${p.parameter}: ${p.message}`).join('; ')}`,
      { function: fn, parameters: problems },
    );
  }
}

export function queryHttpStatus(code: QueryErrorCode): number {
  switch (code) {
    case QueryErrorCode.FunctionNotFound:
      return 404;
    case QueryErrorCode.InvalidParameters:
      return 400;
    case QueryErrorCode.EngineError:
      return 502;
    case QueryErrorCode.Timeout:
      return 504;
    case QueryErrorCode.EngineUnavailable:
      return 503;
    case QueryErrorCode.ValueOutOfRange:
      return 400;
    case QueryErrorCode.EngineLimitExceeded:
      return 503;
    case QueryErrorCode.Cancelled:
      return 503;
  }
}
