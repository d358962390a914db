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

/** The Kusto type a JavaScript function's result has in the query. */
export type KustoResult = 'string' | 'int' | 'long' | 'real' | 'bool' | 'dynamic';

/** How each Kusto result crosses back into DuckDB: dynamic values as JSON text, cast by the template. */
export const JS_RETURN_TYPES: Readonly<Record<KustoResult, JsScalarReturnType>> = {
  string: 'VARCHAR',
  int: 'INTEGER',
  long: 'BIGINT',
  real: 'DOUBLE',
  bool: 'BOOLEAN',
  dynamic: 'VARCHAR',
};

/** The SQL name DuckDB knows a JavaScript function by. */
export const jsSqlName = (kqlName: string): string => `kql_${kqlName}`;

/**
 * The function-map rows of a family of JavaScript functions declared by name and Kusto result: each calls its
 * `kql_<name>` with every argument, and a dynamic result is cast to the JSON type dynamic values have.
 */
export function jsFunctionMap(
  results: Readonly<Record<string, KustoResult>>,
): Record<string, { readonly sql: string }> {
  return Object.fromEntries(
    Object.entries(results).map(([name, result]) => [
      name,
      { sql: result === 'dynamic' ? `CAST(${jsSqlName(name)}({*}) AS JSON)` : `${jsSqlName(name)}({*})` },
    ]),
  );
}

export interface JsScalarFunction {
  readonly name: string;
  readonly returns: JsScalarReturnType;
  /**
   * Called once per row with every argument, nulls included (Kusto functions give their own answer to a null
   * argument, often not null: `geo_point_to_h3cell(1, 1, int(null))` is `""`). Any number of arguments.
   */
  readonly call: (args: readonly JsScalarArgument[]) => JsScalarResult;
}

/** A family's functions from its declared results and its implementations, both keyed by KQL name. */
export function jsScalarFunctions<Name extends string>(
  results: Readonly<Record<Name, KustoResult>>,
  calls: Readonly<Record<Name, JsScalarFunction['call']>>,
): JsScalarFunction[] {
  return (Object.keys(calls) as Name[]).map((name) => ({
    name: jsSqlName(name),
    returns: JS_RETURN_TYPES[results[name]],
    call: calls[name],
  }));
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
