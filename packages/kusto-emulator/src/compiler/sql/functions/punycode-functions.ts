/**
 * `punycode_from_string` and `punycode_to_string`: JavaScript functions (punycode-js-functions.ts, loaded by the
 * storage layer) declared here by name and Kusto result for the compiler. Spread into the function map.
 */
import type { FunctionMapping } from '../function-map.js';
import { jsFunctionMap, type KustoResult } from './js-scalar-function.js';

export const PUNYCODE_FUNCTION_RESULTS = {
  punycode_from_string: 'string',
  punycode_to_string: 'string',
} as const satisfies Record<string, KustoResult>;

export type PunycodeFunctionName = keyof typeof PUNYCODE_FUNCTION_RESULTS;

export const PUNYCODE_FUNCTION_MAP: Readonly<Record<string, FunctionMapping>> =
  jsFunctionMap(PUNYCODE_FUNCTION_RESULTS);
