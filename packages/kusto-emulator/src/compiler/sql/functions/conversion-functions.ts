/**
 * Conversions whose SQL needs more than a cast.
 *
 * `gettype()`: a typed scalar's type is known when the query compiles, so its name is a constant (a null of a
 * type is still that type in ADX); only a dynamic value is inspected at run time. Dynamic whole numbers that fit in
 * 32 bits are `int`, as ADX's parse_json makes them (`gettype(parse_json('1'))` is documented as `int`).
 */
import type { FunctionMapping } from '../function-map.js';

const scalar = (sql: string): FunctionMapping => ({ sql });

const STATIC_TYPES = [
  'string',
  'long',
  'int',
  'real',
  'bool',
  'datetime',
  'timespan',
  'guid',
  'decimal',
] as const;

export const CONVERSION_MACROS: readonly string[] = [
  `CREATE OR REPLACE MACRO kql_integer_type(d) AS (CASE WHEN CAST(d AS HUGEINT) BETWEEN -2147483648 AND 2147483647 THEN 'int' ELSE 'long' END)`,
  `CREATE OR REPLACE MACRO kql_gettype(d) AS (CASE WHEN d IS NULL THEN 'null' ELSE CASE json_type(d) WHEN 'OBJECT' THEN 'dictionary' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN kql_integer_type(d) WHEN 'UBIGINT' THEN kql_integer_type(d) WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' WHEN 'NULL' THEN 'null' ELSE lower(json_type(d)) END END)`,
];

function gettype(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const type of STATIC_TYPES) {
    // The argument is named (every template must use all its arguments) but never needed: coalesce stops first.
    out[`gettype(${type})`] = scalar(`coalesce('${type}', CAST({0} AS VARCHAR))`);
  }
  out['gettype(dynamic)'] = scalar('kql_gettype({0})');
  return out;
}

/** `tohex(n[, minLength])`: two's complement hex of the value's own width (int 32 bits, long 64), lower case. */
function tohex(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  // An int keeps its low 32 bits (DuckDB prints every integer at 64).
  const widths: Record<string, string> = {
    long: 'CAST({0} AS BIGINT)',
    int: '(CAST({0} AS BIGINT) & 4294967295)',
  };
  for (const [type, value] of Object.entries(widths)) {
    const hex = `lower(hex(${value}))`;
    out[`tohex(${type})`] = scalar(hex);
    for (const n of Object.keys(widths)) {
      // A minimum length shorter than the digits is ignored (lpad would cut them).
      out[`tohex(${type},${n})`] = scalar(
        `lpad(${hex}, CAST(greatest(length(${hex}), {1}) AS INTEGER), '0')`,
      );
    }
  }
  return out;
}

export const CONVERSION_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...gettype(),
  ...tohex(),
};
