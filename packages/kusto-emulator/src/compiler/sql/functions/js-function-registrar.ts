/**
 * Registers JavaScript scalar functions described as JsScalarFunction on a DuckDB connection: any number of
 * arguments of any type (`ANY` varargs), read row by row with nulls included (special null handling), so each
 * function decides what a null argument means, as its Kusto counterpart does. A JsScalarUnsupportedError is
 * marked in the error text for the DuckDB error translator.
 */
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBDecimalValue,
  DuckDBScalarFunction,
  INTEGER,
  VARCHAR,
  ANY,
  type DuckDBConnection,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import {
  JS_UNSUPPORTED_MARK,
  JsScalarUnsupportedError,
  type JsScalarArgument,
  type JsScalarFunction,
  type JsScalarReturnType,
} from './js-scalar-function.js';

const RETURN_TYPES: Readonly<Record<JsScalarReturnType, DuckDBType>> = {
  VARCHAR,
  DOUBLE,
  INTEGER,
  BIGINT,
  BOOLEAN,
};

export function registerJsFunctions(
  connection: DuckDBConnection,
  functions: readonly JsScalarFunction[],
): void {
  for (const fn of functions) {
    const bigint = fn.returns === 'BIGINT';
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name: fn.name,
        returnType: RETURN_TYPES[fn.returns],
        varArgsType: ANY,
        specialHandling: true,
        mainFunction: (info, input, output) => {
          const columns = Array.from({ length: input.columnCount }, (_, i) => input.getColumnVector(i));
          try {
            for (let row = 0; row < input.rowCount; row++) {
              const result = fn.call(columns.map((column) => jsArgument(column.getItem(row))));
              output.setItem(row, bigint && typeof result === 'number' ? BigInt(result) : result);
            }
            output.flush();
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            info.setError(
              error instanceof JsScalarUnsupportedError ? `${JS_UNSUPPORTED_MARK}${message}` : message,
            );
          }
        },
      }),
    );
  }
}

function jsArgument(value: DuckDBValue): JsScalarArgument {
  if (
    value === null ||
    typeof value === 'number' ||
    typeof value === 'string' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (value instanceof DuckDBDecimalValue) {
    return value.toDouble();
  }
  return String(value);
}
