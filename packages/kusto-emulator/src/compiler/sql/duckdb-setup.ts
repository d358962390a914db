/**
 * Macros the compiled SQL relies on; the engine runs these once per DuckDB connection (`duckDbSetupSql()`).
 * They hold Kusto semantics that are awkward to inline: tick-based `bin()` anchored at 0001-01-01 like
 * ADX, Kusto's datetime/timespan text forms, and the series functions over dynamic arrays.
 */

import { ARRAY_MACROS } from './functions/array-functions.js';
import { CONVERSION_MACROS } from './functions/conversion-functions.js';
import { IP_MACROS } from './functions/ip-functions.js';
import { UNICODE_HASH_MACROS } from './functions/unicode-hash-functions.js';

/**
 * Datetimes and timespans are BIGINT 100 ns ticks (datetimes since 0001-01-01, see `../kusto-time.ts`), so
 * arithmetic, comparison, `bin()` and day/week truncation are integer arithmetic. Month/year calendar work
 * goes through DuckDB `TIMESTAMP` (µs, years 1–9999) and keeps the sub-µs tick by integer arithmetic; the
 * same constants in TypeScript are in `kusto-time.ts`.
 */
const TICKS_PER_DAY = '864000000000';
const TICKS_PER_HOUR = '36000000000';
const TICKS_PER_MINUTE = '600000000';
const TICKS_PER_SECOND = '10000000';
/** Microseconds from 0001-01-01 (Kusto's tick origin) to 1970-01-01 (DuckDB's epoch). */
const KUSTO_EPOCH_OFFSET_US = '62135596800000000';
const KUSTO_EPOCH_OFFSET_TICKS = '621355968000000000';
const US_DATETIME_FORMATS =
  "['%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y', '%m-%d-%Y %H:%M:%S', '%m-%d-%Y']";
/** `-?[d.]hh:mm[:ss[.f…]]`, with named groups for `regexp_extract`. */
const TIMESPAN_CLOCK = "'^(-)?(?:(\\d+)\\.)?(\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?$'";

