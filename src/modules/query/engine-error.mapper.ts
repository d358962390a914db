import { QueryError, QueryErrorCode } from './query-error.js';

/**
 * The engine's failures (ADX or the embedded engine, as azure-kusto-data surfaces them) as the gateway's stable
 * codes. The Kusto error body's `code` decides where there is one, HTTP status and socket errors otherwise:
 *
 * | engine                                                        | gateway                       | HTTP |
 * | ------------------------------------------------------------- | ----------------------------- | ---- |
 * | 504 / `General_RequestTimeout`, or no answer by the deadline    | `QUERY_TIMEOUT`               | 504  |
 * | `BadRequest_ValueOutOfRange` (overflow, negative count…)       | `QUERY_VALUE_OUT_OF_RANGE`    | 400  |
 * | `LimitsExceeded` / E_LOW_MEMORY_CONDITION / E_RUNAWAY_QUERY     | `QUERY_ENGINE_LIMIT_EXCEEDED` | 503  |
 * | `BadRequest_QueryCancelled`                                   | `QUERY_CANCELLED`             | 503  |
 * | 429, 503, connection refused/reset                            | `QUERY_ENGINE_UNAVAILABLE`    | 503  |
 * | anything else (a broken function, an engine fault)             | `QUERY_ENGINE_ERROR`          | 502  |
 *
 * Messages say what happened in the gateway's words. The engine's own text is passed on only for the last row,
 * and only its first line, never anything that reads like SQL or a stack: an engine error must not tell a caller
 * how the engine is built.
 */

interface SdkError {
  name?: string;
  message?: string;
  code?: string;
  response?: {
    status?: number;
    data?: {
      error?: { code?: string; '@message'?: string; message?: string; '@context'?: { activityId?: string } };
    };
  };
}

const SQL_OR_INTERNALS =
  /\bLINE \d+:|\b(?:SELECT|CAST|FROM)\b.*\$\d|\b(?:Binder|Conversion|Parser|Catalog|INTERNAL) Error\b|\n\s+at /;

/** The engine's message fit for a caller: its first line, unless it reads like SQL or a stack. */
export function safeEngineMessage(message: string | undefined, activityId?: string): string {
  const firstLine = (message ?? '').split('\n')[0].trim();
  if (firstLine === '' || SQL_OR_INTERNALS.test(message ?? '')) {
    return `the engine reported an internal error${activityId ? ` (activity ${activityId})` : ''}`;
  }
  return firstLine;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export function engineQueryError(fn: string, error: unknown, timeoutMs: number): QueryError {
  const e = error as SdkError;
  const status = e.response?.status;
  const body = e.response?.data?.error;
  const engineCode = body?.code;
  const engineMessage = body?.['@message'] ?? body?.message ?? e.message ?? String(error);
  const activityId = body?.['@context']?.activityId;
  const details = { function: fn, ...(engineCode ? { engineCode } : {}) };
  if (
    status === 504 ||
    engineCode === 'General_RequestTimeout' ||
    e.code === 'ECONNABORTED' ||
    e.code === 'ETIMEDOUT'
  ) {
    return new QueryError(
      QueryErrorCode.Timeout,
      `${fn} did not finish within its timeout of ${seconds(timeoutMs)}; the engine query was cancelled`,
      { ...details, timeoutMs },
      { cause: error },
    );
  }
  if (engineCode === 'BadRequest_ValueOutOfRange') {
    return new QueryError(
      QueryErrorCode.ValueOutOfRange,
      `${fn} cannot be computed with these parameter values: ${safeEngineMessage(engineMessage, activityId)}`,
      details,
      { cause: error },
    );
  }
  if (engineCode === 'LimitsExceeded' || /E_LOW_MEMORY_CONDITION|E_RUNAWAY_QUERY/.test(engineMessage)) {
    return new QueryError(
      QueryErrorCode.EngineLimitExceeded,
      `${fn} needs more memory than the engine allows one query; narrow its parameters (a shorter period, fewer groups)`,
      details,
      { cause: error },
    );
  }
  if (engineCode === 'BadRequest_QueryCancelled') {
    return new QueryError(
      QueryErrorCode.Cancelled,
      `the engine query of ${fn} was cancelled before it answered; retry the call`,
      details,
      { cause: error },
    );
  }
  if (
    e.name === 'ThrottlingError' ||
    status === 429 ||
    status === 503 ||
    e.code === 'ECONNREFUSED' ||
    e.code === 'ENOTFOUND' ||
    e.code === 'ECONNRESET'
  ) {
    return new QueryError(
      QueryErrorCode.EngineUnavailable,
      status === 429 || e.name === 'ThrottlingError'
        ? `the engine is throttling requests; retry ${fn} later`
        : `the engine is unavailable (${e.code ?? status ?? 'no answer'}) while running ${fn}; retry later`,
      details,
      { cause: error },
    );
  }
  return new QueryError(
    QueryErrorCode.EngineError,
    `the engine failed ${fn}: ${safeEngineMessage(engineMessage, activityId)}`,
    { ...details, ...(status === undefined ? {} : { engineStatus: status }) },
    { cause: error },
  );
}
