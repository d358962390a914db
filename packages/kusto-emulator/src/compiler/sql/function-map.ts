/**
 * KQL operators and functions → DuckDB SQL, as data. A key is the KQL name (operators use their
 * Kusto.Language SyntaxKind, e.g. `HasExpression`), optionally specialised by argument types:
 * the lowerer looks up `name(t0,t1)`, then `name(t0)`, then `name`, so type-specific semantics (integer
 * division, datetime `bin`, `tostring(datetime)`) are rows of this table, not `if` chains.
 *
 * Templates insert already-emitted argument SQL: `{0}`, `{1}` … one argument; `{*}` all arguments, comma
 * separated; `{1..}` arguments from index 1. Templates are constant text — user values only ever arrive
 * inside arguments, as parameters.
 *
 * `kql_*` names are macros created by `duckDbSetupSql()`.
 */

import { GEO_FUNCTION_MAP } from './functions/geo-functions.js';
import { ARRAY_FUNCTIONS } from './functions/array-functions.js';
import { CONVERSION_FUNCTIONS } from './functions/conversion-functions.js';
import { IP_FUNCTIONS } from './functions/ip-functions.js';
import { MATH_FUNCTIONS } from './functions/math-functions.js';
import { PUNYCODE_FUNCTION_MAP } from './functions/punycode-functions.js';
import { SPECIAL_MATH_FUNCTION_MAP } from './functions/special-math-functions.js';
import { SERIES_FUNCTIONS } from './functions/series-functions.js';
import { STRING_FUNCTIONS } from './functions/string-functions.js';
import { TIME_ZONE_FUNCTIONS } from './functions/time-zone-functions.js';
import { UNICODE_HASH_FUNCTIONS } from './functions/unicode-hash-functions.js';

export interface FunctionMapping {
  readonly sql: string;
  /** Aggregate functions may only appear in `summarize`/`make-series` (and are emitted there). */
  readonly aggregate?: boolean;
}

const scalar = (sql: string): FunctionMapping => ({ sql });
const aggregate = (sql: string): FunctionMapping => ({ sql, aggregate: true });

const INTEGRAL = ['int', 'long'] as const;

/** `startofday(dt[, offset])` & co (macros in duckdb-setup.ts); `endof…` is the next period's start less a tick. */
function periods(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const unit of ['day', 'week', 'month', 'year']) {
    out[`startof${unit}`] = scalar(`kql_startof${unit}({0}, 0)`);
    out[`endof${unit}`] = scalar(`(kql_startof${unit}({0}, 1) - 1)`);
    for (const t of INTEGRAL) {
      out[`startof${unit}(datetime,${t})`] = scalar(`kql_startof${unit}({0}, {1})`);
      out[`endof${unit}(datetime,${t})`] = scalar(`(kql_startof${unit}({0}, {1} + 1) - 1)`);
    }
  }
  return out;
}

function integralDivision(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const a of INTEGRAL) {
    for (const b of INTEGRAL) {
      // Kusto (like C#) truncates integer division toward zero; DuckDB's `//` does the same for integers.
      out[`DivideExpression(${a},${b})`] = scalar('({0} // {1})');
    }
  }
  return out;
}

/** A dynamic value compared/combined with a typed scalar is read as that type (`{0}`: the dynamic value). */
const FROM_DYNAMIC: Readonly<Record<string, string>> = {
  string: "json_extract_string({0}, '$')",
  long: "TRY_CAST(json_extract_string({0}, '$') AS BIGINT)",
  int: "TRY_CAST(json_extract_string({0}, '$') AS INTEGER)",
  real: "TRY_CAST(json_extract_string({0}, '$') AS DOUBLE)",
  decimal: "TRY_CAST(json_extract_string({0}, '$') AS DECIMAL(38,18))",
  bool: "TRY_CAST(json_extract_string({0}, '$') AS BOOLEAN)",
  datetime: "kql_parse_datetime(json_extract_string({0}, '$'))",
  timespan: "kql_parse_timespan(json_extract_string({0}, '$'))",
  guid: "TRY_CAST(json_extract_string({0}, '$') AS UUID)",
  /** `in~`: strings compared lower-cased. */
  lower: "lower(json_extract_string({0}, '$'))",
};

function fromDynamic(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const [type, sql] of Object.entries(FROM_DYNAMIC)) {
    if (type !== 'lower') {
      out[`from_dynamic/${type}`] = scalar(sql);
    }
  }
  return out;
}

/**
 * `x in (set)` where the set is a dynamic value (`{0}`: x, `{1}`: the set), its elements read as x's type and nulls
 * dropped so `!in` stays two-valued. A constant set (literal, query parameter) is an uncorrelated subquery, which
 * DuckDB hashes once (a 500-id lookup over 1M rows: ~50 ms against ~900 ms for `list_contains`); a set that varies
 * per row (a column) is a list test.
 */
