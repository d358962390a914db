import { describe, expect, it } from 'vitest';
import { engineQueryError, safeEngineMessage } from './engine-error.mapper.js';
import { QueryErrorCode } from './query-error.js';

const httpError = (status: number, code: string, message: string): Error =>
  Object.assign(new Error(`Request failed with status code ${status}`), {
    response: {
      status,
      data: { error: { code, message, '@message': message, '@context': { activityId: 'a-1' } } },
    },
  });

describe(engineQueryError.name, () => {
  it('should map each engine error to its stable code and status', () => {
    const cases = [
      [httpError(504, 'General_RequestTimeout', 'servertimeout elapsed'), QueryErrorCode.Timeout],
      [
        httpError(400, 'BadRequest_ValueOutOfRange', 'Query execution failed: overflow.'),
        QueryErrorCode.ValueOutOfRange,
      ],
      [httpError(400, 'LimitsExceeded', 'E_LOW_MEMORY_CONDITION'), QueryErrorCode.EngineLimitExceeded],
      [httpError(400, 'BadRequest_QueryCancelled', 'cancelled'), QueryErrorCode.Cancelled],
      [httpError(503, 'General_ServiceUnavailable', 'shutting down'), QueryErrorCode.EngineUnavailable],
      [
        Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        QueryErrorCode.EngineUnavailable,
      ],
      [httpError(400, 'General_BadRequest', "Semantic error: 'X' not found"), QueryErrorCode.EngineError],
    ] as const;
    expect(cases.map(([error]) => engineQueryError('F', error, 20_000).code)).toEqual(
      cases.map(([, code]) => code),
    );
  });

  it('should never pass on SQL or DuckDB text', () => {
    const leaked = engineQueryError(
      'F',
      httpError(
        500,
        'Internal_ServiceError',
        'Binder Error: LIMIT/OFFSET cannot be negative\n\nLINE 24: LIMIT CAST($10 AS BIGINT)',
      ),
      20_000,
    );
    expect(leaked.message).toBe('the engine failed F: the engine reported an internal error (activity a-1)');
    expect(safeEngineMessage("Semantic error: 'X' not found\n  more")).toBe("Semantic error: 'X' not found");
  });
});
