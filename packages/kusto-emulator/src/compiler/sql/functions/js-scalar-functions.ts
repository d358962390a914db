/**
 * Scalar functions DuckDB cannot express in SQL, written in JavaScript and registered on each connection that runs
 * compiled KQL (`registerJsScalarFunctions`, called by the storage layer). One line per family; each family's
 * module is loaded on the first registration, so its libraries cost nothing at start-up.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { registerJsFunctions } from './js-function-registrar.js';

/** Registers the functions on `connection`; safe to call again for the same connection. */
export async function registerJsScalarFunctions(connection: DuckDBConnection): Promise<void> {
  registerJsFunctions(connection, (await import('./geo-js-functions.js')).GEO_JS_FUNCTIONS);
}