function dynamicSetMembership(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const [type, sql] of Object.entries(FROM_DYNAMIC)) {
    const element = sql.replaceAll('{0}', 'kql_in_e');
    out[`in_dynamic_set/${type}`] = scalar(
      `({0} IN (SELECT kql_in_v FROM (SELECT ${element} AS kql_in_v FROM (SELECT unnest(kql_mv_items({1})) AS kql_in_e)) WHERE kql_in_v IS NOT NULL))`,
    );
    out[`in_dynamic_list/${type}`] = scalar(
      `list_contains(list_filter(list_transform(kql_mv_items({1}), kql_in_e -> ${element}), kql_in_v -> kql_in_v IS NOT NULL), {0})`,
    );
  }
  return out;
}

export const FUNCTION_MAP: Readonly<Record<string, FunctionMapping>> = Object.freeze({
  ...GEO_FUNCTION_MAP,
  // ── arithmetic ───────────────────────────────────────────────────────────────────────────────
  AddExpression: scalar('({0} + {1})'),
  SubtractExpression: scalar('({0} - {1})'),
  MultiplyExpression: scalar('({0} * {1})'),
  DivideExpression: scalar('({0} / {1})'),
  // Kusto's modulo is never negative: -14 % 12 == 10, 14 % -12 == 2.
  ModuloExpression: scalar('((({0} % {1}) + abs({1})) % abs({1}))'),
  ...integralDivision(),
  ...periods(),
  // Timespans are BIGINT ticks: + - and comparisons need no entry; scaling rounds back to whole ticks.
  'DivideExpression(timespan,timespan)': scalar('({0} / {1})'),
  'DivideExpression(timespan)': scalar('CAST({0} / {1} AS BIGINT)'),
  'MultiplyExpression(timespan)': scalar('CAST({0} * {1} AS BIGINT)'),
  'MultiplyExpression(long,timespan)': scalar('({0} * {1})'),
  'MultiplyExpression(int,timespan)': scalar('({0} * {1})'),
  'MultiplyExpression(real,timespan)': scalar('CAST({0} * {1} AS BIGINT)'),
  UnaryMinusExpression: scalar('(-{0})'),
  UnaryPlusExpression: scalar('{0}'),

  // ── comparison and logic ─────────────────────────────────────────────────────────────────────
  EqualExpression: scalar('({0} = {1})'),
  NotEqualExpression: scalar('({0} <> {1})'),
  LessThanExpression: scalar('({0} < {1})'),
  LessThanOrEqualExpression: scalar('({0} <= {1})'),
  GreaterThanExpression: scalar('({0} > {1})'),
  GreaterThanOrEqualExpression: scalar('({0} >= {1})'),
  AndExpression: scalar('({0} AND {1})'),
  OrExpression: scalar('({0} OR {1})'),
  not: scalar('(NOT {0})'),
  EqualTildeExpression: scalar('(lower({0}) = lower({1}))'),
  BangTildeExpression: scalar('(lower({0}) <> lower({1}))'),
  BetweenExpression: scalar('({0} BETWEEN {1} AND {2})'),
  NotBetweenExpression: scalar('(NOT ({0} BETWEEN {1} AND {2}))'),
  InExpression: scalar('({0} IN ({1..}))'),
  InCsExpression: scalar('({0} IN ({1..}))'),
  NotInExpression: scalar('({0} NOT IN ({1..}))'),
  NotInCsExpression: scalar('({0} NOT IN ({1..}))'),

  // ── string operators (Kusto: case-insensitive unless `_cs`) ──────────────────────────────────
  ContainsExpression: scalar('contains(lower({0}), lower({1}))'),
  NotContainsExpression: scalar('(NOT contains(lower({0}), lower({1})))'),
  ContainsCsExpression: scalar('contains({0}, {1})'),
  NotContainsCsExpression: scalar('(NOT contains({0}, {1}))'),
  StartsWithExpression: scalar('starts_with(lower({0}), lower({1}))'),
  NotStartsWithExpression: scalar('(NOT starts_with(lower({0}), lower({1})))'),
  StartsWithCsExpression: scalar('starts_with({0}, {1})'),
  NotStartsWithCsExpression: scalar('(NOT starts_with({0}, {1}))'),
  EndsWithExpression: scalar('ends_with(lower({0}), lower({1}))'),
  NotEndsWithExpression: scalar('(NOT ends_with(lower({0}), lower({1})))'),
  EndsWithCsExpression: scalar('ends_with({0}, {1})'),
  NotEndsWithCsExpression: scalar('(NOT ends_with({0}, {1}))'),
  // `has` family: the lowerer turns the term into a word-boundary regex (see term-pattern.ts).
  regex_match: scalar('coalesce(regexp_matches({0}, {1}), false)'),
  regex_not_match: scalar('(NOT coalesce(regexp_matches({0}, {1}), false))'),
  term_has: scalar(
    "coalesce(regexp_matches({0}, '(?i)(^|[^[:alnum:]])' || regexp_escape({1}) || '($|[^[:alnum:]])'), false)",
  ),
  term_has_cs: scalar(
    "coalesce(regexp_matches({0}, '(^|[^[:alnum:]])' || regexp_escape({1}) || '($|[^[:alnum:]])'), false)",
  ),
  term_hasprefix: scalar(
    "coalesce(regexp_matches({0}, '(?i)(^|[^[:alnum:]])' || regexp_escape({1})), false)",
  ),
  term_hasprefix_cs: scalar("coalesce(regexp_matches({0}, '(^|[^[:alnum:]])' || regexp_escape({1})), false)"),
  term_hassuffix: scalar(
    "coalesce(regexp_matches({0}, '(?i)' || regexp_escape({1}) || '($|[^[:alnum:]])'), false)",
  ),
  term_hassuffix_cs: scalar("coalesce(regexp_matches({0}, regexp_escape({1}) || '($|[^[:alnum:]])'), false)"),
  MatchesRegexExpression: scalar('coalesce(regexp_matches({0}, {1}), false)'),
  LikeExpression: scalar('({0} ILIKE {1})'),
  LikeCsExpression: scalar('({0} LIKE {1})'),
  NotLikeExpression: scalar('({0} NOT ILIKE {1})'),
  NotLikeCsExpression: scalar('({0} NOT LIKE {1})'),

  // ── null / emptiness / conditionals ──────────────────────────────────────────────────────────
  isnull: scalar('({0} IS NULL)'),
  isnotnull: scalar('({0} IS NOT NULL)'),
  isempty: scalar("({0} IS NULL OR CAST({0} AS VARCHAR) = '')"),
  isnotempty: scalar("({0} IS NOT NULL AND CAST({0} AS VARCHAR) <> '')"),
  'isempty(string)': scalar("({0} IS NULL OR {0} = '')"),
  'isnotempty(string)': scalar("({0} IS NOT NULL AND {0} <> '')"),
  coalesce: scalar('coalesce({*})'),
  isnan: scalar('isnan({0})'),
  isinf: scalar('isinf({0})'),
  isfinite: scalar('isfinite({0})'),

  // ── strings ─────────────────────────────────────────────────────────────────────────────────
  strlen: scalar('length({0})'),
  // A negative start counts from the end of the string.
  substring: scalar('substr({0}, kql_substring_start({0}, {1}))'),
  'substring(string,long,long)': scalar(
    'substr({0}, kql_substring_start({0}, {1}), greatest(CAST({2} AS BIGINT), 0))',
  ),
  'substring(string,int,int)': scalar(
    'substr({0}, kql_substring_start({0}, {1}), greatest(CAST({2} AS BIGINT), 0))',
  ),
  'substring(string,long,int)': scalar(
    'substr({0}, kql_substring_start({0}, {1}), greatest(CAST({2} AS BIGINT), 0))',
  ),
  'substring(string,int,long)': scalar(
    'substr({0}, kql_substring_start({0}, {1}), greatest(CAST({2} AS BIGINT), 0))',
  ),
  tolower: scalar('lower({0})'),
  toupper: scalar('upper({0})'),
  strcat: scalar('concat({*})'),
  strcat_delim: scalar('concat_ws({*})'),
  split: scalar('to_json(string_split({0}, {1}))'),
  'split(string,string,long)': scalar('to_json([string_split({0}, {1})[CAST({2} AS BIGINT) + 1]])'),
  'split(string,string,int)': scalar('to_json([string_split({0}, {1})[CAST({2} AS BIGINT) + 1]])'),
  replace_regex: scalar("regexp_replace({0}, {1}, {2}, 'g')"),
  replace_string: scalar('replace({0}, {1}, {2})'),
  replace: scalar("regexp_replace({2}, {0}, {1}, 'g')"),
  // ADX returns an empty string when the pattern does not match.
  extract: scalar("coalesce(regexp_extract({2}, {0}, CAST({1} AS INTEGER)), '')"),
  nullif_empty: scalar("nullif({0}, '')"),
  trim: scalar("regexp_replace({1}, '^(' || {0} || ')+|(' || {0} || ')+$', '', 'g')"),
  trim_start: scalar("regexp_replace({1}, '^(' || {0} || ')+', '')"),
  trim_end: scalar("regexp_replace({1}, '(' || {0} || ')+$', '')"),
  reverse: scalar('reverse({0})'),
  indexof: scalar('(strpos({0}, {1}) - 1)'),
  strrep: scalar('repeat({0}, CAST({1} AS BIGINT))'),
  'strrep(string,long,string)': scalar('kql_strrep_delim({0}, {1}, {2})'),
  'strrep(string,int,string)': scalar('kql_strrep_delim({0}, {1}, {2})'),
  countof: scalar('kql_countof({0}, {1})'),
  base64_encode_tostring: scalar('to_base64(encode({0}))'),
  // Text that is not base64, or bytes that are not UTF-8, decode to the empty string as in ADX.
  base64_decode_tostring: scalar("coalesce(try(decode(from_base64({0}))), '')"),
  // url_encode is absent on purpose: ADX writes lowercase escapes and a space as '+' (HttpUtility.UrlEncode);
  // DuckDB's url_encode writes %20 and uppercase escapes, and escapes another set of characters.
  url_decode: scalar('url_decode({0})'),
  strcmp: scalar('(CASE WHEN {0} < {1} THEN -1 WHEN {0} > {1} THEN 1 ELSE 0 END)'),

  // ── conversions ─────────────────────────────────────────────────────────────────────────────
  'tostring(string)': scalar("coalesce({0}, '')"),
  'tostring(datetime)': scalar("coalesce(kql_datetime_string({0}), '')"),
  'tostring(timespan)': scalar("coalesce(kql_timespan_string({0}), '')"),
  'tostring(dynamic)': scalar("coalesce(kql_dynamic_string({0}), '')"),
  'tostring(real)': scalar("coalesce(kql_real_string({0}), '')"),
  'tostring(bool)': scalar("coalesce(CASE WHEN {0} THEN 'true' ELSE 'false' END, '')"),
  tostring: scalar("coalesce(CAST({0} AS VARCHAR), '')"),
  'tolong(real)': scalar('TRY_CAST(trunc({0}) AS BIGINT)'),
  'toint(real)': scalar('TRY_CAST(trunc({0}) AS INTEGER)'),
  'tolong(decimal)': scalar('TRY_CAST(trunc({0}) AS BIGINT)'),
  'toint(decimal)': scalar('TRY_CAST(trunc({0}) AS INTEGER)'),
  // A datetime's long is its tick count since 0001-01-01, a timespan's its ticks: what is stored.
  'tolong(datetime)': scalar('{0}'),
  'tolong(timespan)': scalar('{0}'),
  'tolong(dynamic)': scalar("TRY_CAST(trunc(TRY_CAST(json_extract_string({0}, '$') AS DOUBLE)) AS BIGINT)"),
  'toint(dynamic)': scalar("TRY_CAST(trunc(TRY_CAST(json_extract_string({0}, '$') AS DOUBLE)) AS INTEGER)"),
  'tolong(string)': scalar(
    'coalesce(TRY_CAST({0} AS BIGINT), TRY_CAST(trunc(TRY_CAST({0} AS DOUBLE)) AS BIGINT))',
  ),
  'toint(string)': scalar(
    'coalesce(TRY_CAST({0} AS INTEGER), TRY_CAST(trunc(TRY_CAST({0} AS DOUBLE)) AS INTEGER))',
  ),
  tolong: scalar('TRY_CAST({0} AS BIGINT)'),
  toint: scalar('TRY_CAST({0} AS INTEGER)'),
  'toreal(dynamic)': scalar("TRY_CAST(json_extract_string({0}, '$') AS DOUBLE)"),
  toreal: scalar('TRY_CAST({0} AS DOUBLE)'),
  todouble: scalar('TRY_CAST({0} AS DOUBLE)'),
  'todouble(dynamic)': scalar("TRY_CAST(json_extract_string({0}, '$') AS DOUBLE)"),
  todecimal: scalar('TRY_CAST({0} AS DECIMAL(38,18))'),
  'todecimal(dynamic)': scalar("TRY_CAST(json_extract_string({0}, '$') AS DECIMAL(38,18))"),
  'tobool(dynamic)': scalar("TRY_CAST(json_extract_string({0}, '$') AS BOOLEAN)"),
  'tobool(string)': scalar(
    "(CASE lower({0}) WHEN 'true' THEN true WHEN 'false' THEN false WHEN '1' THEN true WHEN '0' THEN false ELSE NULL END)",
  ),
  tobool: scalar('TRY_CAST({0} AS BOOLEAN)'),
  toboolean: scalar('TRY_CAST({0} AS BOOLEAN)'),
  'todatetime(dynamic)': scalar("kql_parse_datetime(json_extract_string({0}, '$'))"),
  todatetime: scalar('kql_parse_datetime({0})'),
  'todatetime(datetime)': scalar('{0}'),
  'totimespan(dynamic)': scalar("kql_parse_timespan(json_extract_string({0}, '$'))"),
  'totimespan(string)': scalar('kql_parse_timespan({0})'),
  'totimespan(timespan)': scalar('{0}'),
  'totimespan(long)': scalar('{0}'),
  'toguid(dynamic)': scalar("TRY_CAST(json_extract_string({0}, '$') AS UUID)"),
  toguid: scalar('TRY_CAST({0} AS UUID)'),
  'todynamic(dynamic)': scalar('{0}'),
  'parse_json(dynamic)': scalar('{0}'),
  // The reference's deprecated spelling, still accepted by ADX.
  'parsejson(dynamic)': scalar('{0}'),
  parsejson: scalar('kql_parse_json({0})'),
  todynamic: scalar('kql_parse_json({0})'),
  parse_json: scalar('kql_parse_json({0})'),
  ...fromDynamic(),
  ...dynamicSetMembership(),
  'to_dynamic/string': scalar('to_json({0})'),
  'to_dynamic/long': scalar('to_json({0})'),
  'to_dynamic/int': scalar('to_json({0})'),
  'to_dynamic/real': scalar('to_json({0})'),
  'to_dynamic/decimal': scalar('to_json({0})'),
  'to_dynamic/bool': scalar('to_json({0})'),
  'to_dynamic/datetime': scalar('to_json(kql_datetime_string({0}))'),
  'to_dynamic/timespan': scalar('to_json(kql_timespan_string({0}))'),
  'to_dynamic/guid': scalar('to_json(CAST({0} AS VARCHAR))'),

  // ── dynamic ─────────────────────────────────────────────────────────────────────────────────
  json_path: scalar('json_extract({0}, {1})'),
  array_length: scalar(
    "(CASE WHEN json_type({0}) = 'ARRAY' THEN CAST(json_array_length({0}) AS BIGINT) END)",
  ),
  bag_keys: scalar("(CASE WHEN json_type({0}) = 'OBJECT' THEN to_json(json_keys({0})) END)"),
  pack_array: scalar('to_json([{*}])'),
  json_object: scalar('json_object({*})'),
  array_concat: scalar('kql_array_concat({0}, {1})'),
  array_sum: scalar('list_sum(CAST({0} AS DOUBLE[]))'),
  array_index_of: scalar('coalesce(list_position(CAST({0} AS JSON[]), to_json({1})) - 1, -1)'),
  set_has_element: scalar('list_contains(CAST({0} AS JSON[]), to_json({1}))'),
  ...CONVERSION_FUNCTIONS,
  ...ARRAY_FUNCTIONS,

  // ── datetime and timespan ─────────────────────────────────────────────────────────────────────
  'bin(datetime)': scalar('kql_bin_datetime({0}, {1})'),
  'bin(timespan)': scalar('kql_bin_timespan({0}, {1})'),
  // A bin size that is not positive gives null, as in ADX.
  'bin(long)': scalar('(CASE WHEN {1} > 0 THEN CAST(floor({0} / {1}) * {1} AS BIGINT) END)'),
  'bin(int)': scalar('(CASE WHEN {1} > 0 THEN CAST(floor({0} / {1}) * {1} AS INTEGER) END)'),
  bin: scalar('(CASE WHEN {1} > 0 THEN floor({0} / {1}) * {1} END)'),
  'floor(datetime)': scalar('kql_bin_datetime({0}, {1})'),
  'floor(timespan)': scalar('kql_bin_timespan({0}, {1})'),
  'floor(long)': scalar('CAST(floor({0} / {1}) * {1} AS BIGINT)'),
  floor: scalar('(floor({0} / {1}) * {1})'),
  bin_at: scalar('kql_bin_at({0}, {1}, {2})'),
  'bin_at(long)': scalar('CAST(floor(({0} - {2}) / {1}) * {1} + {2} AS BIGINT)'),
  'bin_at(real)': scalar('(floor(({0} - {2}) / {1}) * {1} + {2})'),
  datetime_part: scalar('kql_datetime_part({0}, {1})'),
  getyear: scalar('CAST(year(kql_ticks_timestamp({0})) AS INTEGER)'),
  getmonth: scalar('CAST(month(kql_ticks_timestamp({0})) AS INTEGER)'),
  monthofyear: scalar('CAST(month(kql_ticks_timestamp({0})) AS INTEGER)'),
  dayofmonth: scalar('CAST(day(kql_ticks_timestamp({0})) AS INTEGER)'),
  dayofyear: scalar('CAST(dayofyear(kql_ticks_timestamp({0})) AS INTEGER)'),
  hourofday: scalar('CAST(({0} // 36000000000) % 24 AS INTEGER)'),
  week_of_year: scalar('CAST(weekofyear(kql_ticks_timestamp({0})) AS INTEGER)'),
  weekofyear: scalar('CAST(weekofyear(kql_ticks_timestamp({0})) AS INTEGER)'),
  dayofweek: scalar('kql_dayofweek({0})'),
  format_datetime: scalar('kql_format_datetime({0}, {1})'),
  format_timespan: scalar('kql_timespan_string({0})'),
  datetime_add: scalar('kql_datetime_add({0}, {1}, {2})'),
  datetime_diff: scalar('kql_datetime_diff({0}, {1}, {2})'),
  // Whole seconds through TIMESTAMP (which validates the date), the fraction straight to ticks.
  make_datetime: scalar(
    'kql_timestamp_ticks(make_timestamp(CAST({0} AS BIGINT), CAST({1} AS BIGINT), CAST({2} AS BIGINT), 0, 0, 0))',
  ),
  'make_datetime(int,int,int,int,int)': scalar(
    'kql_timestamp_ticks(make_timestamp(CAST({0} AS BIGINT), CAST({1} AS BIGINT), CAST({2} AS BIGINT), CAST({3} AS BIGINT), CAST({4} AS BIGINT), 0))',
  ),
  'make_datetime(long,long,long,long,long)': scalar(
    'kql_timestamp_ticks(make_timestamp(CAST({0} AS BIGINT), CAST({1} AS BIGINT), CAST({2} AS BIGINT), CAST({3} AS BIGINT), CAST({4} AS BIGINT), 0))',
  ),
  'make_datetime(int,int,int,int,int,real)': scalar(
    'kql_timestamp_ticks(make_timestamp(CAST({0} AS BIGINT), CAST({1} AS BIGINT), CAST({2} AS BIGINT), CAST({3} AS BIGINT), CAST({4} AS BIGINT), 0)) + CAST(round({5} * 10000000) AS BIGINT)',
  ),
  'make_datetime(long,long,long,long,long,real)': scalar(
    'kql_timestamp_ticks(make_timestamp(CAST({0} AS BIGINT), CAST({1} AS BIGINT), CAST({2} AS BIGINT), CAST({3} AS BIGINT), CAST({4} AS BIGINT), 0)) + CAST(round({5} * 10000000) AS BIGINT)',
  ),
  make_timespan: scalar('CAST(({0} * 3600 + {1} * 60) * 10000000 AS BIGINT)'),
  // make_timespan(hour, minute, second) and (day, hour, minute, second): the second is real, rounded to ticks.
  make_timespan_seconds: scalar(
    'CAST(CAST({0} AS BIGINT) * 36000000000 + CAST({1} AS BIGINT) * 600000000 + round({2} * 10000000) AS BIGINT)',
  ),
  make_timespan_days: scalar(
    'CAST(CAST({0} AS BIGINT) * 864000000000 + CAST({1} AS BIGINT) * 36000000000 + CAST({2} AS BIGINT) * 600000000 + round({3} * 10000000) AS BIGINT)',
  ),
  unixtime_seconds_todatetime: scalar('(CAST(round({0} * 10000000) AS BIGINT) + 621355968000000000)'),
  unixtime_milliseconds_todatetime: scalar('(CAST(round({0} * 10000) AS BIGINT) + 621355968000000000)'),
  unixtime_microseconds_todatetime: scalar('(CAST(round({0} * 10) AS BIGINT) + 621355968000000000)'),
  unixtime_nanoseconds_todatetime: scalar('(CAST(floor({0} / 100) AS BIGINT) + 621355968000000000)'),
  // A nanosecond count above 2^53 loses digits as a double: integers stay integers.
  'unixtime_nanoseconds_todatetime(long)': scalar('(kql_floor_div({0}, 100) + 621355968000000000)'),
  'unixtime_nanoseconds_todatetime(int)': scalar('(kql_floor_div({0}, 100) + 621355968000000000)'),
  todays: scalar('({0} / 864000000000.0)'),
  tohours: scalar('({0} / 36000000000.0)'),
  tominutes: scalar('({0} / 600000000.0)'),
  toseconds: scalar('({0} / 10000000.0)'),
  tomilliseconds: scalar('({0} / 10000.0)'),

  // ── math ────────────────────────────────────────────────────────────────────────────────────
  abs: scalar('abs({0})'),
  round: scalar('round({0})'),
  'round(real,long)': scalar('round({0}, CAST({1} AS INTEGER))'),
  'round(real,int)': scalar('round({0}, CAST({1} AS INTEGER))'),
  'round(long,long)': scalar('CAST(round({0}, CAST({1} AS INTEGER)) AS BIGINT)'),
  'round(decimal,long)': scalar('round({0}, CAST({1} AS INTEGER))'),
  ceiling: scalar('ceil({0})'),
  log: scalar('(CASE WHEN {0} > 0 THEN ln({0}) END)'),
  log10: scalar('(CASE WHEN {0} > 0 THEN log10({0}) END)'),
  log2: scalar('(CASE WHEN {0} > 0 THEN log2({0}) END)'),
  exp: scalar('exp({0})'),
  exp2: scalar('pow(2, {0})'),
  exp10: scalar('pow(10, {0})'),
  pow: scalar('pow({0}, {1})'),
  sqrt: scalar('(CASE WHEN {0} >= 0 THEN sqrt({0}) END)'),
  sign: scalar('sign({0})'),
  pi: scalar('pi()'),
  sin: scalar('sin({0})'),
  cos: scalar('cos({0})'),
  tan: scalar('tan({0})'),
  atan: scalar('atan({0})'),
  atan2: scalar('atan2({0}, {1})'),
  rand: scalar('random()'),
  'rand(long)': scalar('CAST(floor(random() * {0}) AS BIGINT)'),
  max_of: scalar('greatest({*})'),
  min_of: scalar('least({*})'),
  new_guid: scalar('gen_random_uuid()'),
  ...MATH_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...UNICODE_HASH_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...TIME_ZONE_FUNCTIONS,
  ...PUNYCODE_FUNCTION_MAP,
  ...SPECIAL_MATH_FUNCTION_MAP,

  // ── series (dynamic arrays of numbers; macros in duckdb-setup.ts) ───────────────────────────
  kql_fit_line: scalar('kql_fit_line(kql_series({0}))'),
  kql_stats: scalar('kql_stats(kql_series({0}))'),
  series_stats_dynamic: scalar(
    'to_json(struct_insert(kql_stats(kql_series({0})), sum := list_sum(kql_series({0})), len := CAST(len(kql_series({0})) AS BIGINT)))',
  ),
  series_fill_forward: scalar('kql_series_fill_forward({0})'),
  series_fill_backward: scalar('kql_series_fill_backward({0})'),
  series_fill_linear: scalar('kql_series_fill_linear({0}, {1}, {2})'),
  series_decompose_part: scalar(
    'to_json(struct_extract(kql_decompose(kql_series({0}), {1}, {2}, {3}), {4}))',
  ),
  series_decompose_forecast: scalar(
    "to_json(struct_extract(kql_decompose(kql_series({0}), {2}, {3}, {1}), 'baseline'))",
  ),
  series_fill_const: scalar('kql_series_fill_const({0}, {1})'),
  series_add: scalar('kql_series_binary({0}, {1}, 0)'),
  series_subtract: scalar('kql_series_binary({0}, {1}, 1)'),
  series_multiply: scalar('kql_series_binary({0}, {1}, 2)'),
  series_divide: scalar('kql_series_binary({0}, {1}, 3)'),
  ...SERIES_FUNCTIONS,

  // ── aggregates ──────────────────────────────────────────────────────────────────────────────
  count: aggregate('count(*)'),
  countif: aggregate('count(*) FILTER (WHERE {0})'),
  'sum(long)': aggregate('CAST(sum({0}) AS BIGINT)'),
  'sum(int)': aggregate('CAST(sum({0}) AS BIGINT)'),
  'sum(timespan)': aggregate('CAST(sum({0}) AS BIGINT)'),
  sum: aggregate('sum({0})'),
  'sumif(long)': aggregate('CAST(sum({0}) FILTER (WHERE {1}) AS BIGINT)'),
  'sumif(int)': aggregate('CAST(sum({0}) FILTER (WHERE {1}) AS BIGINT)'),
  sumif: aggregate('sum({0}) FILTER (WHERE {1})'),
  'avg(timespan)': aggregate('CAST(avg({0}) AS BIGINT)'),
  avg: aggregate('avg({0})'),
  avgif: aggregate('avg({0}) FILTER (WHERE {1})'),
  min: aggregate('min({0})'),
  max: aggregate('max({0})'),
  minif: aggregate('min({0}) FILTER (WHERE {1})'),
  maxif: aggregate('max({0}) FILTER (WHERE {1})'),
  // Exact distinct counts: ADX estimates with HyperLogLog, so results can differ slightly above ~1000 values.
  dcount: aggregate('count(DISTINCT {0})'),
  dcountif: aggregate('count(DISTINCT {0}) FILTER (WHERE {1})'),
  count_distinct: aggregate('count(DISTINCT {0})'),
  count_distinctif: aggregate('count(DISTINCT {0}) FILTER (WHERE {1})'),
  // ADX uses nearest-rank percentiles; `quantile_disc` returns an element of the input, as ADX does.
  percentile: aggregate('quantile_disc({0}, {1})'),
  stdev: aggregate('stddev_samp({0})'),
  stdevif: aggregate('stddev_samp({0}) FILTER (WHERE {1})'),
  stdevp: aggregate('stddev_pop({0})'),
  variance: aggregate('var_samp({0})'),
  varianceif: aggregate('var_samp({0}) FILTER (WHERE {1})'),
  variancep: aggregate('var_pop({0})'),
  make_list: aggregate("coalesce(to_json(list({0}) FILTER (WHERE {0} IS NOT NULL)), '[]')"),
  'make_list(dynamic)': aggregate("coalesce(to_json(list({0}) FILTER (WHERE {0} IS NOT NULL)), '[]')"),
  make_list_with_nulls: aggregate("coalesce(to_json(list({0})), '[]')"),
  make_list_if: aggregate("coalesce(to_json(list({0}) FILTER (WHERE {0} IS NOT NULL AND {1})), '[]')"),
  make_set: aggregate("coalesce(to_json(list(DISTINCT {0}) FILTER (WHERE {0} IS NOT NULL)), '[]')"),
  make_set_if: aggregate(
    "coalesce(to_json(list(DISTINCT {0}) FILTER (WHERE {0} IS NOT NULL AND {1})), '[]')",
  ),
  // ADX collects the elements of array values (and other values as they are), in first-seen order.
  'make_set(dynamic)': aggregate(
    "coalesce(to_json(list_transform([flatten(list(kql_set_elements({0})) FILTER (WHERE json_type({0}) <> 'NULL'))], l -> list_filter(l, (x, i) -> list_position(l, x) = i))[1]), '[]')",
  ),
  'make_set_if(dynamic,bool)': aggregate(
    "coalesce(to_json(list_transform([flatten(list(kql_set_elements({0})) FILTER (WHERE json_type({0}) <> 'NULL' AND {1}))], l -> list_filter(l, (x, i) -> list_position(l, x) = i))[1]), '[]')",
  ),
  make_bag_if: aggregate(
    "coalesce(list_reduce(list({0}) FILTER (WHERE json_type({0}) = 'OBJECT' AND {1}), (a, b) -> json_merge_patch(a, b)), '{}')",
  ),
  binary_all_and: aggregate('bit_and({0})'),
  binary_all_or: aggregate('bit_or({0})'),
  binary_all_xor: aggregate('bit_xor({0})'),
  make_bag: aggregate(
    "coalesce(list_reduce(list({0}) FILTER (WHERE json_type({0}) = 'OBJECT'), (a, b) -> json_merge_patch(a, b)), '{}')",
  ),
  any: aggregate('any_value({0})'),
  take_any: aggregate('any_value({0})'),
  anyif: aggregate('any_value({0}) FILTER (WHERE {1})'),
  take_anyif: aggregate('any_value({0}) FILTER (WHERE {1})'),
  /** Internal: `arg_max(e, cols…)` keeps one row's columns together as a struct (see lowerer). */
  arg_max_struct: aggregate('coalesce(arg_max(struct_pack({1..=}), {0}), any_value(struct_pack({1..=})))'),
  arg_min_struct: aggregate('coalesce(arg_min(struct_pack({1..=}), {0}), any_value(struct_pack({1..=})))'),
  struct_pack: scalar('struct_pack({*})'),
  struct_field: scalar('struct_extract({0}, {1:field})'),
  struct_key: scalar('struct_extract({0}, {1})'),
  /** Internal: used by make-series to collect per-bin values. */
  series_bin_index: scalar('CAST(floor(({0}) / ({1})) AS BIGINT)'),
});

