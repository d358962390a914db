/**
 * Scalar functions DuckDB cannot express in SQL, written in JavaScript and registered on each connection that runs
 * compiled KQL (`registerJsScalarFunctions`). Each costs a round trip into V8 per chunk of rows and a call per row
 * (measured in bench/kql-functions.bench.ts, see docs/performance.md), so only what SQL cannot do lives here.
 *
 * `kql_xxhash64_*`: ADX's `hash()` / `hash_xxhash64()` is XXH64 with seed 0 over the value's bytes — a string's
 * UTF-8 bytes, a long's or a datetime's 8 little-endian bytes (its ticks) — read as a signed 64-bit integer. The
 * hashing itself is xxhash-wasm's, checked against the reference's documented outputs in the spec.
 */
import {
  BIGINT,
  DuckDBScalarFunction,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBType,
} from '@duckdb/node-api';
import xxhash from 'xxhash-wasm';
import { registerJsFunctions } from './js-function-registrar.js';

type XxHash = Awaited<ReturnType<typeof xxhash>>;

let hasher: Promise<XxHash> | undefined;

const utf8 = new TextEncoder();

function xxhash64OfLong(h: XxHash, value: bigint): bigint {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value, true);
  return BigInt.asIntN(64, h.h64Raw(bytes, 0n));
}

interface JsScalarFunction<T> {
  name: string;
  parameter: DuckDBType;
  readonly hash: (h: XxHash, value: T) => bigint;
}

const FUNCTIONS: readonly (JsScalarFunction<string> | JsScalarFunction<bigint>)[] = [
  {
    name: 'kql_xxhash64_string',
    parameter: VARCHAR,
    hash: (h: XxHash, value: string) => BigInt.asIntN(64, h.h64Raw(utf8.encode(value), 0n)),
  },
  { name: 'kql_xxhash64_long', parameter: BIGINT, hash: xxhash64OfLong },
];

/** Registers the functions on `connection`; safe to call again for the same connection. */
export async function registerJsScalarFunctions(connection: DuckDBConnection): Promise<void> {
  hasher ??= xxhash();
  const h = await hasher;
  for (const fn of FUNCTIONS) {
    const hash = fn.hash as (h: XxHash, value: string | bigint) => bigint;
    connection.registerScalarFunction(
      DuckDBScalarFunction.create({
        name: fn.name,
        returnType: BIGINT,
        parameterTypes: [fn.parameter],
        mainFunction: (_info, input, output) => {
          const values = input.getColumnVector(0);
          for (let row = 0; row < input.rowCount; row++) {
            const value = values.getItem(row) as string | bigint | null;
            output.setItem(row, value === null ? null : hash(h, value));
          }
          output.flush();
        },
      }),
    );
  }
  // The geospatial family loads its libraries (h3-js, s2js) on the first registration, not at start-up.
  registerJsFunctions(connection, (await import('./geo-js-functions.js')).GEO_JS_FUNCTIONS);
  registerJsFunctions(connection, (await import('./string-js-functions.js')).STRING_JS_FUNCTIONS);
  registerJsFunctions(connection, (await import('./time-zone-js-functions.js')).TIME_ZONE_JS_FUNCTIONS);
  registerJsFunctions(connection, (await import('./punycode-js-functions.js')).PUNYCODE_JS_FUNCTIONS);
  registerJsFunctions(connection, (await import('./special-math-js-functions.js')).SPECIAL_MATH_JS_FUNCTIONS);
}