const TIME_MACROS: readonly string[] = [
  // Ticks ↔ TIMESTAMP. Datetime ticks are never negative, so `//` (which truncates) floors here.
  `CREATE OR REPLACE MACRO kql_ticks_timestamp(t) AS make_timestamp(t // 10 - ${KUSTO_EPOCH_OFFSET_US})`,
  `CREATE OR REPLACE MACRO kql_timestamp_ticks(ts) AS (epoch_us(ts) + ${KUSTO_EPOCH_OFFSET_US}) * 10`,
  // Floor division for values that may be negative (timespans, offsets from bin_at's anchor).
  `CREATE OR REPLACE MACRO kql_floor_div(a, b) AS (a // b - CASE WHEN a % b <> 0 AND ((a < 0) <> (b < 0)) THEN 1 ELSE 0 END)`,
  // bin(): anchored at 0001-01-01 for datetimes, like ADX; a span that is not positive gives null.
  `CREATE OR REPLACE MACRO kql_bin_datetime(t, span) AS (CASE WHEN span > 0 THEN t // span * span END)`,
  `CREATE OR REPLACE MACRO kql_bin_timespan(t, span) AS (CASE WHEN span > 0 THEN kql_floor_div(t, span) * span END)`,
  `CREATE OR REPLACE MACRO kql_bin_at(v, span, fixed) AS (kql_floor_div(v - fixed, span) * span + fixed)`,
  // startof*/endof* with Kusto's period offset; 0001-01-01 is a Monday and Kusto weeks start on Sunday.
  `CREATE OR REPLACE MACRO kql_startofday(t, n) AS (t - t % ${TICKS_PER_DAY} + CAST(n AS BIGINT) * ${TICKS_PER_DAY})`,
  `CREATE OR REPLACE MACRO kql_startofweek(t, n) AS ((t // ${TICKS_PER_DAY} - (t // ${TICKS_PER_DAY} + 1) % 7 + CAST(n AS BIGINT) * 7) * ${TICKS_PER_DAY})`,
  `CREATE OR REPLACE MACRO kql_startofmonth(t, n) AS kql_timestamp_ticks(CAST(date_trunc('month', kql_ticks_timestamp(t)) AS TIMESTAMP) + to_months(CAST(n AS INTEGER)))`,
  `CREATE OR REPLACE MACRO kql_startofyear(t, n) AS kql_timestamp_ticks(CAST(date_trunc('year', kql_ticks_timestamp(t)) AS TIMESTAMP) + to_years(CAST(n AS INTEGER)))`,
  `CREATE OR REPLACE MACRO kql_dayofweek(t) AS ((t // ${TICKS_PER_DAY} + 1) % 7 * ${TICKS_PER_DAY})`,
  `CREATE OR REPLACE MACRO kql_datetime_string(t) AS strftime(kql_ticks_timestamp(t), '%Y-%m-%dT%H:%M:%S') || '.' || lpad(CAST(t % ${TICKS_PER_SECOND} AS VARCHAR), 7, '0') || 'Z'`,
  // strftime stops at µs: the lowerer writes chr(1) for a 7-digit fraction (fffffff) and it is filled here.
  `CREATE OR REPLACE MACRO kql_format_datetime(t, fmt) AS replace(strftime(kql_ticks_timestamp(t), fmt), chr(1), lpad(CAST(t % ${TICKS_PER_SECOND} AS VARCHAR), 7, '0'))`,
  `CREATE OR REPLACE MACRO kql_timespan_abs_string(a) AS (CASE WHEN a >= ${TICKS_PER_DAY} THEN CAST(a // ${TICKS_PER_DAY} AS VARCHAR) || '.' ELSE '' END) || lpad(CAST((a // ${TICKS_PER_HOUR}) % 24 AS VARCHAR), 2, '0') || ':' || lpad(CAST((a // ${TICKS_PER_MINUTE}) % 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST((a // ${TICKS_PER_SECOND}) % 60 AS VARCHAR), 2, '0') || (CASE WHEN a % ${TICKS_PER_SECOND} <> 0 THEN '.' || lpad(CAST(a % ${TICKS_PER_SECOND} AS VARCHAR), 7, '0') ELSE '' END)`,
  `CREATE OR REPLACE MACRO kql_timespan_string(t) AS (CASE WHEN t < 0 THEN '-' ELSE '' END) || kql_timespan_abs_string(abs(t))`,
  // Text → ticks. TIMESTAMP_NS parses all 7 digits but only holds 1677–2262; TIMESTAMP covers the rest to the µs.
  // Last, the US month-first forms ADX also reads ("02/17/2016 08:40:01", "12-02-2022"), to the second.
  `CREATE OR REPLACE MACRO kql_parse_datetime(s) AS coalesce(kql_floor_div(epoch_ns(TRY_CAST(s AS TIMESTAMP_NS)), 100) + ${KUSTO_EPOCH_OFFSET_TICKS}, kql_timestamp_ticks(TRY_CAST(s AS TIMESTAMP)), kql_timestamp_ticks(try_strptime(s, ${US_DATETIME_FORMATS})))`,
  `CREATE OR REPLACE MACRO kql_clock_ticks(p) AS (CASE WHEN p['sign'] = '-' THEN -1 ELSE 1 END) * (coalesce(TRY_CAST(nullif(p['d'], '') AS BIGINT), 0) * ${TICKS_PER_DAY} + CAST(p['h'] AS BIGINT) * ${TICKS_PER_HOUR} + CAST(p['m'] AS BIGINT) * ${TICKS_PER_MINUTE} + coalesce(TRY_CAST(nullif(p['s'], '') AS BIGINT), 0) * ${TICKS_PER_SECOND} + CAST(rpad(left(p['f'], 7), 7, '0') AS BIGINT))`,
  `CREATE OR REPLACE MACRO kql_parse_timespan(s) AS (CASE WHEN regexp_matches(s, ${TIMESPAN_CLOCK}) THEN kql_clock_ticks(regexp_extract(s, ${TIMESPAN_CLOCK}, ['sign', 'd', 'h', 'm', 's', 'f'])) ELSE epoch_us(TRY_CAST(s AS INTERVAL)) * 10 END)`,
  `CREATE OR REPLACE MACRO kql_datetime_part(part, t) AS (CASE lower(part) WHEN 'year' THEN year(kql_ticks_timestamp(t)) WHEN 'quarter' THEN quarter(kql_ticks_timestamp(t)) WHEN 'month' THEN month(kql_ticks_timestamp(t)) WHEN 'week_of_year' THEN weekofyear(kql_ticks_timestamp(t)) WHEN 'day' THEN day(kql_ticks_timestamp(t)) WHEN 'dayofyear' THEN dayofyear(kql_ticks_timestamp(t)) WHEN 'hour' THEN (t // ${TICKS_PER_HOUR}) % 24 WHEN 'minute' THEN (t // ${TICKS_PER_MINUTE}) % 60 WHEN 'second' THEN (t // ${TICKS_PER_SECOND}) % 60 WHEN 'millisecond' THEN (t % ${TICKS_PER_SECOND}) // 10000 WHEN 'microsecond' THEN (t % ${TICKS_PER_SECOND}) // 10 WHEN 'nanosecond' THEN (t % ${TICKS_PER_SECOND}) * 100 END)`,
  // Calendar units move the date and keep the time of day to the tick; fixed units are tick arithmetic.
  `CREATE OR REPLACE MACRO kql_add_months(t, months) AS kql_timestamp_ticks(kql_ticks_timestamp(t) + to_months(CAST(months AS INTEGER))) + t % 10`,
  `CREATE OR REPLACE MACRO kql_datetime_add(part, n, t) AS (CASE lower(part) WHEN 'year' THEN kql_add_months(t, n * 12) WHEN 'quarter' THEN kql_add_months(t, n * 3) WHEN 'month' THEN kql_add_months(t, n) WHEN 'nanosecond' THEN t + CAST(n AS BIGINT) // 100 ELSE t + CAST(n AS BIGINT) * (CASE lower(part) WHEN 'week' THEN 7 * ${TICKS_PER_DAY} WHEN 'day' THEN ${TICKS_PER_DAY} WHEN 'hour' THEN ${TICKS_PER_HOUR} WHEN 'minute' THEN ${TICKS_PER_MINUTE} WHEN 'second' THEN ${TICKS_PER_SECOND} WHEN 'millisecond' THEN 10000 WHEN 'microsecond' THEN 10 END) END)`,
  // Periods crossed from b to a, as date_diff counts them; sub-second units on the ticks themselves.
  `CREATE OR REPLACE MACRO kql_datetime_diff(part, a, b) AS CAST((CASE lower(part) WHEN 'millisecond' THEN a // 10000 - b // 10000 WHEN 'microsecond' THEN a // 10 - b // 10 WHEN 'nanosecond' THEN (a - b) * 100 WHEN 'second' THEN a // ${TICKS_PER_SECOND} - b // ${TICKS_PER_SECOND} WHEN 'minute' THEN a // ${TICKS_PER_MINUTE} - b // ${TICKS_PER_MINUTE} WHEN 'hour' THEN a // ${TICKS_PER_HOUR} - b // ${TICKS_PER_HOUR} WHEN 'day' THEN a // ${TICKS_PER_DAY} - b // ${TICKS_PER_DAY} WHEN 'week' THEN (a // ${TICKS_PER_DAY} + 1) // 7 - (b // ${TICKS_PER_DAY} + 1) // 7 ELSE date_diff(lower(part), kql_ticks_timestamp(b), kql_ticks_timestamp(a)) END) AS BIGINT)`,
];