/** Whether a template uses every one of `count` arguments (so none would be silently dropped). */
export function acceptsArgumentCount(mapping: FunctionMapping, count: number): boolean {
  if (/\{\*\}/.test(mapping.sql)) {
    return true;
  }
  const used = new Set<number>();
  for (const m of mapping.sql.matchAll(/\{(\d+)(\.\.=?|:field)?\}/g)) {
    const i = Number(m[1]);
    if (m[2] === '..' || m[2] === '..=') {
      for (let k = i; k < count; k++) {
        used.add(k);
      }
    } else {
      used.add(i);
    }
  }
  for (let k = 0; k < count; k++) {
    if (!used.has(k)) {
      return false;
    }
  }
  return [...used].every((k) => k < count);
}

export function functionMapping(key: string): FunctionMapping | undefined {
  return Object.prototype.hasOwnProperty.call(FUNCTION_MAP, key) ? FUNCTION_MAP[key] : undefined;
}

/** The most specific mapping for a KQL function given its argument types (see module comment). */
export function resolveFunction(
  name: string,
  argTypes: readonly string[],
): { key: string; mapping: FunctionMapping } | undefined {
  const candidates = [`${name}(${argTypes.join(',')})`];
  for (let n = argTypes.length - 1; n >= 1; n--) {
    candidates.push(`${name}(${argTypes.slice(0, n).join(',')})`);
  }
  candidates.push(name);
  for (const key of candidates) {
    const mapping = functionMapping(key);
    if (mapping) {
      return { key, mapping };
    }
  }
  return undefined;
}
