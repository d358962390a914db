/**
 * The error function and the beta distribution: `erf`, `erfc`, `beta_cdf`, `beta_pdf`, `beta_inv`. DuckDB has none
 * of them, so they are JavaScript functions (special-math-js-functions.ts, loaded by the storage layer) over
 * stdlib's implementations; this file declares their names and Kusto results for the compiler.
 */
import type { FunctionMapping } from '../function-map.js';
import { jsFunctionMap, type KustoResult } from './js-scalar-function.js';

export const SPECIAL_MATH_FUNCTION_RESULTS = {
  erf: 'real',
  erfc: 'real',
  beta_cdf: 'real',
  beta_pdf: 'real',
  beta_inv: 'real',
} as const satisfies Record<string, KustoResult>;

export type SpecialMathFunctionName = keyof typeof SPECIAL_MATH_FUNCTION_RESULTS;

export const SPECIAL_MATH_FUNCTION_MAP: Readonly<Record<string, FunctionMapping>> = jsFunctionMap(
  SPECIAL_MATH_FUNCTION_RESULTS,
);