const MACROS: readonly string[] = [
  ...TIME_MACROS,
  ...ARRAY_MACROS,
  ...CONVERSION_MACROS,
  ...IP_MACROS,
  ...UNICODE_HASH_MACROS,
  // Kusto prints whole reals without a fractional part ("1", not "1.0").
  `CREATE OR REPLACE MACRO kql_real_string(r) AS (CASE WHEN isnan(r) THEN 'NaN' WHEN r = 'Infinity'::DOUBLE THEN 'Infinity' WHEN r = '-Infinity'::DOUBLE THEN '-Infinity' WHEN r = trunc(r) AND abs(r) < 1e15 THEN CAST(CAST(r AS BIGINT) AS VARCHAR) ELSE CAST(r AS VARCHAR) END)`,
  `CREATE OR REPLACE MACRO kql_dynamic_string(d) AS (CASE WHEN json_type(d) = 'VARCHAR' THEN json_extract_string(d, '$') WHEN json_type(d) = 'NULL' THEN NULL ELSE CAST(d AS VARCHAR) END)`,
  `CREATE OR REPLACE MACRO kql_parse_json(s) AS (CASE WHEN s IS NULL OR s = '' THEN NULL ELSE coalesce(TRY_CAST(s AS JSON), to_json(s)) END)`,
  `CREATE OR REPLACE MACRO kql_substring_start(s, start) AS (CASE WHEN start < 0 THEN greatest(length(s) + CAST(start AS BIGINT), 0) + 1 ELSE CAST(start AS BIGINT) + 1 END)`,
  `CREATE OR REPLACE MACRO kql_strrep_delim(s, n, d) AS array_to_string(list_transform(range(CAST(n AS BIGINT)), i -> s), d)`,
  // Overlapping occurrences, as ADX counts them: countof("aaaa", "aa") is 3.
  `CREATE OR REPLACE MACRO kql_countof(s, t) AS CAST(CASE WHEN length(t) = 0 THEN 0 ELSE length(list_filter(range(1, length(s) - length(t) + 2), i -> substr(s, i, length(t)) = t)) END AS BIGINT)`,
  `CREATE OR REPLACE MACRO kql_array_concat(a, b) AS to_json(list_concat(CAST(a AS JSON[]), CAST(b AS JSON[])))`,
  // mv-expand: the elements of an array, the entries of a bag, or the value itself; null expands to one null row.
  `CREATE OR REPLACE MACRO kql_mv_items(d) AS (CASE WHEN d IS NULL THEN [NULL::JSON] WHEN json_type(d) = 'ARRAY' THEN CAST(d AS JSON[]) WHEN json_type(d) = 'OBJECT' THEN list_transform(json_keys(d), k -> json_object(k, json_extract(d, '$.' || CAST(to_json(k) AS VARCHAR)))) ELSE [d] END)`,
  `CREATE OR REPLACE MACRO kql_mv_items_array(d) AS (CASE WHEN d IS NULL THEN [NULL::JSON] WHEN json_type(d) = 'ARRAY' THEN CAST(d AS JSON[]) WHEN json_type(d) = 'OBJECT' THEN list_transform(json_keys(d), k -> json_array(k, json_extract(d, '$.' || CAST(to_json(k) AS VARCHAR)))) ELSE [d] END)`,
  // ── series: dynamic arrays of numbers (null = missing) ─────────────────────────────────────────
  // Macros expand textually, so a value used several times is bound once with the `let` idiom
  // `list_transform([value], name -> body)[1]`; without it nested macros re-evaluate (and re-expand)
  // their arguments for every element.
  `CREATE OR REPLACE MACRO kql_series(d) AS CAST(d AS DOUBLE[])`,
  `CREATE OR REPLACE MACRO kql_series_fill_forward(d) AS list_transform([kql_series(d)], s -> to_json(list_transform(s, (x, i) -> coalesce(x, list_last(list_filter(list_slice(s, 1, i), y -> y IS NOT NULL))))))[1]`,
  `CREATE OR REPLACE MACRO kql_series_fill_backward(d) AS list_transform([kql_series(d)], s -> to_json(list_transform(s, (x, i) -> coalesce(x, list_first(list_filter(list_slice(s, i, len(s)), y -> y IS NOT NULL))))))[1]`,
  `CREATE OR REPLACE MACRO kql_series_fill_const(d, c) AS to_json(list_transform(kql_series(d), x -> coalesce(x, c)))`,
  `CREATE OR REPLACE MACRO kql_last_known_index(s, i) AS list_last(list_filter(list_transform(list_slice(s, 1, i), (v, j) -> CASE WHEN v IS NOT NULL THEN j END), j -> j IS NOT NULL))`,
  `CREATE OR REPLACE MACRO kql_next_known_index(s, i) AS list_first(list_filter(list_transform(list_slice(s, i, len(s)), (v, j) -> CASE WHEN v IS NOT NULL THEN j + i - 1 END), j -> j IS NOT NULL))`,
  // Linear interpolation between the nearest known neighbours; without fill_edges the ends stay null,
  // with it they take the nearest known value.
  `CREATE OR REPLACE MACRO kql_interpolate_between(s, lo, hi, i, fill_edges) AS (CASE WHEN lo IS NULL AND hi IS NULL THEN NULL WHEN lo IS NULL THEN CASE WHEN fill_edges THEN s[hi] END WHEN hi IS NULL THEN CASE WHEN fill_edges THEN s[lo] END ELSE s[lo] + (s[hi] - s[lo]) * (i - lo) / (hi - lo) END)`,
  `CREATE OR REPLACE MACRO kql_series_fill_linear_values(s, fill_edges, c) AS (CASE WHEN len(list_filter(s, x -> x IS NOT NULL)) = 0 THEN list_transform(s, x -> CAST(c AS DOUBLE)) ELSE list_transform(s, (x, i) -> CASE WHEN x IS NOT NULL THEN x ELSE kql_interpolate_between(s, kql_last_known_index(s, i), kql_next_known_index(s, i), i, fill_edges) END) END)`,
  // An integer-only input stays integer (truncated), as in ADX.
  `CREATE OR REPLACE MACRO kql_series_is_integral(d) AS list_transform([CAST(d AS JSON[])], e -> coalesce(list_bool_and(list_transform(e, x -> x IS NULL OR json_type(x) IN ('BIGINT', 'UBIGINT', 'NULL'))), true) AND len(list_filter(e, x -> x IS NOT NULL AND json_type(x) <> 'NULL')) > 0)[1]`,
  `CREATE OR REPLACE MACRO kql_series_fill_linear(d, fill_edges, c) AS list_transform([kql_series_fill_linear_values(kql_series(d), fill_edges, c)], f -> CASE WHEN kql_series_is_integral(d) THEN to_json(list_transform(f, x -> CAST(trunc(x) AS BIGINT))) ELSE to_json(f) END)[1]`,
  `CREATE OR REPLACE MACRO kql_series_binary(a, b, op) AS to_json(list_transform(list_zip(kql_series(a), kql_series(b)), p -> CASE op WHEN 0 THEN p[1] + p[2] WHEN 1 THEN p[1] - p[2] WHEN 2 THEN p[1] * p[2] ELSE p[1] / p[2] END))`,
  // Least squares over x = 1..m (ADX's x axis): slope and intercept of the first m points.
  `CREATE OR REPLACE MACRO kql_linefit_slope(d, m) AS (m * list_sum(list_transform(list_slice(d, 1, m), (v, i) -> i * v)) - (m * (m + 1) / 2.0) * list_sum(list_slice(d, 1, m))) / nullif(m * (m * (m + 1) * (2 * m + 1) / 6.0) - pow(m * (m + 1) / 2.0, 2), 0)`,
  `CREATE OR REPLACE MACRO kql_linefit(d, m) AS list_transform([coalesce(kql_linefit_slope(d, m), 0.0)], slope -> [slope, (list_sum(list_slice(d, 1, m)) - slope * m * (m + 1) / 2.0) / m])[1]`,
  // series_decompose: seasonal = per-phase median of the training points, trend (avg | linefit | none) of the
  // deseasonalized training points extrapolated over the whole series, baseline = seasonal + trend.
  `CREATE OR REPLACE MACRO kql_phase_medians(y, period, m) AS list_transform(range(0, period), p -> list_median(list_filter(list_slice(y, 1, m), (v, i) -> (i - 1) % period = p)))`,
  `CREATE OR REPLACE MACRO kql_seasonal(y, period, m) AS (CASE WHEN period > 0 THEN list_transform([kql_phase_medians(y, period, m)], med -> list_transform(range(0, len(y)), i -> coalesce(med[(i % period) + 1], 0.0)))[1] ELSE list_transform(y, v -> 0.0) END)`,
  `CREATE OR REPLACE MACRO kql_trend(d, kind, m) AS (CASE lower(kind) WHEN 'avg' THEN list_transform([list_avg(list_slice(d, 1, m))], a -> list_transform(d, v -> a))[1] WHEN 'linefit' THEN list_transform([kql_linefit(d, m)], f -> list_transform(d, (v, i) -> f[1] * i + f[2]))[1] ELSE list_transform(d, v -> 0.0) END)`,
  `CREATE OR REPLACE MACRO kql_decompose_parts(y, s, t) AS {'baseline': list_transform(s, (v, i) -> v + t[i]), 'seasonal': s, 'trend': t, 'residual': list_transform(y, (v, i) -> v - (s[i] + t[i]))}`,
  // Seasonality -1: the lag 2..n/2 with the highest autocorrelation if it reaches 0.6 (series_periods_detect's
  // default threshold), else none. An approximation of ADX's detector, which scores periods differently.
  // On the centred series c (nulls count 0, as list_sum skips them): r(p) = <c[1..n-p], c[1+p..n]> / <c, c>, the
  // energy <c, c> bound once. DuckDB checks for interrupts only between chunks of rows, never inside one row's
  // lambdas, so per-row cost is what a servertimeout cannot cut short: keep it O(n) per lag.
  `CREATE OR REPLACE MACRO kql_autocorrelation(c, p, energy) AS list_dot_product(list_slice(c, 1, len(c) - p), list_slice(c, 1 + p, len(c))) / energy`,
  `CREATE OR REPLACE MACRO kql_detect_period(y) AS list_transform([list_avg(y)], mean -> list_transform([list_transform(y, v -> coalesce(v - mean, 0.0))], c -> list_transform([nullif(list_dot_product(c, c), 0)], energy -> coalesce(CAST(list_last(list_sort(list_filter(list_transform(range(2, len(c) // 2 + 1), p -> [kql_autocorrelation(c, p, energy), p]), x -> x[1] >= 0.6)))[2] AS BIGINT), 0))[1])[1])[1]`,
  `CREATE OR REPLACE MACRO kql_period(y, seasonality) AS CAST(CASE WHEN seasonality < 0 THEN kql_detect_period(y) ELSE seasonality END AS BIGINT)`,
  // The period is bound once: kql_seasonal uses it inside a per-element lambda, where an unbound kql_period(…)
  // would detect the period again for every element (O(n^4) per row: a year of daily points took minutes).
  `CREATE OR REPLACE MACRO kql_decompose(series, seasonality, kind, test) AS list_transform([series], y -> list_transform([len(y) - test], m -> list_transform([kql_period(list_slice(y, 1, m), seasonality)], period -> list_transform([kql_seasonal(y, period, m)], s -> list_transform([kql_trend(list_transform(y, (v, i) -> v - s[i]), kind, m)], t -> kql_decompose_parts(y, s, t))[1])[1])[1])[1])[1]`,
  `CREATE OR REPLACE MACRO kql_fit_parts(s, n, f) AS list_transform([list_transform(s, (y, x) -> f[1] * x + f[2])], line -> list_transform([list_sum(list_transform(s, (y, x) -> (y - line[x]) ^ 2))], sse -> list_transform([list_transform([list_avg(s)], mean -> list_sum(list_transform(s, y -> (y - mean) ^ 2)))[1]], sst -> {'rsquare': CASE WHEN sst = 0 THEN 1.0 ELSE 1 - sse / sst END, 'slope': f[1], 'variance': list_var_samp(s), 'rvariance': sse / (n - 1), 'interception': f[2], 'line_fit': to_json(line)})[1])[1])[1]`,
  `CREATE OR REPLACE MACRO kql_fit_line(series) AS list_transform([series], s -> kql_fit_parts(s, len(s), kql_linefit(s, len(s))))[1]`,
  `CREATE OR REPLACE MACRO kql_stats(series) AS list_transform([series], s -> list_transform([list_min(s)], mn -> list_transform([list_max(s)], mx -> {'min': mn, 'min_idx': list_position(s, mn) - 1, 'max': mx, 'max_idx': list_position(s, mx) - 1, 'avg': list_avg(s), 'stdev': list_stddev_samp(s), 'variance': list_var_samp(s)})[1])[1])[1]`,
];

export function duckDbSetupSql(): string[] {
  return [...MACROS];
}
