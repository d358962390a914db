/**
 * Every JavaScript scalar function the compiled SQL may call; the storage layer registers this list once per
 * DuckDB database, on first use, so their libraries load only when a query runs. One line per family.
 */
import { GEO_JS_FUNCTIONS } from './geo-js-functions.js';
import type { JsScalarFunction } from './js-scalar-function.js';

export const JS_SCALAR_FUNCTIONS: readonly JsScalarFunction[] = [...GEO_JS_FUNCTIONS];
