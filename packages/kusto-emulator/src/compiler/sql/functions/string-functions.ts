/**
 * String functions of the KQL reference beyond the basics of function-map.ts. The ones SQL expresses directly are
 * DuckDB templates here; the ones it cannot (occurrence counting with ranges, simultaneous multi-string
 * replacement, CSV and URL parsing…) are JavaScript functions implemented in string-js-functions.ts and declared
 * here by name and Kusto result, so the compiler never loads their code. Spread into the function map with one line.
 *
 * Left out on purpose, so they keep failing with the engine's "not supported" error: parse_version (its 4×8-digit
 * decimal does not fit the engine's decimal), parse_command_line (Windows quoting rules the reference does not pin
 * down) and the compressors (ADX's compressed bytes depend on its zlib build and level; the decompressors are here).
 */
import type { FunctionMapping } from '../function-map.js';
import { jsFunctionMap, jsSqlName, type KustoResult } from './js-scalar-function.js';

export const STRING_JS_RESULTS = {
  indexof: 'long',
  indexof_regex: 'long',
  countof_regex: 'long',
  extract_all: 'dynamic',
  translate: 'string',
  replace_strings: 'string',
  strrep: 'string',
  format_bytes: 'string',
  has_any_index: 'long',
  parse_csv: 'dynamic',
  parse_url: 'dynamic',
  parse_path: 'dynamic',
  gzip_decompress_from_base64_string: 'string',
  zlib_decompress_from_base64_string: 'string',
} as const satisfies Record<string, KustoResult>;

export type StringJsFunctionName = keyof typeof STRING_JS_RESULTS;

const scalar = (sql: string): FunctionMapping => ({ sql });

/**
 * A value of another type where the reference says a string is "forcibly converted": its Kusto text form, as
 * `tostring()` gives it (the macros of duckdb-setup.ts), so `reverse(3h)` reverses `03:00:00`.
 */
const AS_STRING: Readonly<Record<string, string>> = {
  string: "coalesce({0}, '')",
  long: 'CAST({0} AS VARCHAR)',
  int: 'CAST({0} AS VARCHAR)',
  real: 'kql_real_string({0})',
  datetime: 'kql_datetime_string({0})',
  timespan: 'kql_timespan_string({0})',
  bool: "CASE WHEN {0} THEN 'true' ELSE 'false' END",
  guid: 'CAST({0} AS VARCHAR)',
  dynamic: 'kql_dynamic_string({0})',
};

/** `name(t)` rows that first convert the value argument of each type to its text, then apply `template`. */
function convertingFirstArgument(
  name: string,
  template: (text: string) => string,
): Record<string, FunctionMapping> {
  return Object.fromEntries(
    Object.entries(AS_STRING).map(([type, text]) => [`${name}(${type})`, scalar(template(text))]),
  );
}

/** strrep's value and delimiter are converted to text; the count is capped at 1024 as documented. */
function strrep(): Record<string, FunctionMapping> {
  return convertingFirstArgument('strrep', (text) => `${jsSqlName('strrep')}(${text}, {1..})`);
}

export const STRING_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...jsFunctionMap(STRING_JS_RESULTS),
  ...convertingFirstArgument('reverse', (text) => `reverse(${text})`),
  ...strrep(),
  'countof(string,string,string)': scalar(
    `(CASE lower({2}) WHEN 'normal' THEN kql_countof({0}, {1}) WHEN 'regex' THEN ${jsSqlName('countof_regex')}({0}, {1}) END)`,
  ),
  string_size: scalar('CAST(octet_length(encode({0})) AS BIGINT)'),
  isascii: scalar("NOT regexp_matches(coalesce({0}, ''), '[^\\x00-\\x7f]')"),
  // DuckDB text is always valid UTF-8, as every Kusto string that reached a table is.
  isutf8: scalar('({0} IS NULL OR true)'),
};
