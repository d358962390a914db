import { describe, expect, it } from 'vitest';
import { JS_UNSUPPORTED_MARK } from '../compiler/sql/functions/js-scalar-function.js';
import { fromDuckDbError } from './duckdb-error.translator.js';
import { KustoErrorCode } from './kusto-engine-error.js';

const duckDb = (message: string): Error => new Error(message);

describe(fromDuckDbError.name, () => {
  it('should tell value errors in Kusto terms and keep DuckDB text only as the cause', () => {
    const negative = duckDb(
      'Binder Error: LIMIT/OFFSET cannot be negative\n\nLINE 24:   LIMIT CAST($10 AS BIGINT)\n                 ^',
    );
    const error = fromDuckDbError(negative);
    expect(error.code).toBe(KustoErrorCode.ValueOutOfRange);
    expect(error.message).toBe(
      'Query execution failed: a row count (take, top, limit) is negative or too large. Check the values the query gets (its parameters, or the data it reads).',
    );
    expect(error.cause).toBe(negative);
    expect(
      fromDuckDbError(duckDb('Conversion Error: Date and time not in timestamp range')).message,
    ).toContain('a datetime or timespan falls outside Kusto’s range');
    expect(fromDuckDbError(duckDb("Conversion Error: Could not convert string 'abc' to INT32")).message).toBe(
      'Query execution failed: a value cannot be converted to the type it is used as. Check the values the query gets (its parameters, or the data it reads).',
    );
  });

  it('should pass on what a function refused at run time, without the SQL around it', () => {
    const refused = fromDuckDbError(
      duckDb(
        'Invalid Input Error: bag key $.a[0] is not supported by the embedded engine (only plain names and $.a.b paths)',
      ),
    );
    expect(refused.message).toBe(
      'Query execution failed: bag key $.a[0] is not supported by the embedded engine (only plain names and $.a.b paths). Check the values the query gets (its parameters, or the data it reads).',
    );
  });

  it('should report a memory limit with its size, and anything else as an internal error without its text', () => {
    const oom = fromDuckDbError(duckDb('Out of Memory Error: failed to allocate data of size 16.0 MiB'), {
      memoryLimit: '1GB',
    });
    expect(oom.code).toBe(KustoErrorCode.LimitsExceeded);
    expect(oom.message).toContain("more memory than the engine's limit of 1GB (E_LOW_MEMORY_CONDITION)");
    const internal = fromDuckDbError(
      duckDb('Binder Error: Referenced column "x" not found\nLINE 1: SELECT x'),
    );
    expect(internal.code).toBe(KustoErrorCode.Internal);
    expect(internal.message).toBe(
      'Internal engine error while running the query; the engine log has the details.',
    );
  });

  it("should pass on a JavaScript function's refusal as a not-supported error with its own message", () => {
    const refusal = duckDb(
      `Invalid Input Error: ${JS_UNSUPPORTED_MARK}geo_polygon_area() of a MultiPolygon with several polygons is not supported by the embedded engine`,
    );
    const error = fromDuckDbError(refusal);
    expect(error.code).toBe(KustoErrorCode.NotSupported);
    expect(error.message).toBe(
      'geo_polygon_area() of a MultiPolygon with several polygons is not supported by the embedded engine',
    );
  });
});
