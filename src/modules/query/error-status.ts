import { HttpException } from '@nestjs/common';
import { KqlgateError } from '../../common/errors/kqlgate-error.js';
import { AuthError, authHttpStatus } from '../auth/auth-error.js';
import { QueryError, queryHttpStatus } from './query-error.js';

/**
 * The HTTP status of any error the query path can raise: our own codes, the hooks' errors (auth → 400/401/403,
 * rate limits → 429/503 via their `httpStatus`), Nest HttpExceptions; everything else is a 500.
 */
export function httpStatusOf(error: unknown): number {
  if (error instanceof QueryError) {
    return queryHttpStatus(error.code);
  }
  if (error instanceof AuthError) {
    return authHttpStatus(error.code);
  }
  const declared = (error as { httpStatus?: unknown } | undefined)?.httpStatus;
  if (typeof declared === 'number') {
    return declared;
  }
  if (error instanceof HttpException) {
    return error.getStatus();
  }
  return 500;
}

export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** What a caller is told: our errors in full; unexpected errors without internals (they are logged instead). */
export function describeError(error: unknown): ErrorBody {
  const status = httpStatusOf(error);
  if (error instanceof KqlgateError) {
    return { status, code: error.code, message: error.message, details: error.details };
  }
  if (error instanceof HttpException) {
    return { status, code: `HTTP_${status}`, message: error.message, details: {} };
  }
  return { status, code: 'INTERNAL_ERROR', message: 'internal error; see the gateway log', details: {} };
}
