/**
 * A KQL function DuckDB SQL cannot express, run by DuckDB as a JavaScript scalar function
 * (`DuckDBConnection.registerScalarFunction`, registered on each connection that runs compiled KQL). The compiled
 * SQL calls it by `name`; the function map holds the template that does so. Each call crosses from DuckDB's
 * vectors into JavaScript and back row by row (see docs/performance.md for the cost), so SQL stays the first
 * choice wherever it can express the semantics.
 */

/** One argument as the function sees it: DuckDB numbers of any width as `number`, text and JSON as `string`. */
export type JsScalarArgument = number | string | boolean | null;

export type JsScalarResult = number | string | boolean | null;

/** The DuckDB type the function returns; a `JSON` result is returned as text and cast by its template. */
export type JsScalarReturnType = 'VARCHAR' | 'DOUBLE' | 'INTEGER' | 'BIGINT' | 'BOOLEAN';

export interface JsScalarFunction {
  readonly name: string;
  readonly returns: JsScalarReturnType;
  /**
   * Called once per row with every argument, nulls included (Kusto functions give their own answer to a null
   * argument, often not null: `geo_point_to_h3cell(1, 1, int(null))` is `""`). Any number of arguments.
   */
  readonly call: (args: readonly JsScalarArgument[]) => JsScalarResult;
}

/**
 * Thrown by a function for an input it cannot answer as ADX does (its message reads "… is not supported by the
 * embedded engine"): the query fails with the engine's NotSupported error and this message, never a guess.
 */
export class JsScalarUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsScalarUnsupportedError';
  }
}

/** Marks a JsScalarUnsupportedError in the error text DuckDB carries back, for the DuckDB error translator. */
export const JS_UNSUPPORTED_MARK = '[kql-not-supported] ';
