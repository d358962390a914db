/**
 * Kusto REST error translation: one exhaustive switch from engine error code to HTTP status and the
 * OneApiError body of protocols/kusto-rest.md §5.1. `message` carries the actionable text (ADX puts a
 * generic sentence there, but the JS SDK hands callers `response.data.error`, and a clear `message` is what
 * people read first); `@message` repeats it as ADX clients expect.
 */
import { randomUUID } from 'node:crypto';
import { KustoEngineError, KustoErrorCode } from './kusto-engine-error.js';

export interface OneApiError {
  error: {
    code: string;
    message: string;
    '@type': string;
    '@message': string;
    '@context': Record<string, unknown>;
    '@permanent': boolean;
    '@details'?: Record<string, unknown>;
  };
}

interface ErrorShape {
  status: number;
  code: string;
  type: string;
  permanent: boolean;
}

function assertUnreachable(value: never): never {
  throw new Error(`Unhandled Kusto error code: ${String(value)}`);
}

export function errorShape(code: KustoErrorCode): ErrorShape {
  switch (code) {
    case KustoErrorCode.Syntax:
      return {
        status: 400,
        code: 'General_BadRequest',
        type: 'Kusto.Data.Exceptions.SyntaxException',
        permanent: true,
      };
    case KustoErrorCode.Semantic:
      return {
        status: 400,
        code: 'General_BadRequest',
        type: 'Kusto.Data.Exceptions.SemanticException',
        permanent: true,
      };
    case KustoErrorCode.EntityNotFound:
      return {
        status: 400,
        code: 'BadRequest_EntityNotFound',
        type: 'Kusto.Data.Exceptions.EntityNotFoundException',
        permanent: true,
      };
    case KustoErrorCode.EntityAlreadyExists:
      return {
        status: 400,
        code: 'BadRequest_EntityAlreadyExists',
        type: 'Kusto.Data.Exceptions.EntityAlreadyExistsException',
        permanent: true,
      };
    case KustoErrorCode.BadRequest:
      return {
        status: 400,
        code: 'General_BadRequest',
        type: 'Kusto.Data.Exceptions.KustoBadRequestException',
        permanent: true,
      };
    case KustoErrorCode.BadData:
      return {
        status: 400,
        code: 'BadRequest_InvalidData',
        type: 'Kusto.DataNode.Exceptions.StreamingIngestionDataFormatException',
        permanent: true,
      };
    case KustoErrorCode.PayloadTooLarge:
      return {
        status: 413,
        code: 'BadRequest_RequestBodyTooLarge',
        type: 'Kusto.Data.Exceptions.KustoRequestPayloadTooLargeException',
        permanent: true,
      };
    case KustoErrorCode.NotSupported:
      return {
        status: 400,
        code: 'BadRequest_NotSupported',
        type: 'Kusto.Data.Exceptions.KustoBadRequestException',
        permanent: true,
      };
    case KustoErrorCode.Timeout:
      return {
        status: 504,
        code: 'General_RequestTimeout',
        type: 'Kusto.Data.Exceptions.KustoRequestTimeoutException',
        permanent: false,
      };
    case KustoErrorCode.Cancelled:
      return {
        status: 400,
        code: 'BadRequest_QueryCancelled',
        type: 'Kusto.Data.Exceptions.KustoRequestCancelledException',
        permanent: false,
      };
    case KustoErrorCode.ValueOutOfRange:
      return {
        status: 400,
        code: 'BadRequest_ValueOutOfRange',
        type: 'Kusto.Data.Exceptions.KustoBadRequestException',
        permanent: true,
      };
    case KustoErrorCode.LimitsExceeded:
      return {
        status: 400,
        code: 'LimitsExceeded',
        type: 'Kusto.Data.Exceptions.KustoServicePartialQueryFailureLimitsExceededException',
        permanent: true,
      };
    case KustoErrorCode.Throttled:
      // azure-kusto-data turns any 429 into its ThrottlingError (by status alone); not permanent, so
      // ManagedStreamingIngestClient retries and then falls back to queued ingestion.
      return {
        status: 429,
        code: 'TooManyRequests',
        type: 'Kusto.Data.Exceptions.KustoRequestThrottledException',
        permanent: false,
      };
    case KustoErrorCode.Unavailable:
      return {
        status: 503,
        code: 'General_ServiceUnavailable',
        type: 'Kusto.Data.Exceptions.KustoServiceUnavailableException',
        permanent: false,
      };
    case KustoErrorCode.Internal:
      return {
        status: 500,
        code: 'Internal_ServiceError',
        type: 'Kusto.Data.Exceptions.KustoServiceException',
        permanent: false,
      };
    default:
      return assertUnreachable(code);
  }
}

export interface ErrorContext {
  clientRequestId?: string;
  activityId?: string;
}

export function toOneApiError(
  error: KustoEngineError,
  context: ErrorContext = {},
): { status: number; body: OneApiError } {
  const shape = errorShape(error.code);
  return {
    status: shape.status,
    body: {
      error: {
        code: shape.code,
        message: error.message,
        '@type': shape.type,
        '@message': error.message,
        '@context': {
          timestamp: new Date().toISOString(),
          serviceAlias: 'KQLGATE-EMBEDDED',
          clientRequestId: context.clientRequestId ?? '',
          activityId: context.activityId ?? randomUUID(),
        },
        '@permanent': shape.permanent,
        ...(Object.keys(error.details).length > 0 ? { '@details': error.details } : {}),
      },
    },
  };
}

/**
 * Anything thrown that is not ours is an engine bug or an I/O failure. Its text stays out of the answer — DuckDB's
 * messages quote the compiled SQL — and goes to the engine's log as the cause; the caller gets the activity id to
 * find it there.
 */
export function asKustoEngineError(error: unknown, activityId?: string): KustoEngineError {
  if (error instanceof KustoEngineError) {
    return error;
  }
  return new KustoEngineError(
    KustoErrorCode.Internal,
    `Internal engine error${activityId ? ` (activity ${activityId})` : ''}; the engine log has the details.`,
    {},
    { cause: error },
  );
}
