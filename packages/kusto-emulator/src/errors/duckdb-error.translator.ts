/**
 * DuckDB's errors as Kusto errors. DuckDB messages name the compiled SQL (`LINE 24: LIMIT CAST($10 AS BIGINT)`),
 * its types (INT64, INT128) and its tuning knobs, none of which a Kusto client can act on, and which tell a caller
 * how the engine is built. So the answer says in Kusto terms what went wrong; DuckDB's own text stays in the
 * engine's log, attached as the error's `cause`.
 *
 * The class of a DuckDB error is the prefix of its message (`Out of Range Error: …`); DuckDB keeps those stable.
 */
import { JS_UNSUPPORTED_MARK } from '../compiler/sql/functions/js-scalar-function.js';
import { KustoEngineError, KustoErrorCode } from './kusto-engine-error.js';

/** `Conversion Error: Could not convert …` → `Conversion`. */
export function duckDbErrorClass(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  return /^([A-Za-z ]+?) Error: /.exec(message)?.[1];
}

export function isDuckDbInterrupt(error: unknown): boolean {
  return duckDbErrorClass(error)?.toUpperCase() === 'INTERRUPT';
}

/** What a value error was, in words a KQL author knows, from DuckDB's message (which is never shown itself). */
function valueProblem(message: string): string {
  // A macro refusing a value it cannot handle as ADX does (error('… is not supported by the embedded engine …')).
  const refused = /Invalid Input Error: (.*is not supported by the embedded engine.*)$/m.exec(message);
  if (refused) {
    return refused[1];
  }
  if (/LIMIT|OFFSET/.test(message)) {
    return 'a row count (take, top, limit) is negative or too large';
  }
  if (/overflow/i.test(message)) {
    return 'an arithmetic result does not fit its type (overflow)';
  }
  if (/timestamp|date|interval|time zone/i.test(message)) {
    return 'a datetime or timespan falls outside Kusto’s range (years 0001-9999, ±10675199 days)';
  }
  if (/larger than|too large/i.test(message)) {
    return 'a list or range is larger than the engine supports';
  }
  if (/out of range/i.test(message)) {
    return 'a number is out of range for its type';
  }
  return 'a value cannot be converted to the type it is used as';
}

/**
 * A DuckDB failure of a running query as the Kusto error its client gets. `memoryLimit` is the engine's memory limit
 * as configured, for the message of a query that exceeds it.
 */
export function fromDuckDbError(error: unknown, options: { memoryLimit?: string } = {}): KustoEngineError {
  if (error instanceof KustoEngineError) {
    return error;
  }
  const errorClass = duckDbErrorClass(error);
  const message = error instanceof Error ? error.message : String(error);
  // A JavaScript scalar function refused an input it cannot answer as ADX does: its own message, as a refusal.
  const refusal = message.indexOf(JS_UNSUPPORTED_MARK);
  if (refusal >= 0) {
    return new KustoEngineError(
      KustoErrorCode.NotSupported,
      message.slice(refusal + JS_UNSUPPORTED_MARK.length).trim(),
      {},
      { cause: error },
    );
  }
  // Binding happens when the statement runs: the one binder error a compiled query can hit is a value-dependent
  // one (a negative LIMIT); any other is a compiler bug, reported as such below.
  const valueError =
    errorClass === 'Out of Range' ||
    errorClass === 'Conversion' ||
    errorClass === 'Invalid Input' ||
    (errorClass === 'Binder' && /LIMIT|OFFSET/.test(message));
  if (valueError) {
    return new KustoEngineError(
      KustoErrorCode.ValueOutOfRange,
      `Query execution failed: ${valueProblem(message)}. Check the values the query gets (its parameters, or the data it reads).`,
      {},
      { cause: error },
    );
  }
  if (errorClass === 'Out of Memory') {
    return new KustoEngineError(
      KustoErrorCode.LimitsExceeded,
      `Query execution has exceeded the allowed limits: it needs more memory than the engine's limit${
        options.memoryLimit ? ` of ${options.memoryLimit}` : ''
      } (E_LOW_MEMORY_CONDITION). Reduce the data the query reads or keeps (a shorter time range, fewer groups).`,
      {},
      { cause: error },
    );
  }
  return new KustoEngineError(
    KustoErrorCode.Internal,
    'Internal engine error while running the query; the engine log has the details.',
    {},
    { cause: error },
  );
}
