/**
 * Math and bitwise functions of the KQL reference that DuckDB has (or composes) exactly. Out-of-domain inputs give
 * NaN where ADX does (asin/acos of |x| > 1; DuckDB would stop the query instead).
 */
import type { FunctionMapping } from '../function-map.js';

const scalar = (sql: string): FunctionMapping => ({ sql });

const INTEGRAL = ['long', 'int'] as const;

function bitwise(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const a of INTEGRAL) {
    out[`binary_not(${a})`] = scalar('(~CAST({0} AS BIGINT))');
    out[`bitset_count_ones(${a})`] = scalar('CAST(bit_count(CAST({0} AS BIGINT)) AS BIGINT)');
    for (const b of INTEGRAL) {
      out[`binary_and(${a},${b})`] = scalar('(CAST({0} AS BIGINT) & CAST({1} AS BIGINT))');
      out[`binary_or(${a},${b})`] = scalar('(CAST({0} AS BIGINT) | CAST({1} AS BIGINT))');
      out[`binary_xor(${a},${b})`] = scalar('xor(CAST({0} AS BIGINT), CAST({1} AS BIGINT))');
      // A shift by 64 or more (or a negative one) has no defined result in ADX; null rather than a guess.
      out[`binary_shift_left(${a},${b})`] = scalar(
        '(CASE WHEN {1} BETWEEN 0 AND 63 THEN CAST({0} AS BIGINT) << CAST({1} AS BIGINT) END)',
      );
      out[`binary_shift_right(${a},${b})`] = scalar(
        '(CASE WHEN {1} BETWEEN 0 AND 63 THEN CAST({0} AS BIGINT) >> CAST({1} AS BIGINT) END)',
      );
    }
  }
  return out;
}

export const MATH_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...bitwise(),
  asin: scalar("(CASE WHEN abs({0}) <= 1 THEN asin({0}) ELSE 'NaN'::DOUBLE END)"),
  acos: scalar("(CASE WHEN abs({0}) <= 1 THEN acos({0}) ELSE 'NaN'::DOUBLE END)"),
  cot: scalar('(1.0 / tan({0}))'),
  degrees: scalar('degrees({0})'),
  radians: scalar('radians({0})'),
  gamma: scalar('gamma({0})'),
  loggamma: scalar('lgamma({0})'),
  // around(value, center, delta): within delta of center, both ends included (ticks for datetimes).
  around: scalar('({0} BETWEEN {1} - {2} AND {1} + {2})'),
};
