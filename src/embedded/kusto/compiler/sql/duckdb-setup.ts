/**
 * Macros the compiled SQL relies on; the engine runs these once per DuckDB connection (`duckDbSetupSql()`).
 * They hold Kusto semantics that are awkward to inline: tick-based `bin()` anchored at 0001-01-01 like
 * ADX, Kusto's datetime/timespan text forms, and the series functions over dynamic arrays.
 */

/** Microseconds from 0001-01-01 (Kusto's tick origin) to 1970-01-01 (DuckDB's epoch). */
const KUSTO_EPOCH_OFFSET_US = '62135596800000000';

const MACROS: readonly string[] = [
  `CREATE OR REPLACE MACRO kql_bin_datetime(ts, span) AS make_timestamp(CAST(floor((epoch_us(ts) + ${KUSTO_EPOCH_OFFSET_US}) / epoch_us(span)) AS BIGINT) * epoch_us(span) - ${KUSTO_EPOCH_OFFSET_US})`,
  `CREATE OR REPLACE MACRO kql_bin_timespan(t, span) AS to_microseconds(CAST(floor(epoch_us(t) / epoch_us(span)) AS BIGINT) * epoch_us(span))`,
  `CREATE OR REPLACE MACRO kql_bin_at(v, span, fixed) AS make_timestamp(CAST(floor((epoch_us(v) - epoch_us(fixed)) / epoch_us(span)) AS BIGINT) * epoch_us(span) + epoch_us(fixed))`,
  `CREATE OR REPLACE MACRO kql_datetime_string(ts) AS strftime(ts, '%Y-%m-%dT%H:%M:%S.%f') || '0Z'`,
  `CREATE OR REPLACE MACRO kql_timespan_abs_string(a) AS (CASE WHEN a >= 86400000000 THEN CAST(a // 86400000000 AS VARCHAR) || '.' ELSE '' END) || lpad(CAST((a // 3600000000) % 24 AS VARCHAR), 2, '0') || ':' || lpad(CAST((a // 60000000) % 60 AS VARCHAR), 2, '0') || ':' || lpad(CAST((a // 1000000) % 60 AS VARCHAR), 2, '0') || (CASE WHEN a % 1000000 <> 0 THEN '.' || lpad(CAST(a % 1000000 AS VARCHAR), 6, '0') || '0' ELSE '' END)`,
  `CREATE OR REPLACE MACRO kql_timespan_string(t) AS (CASE WHEN epoch_us(t) < 0 THEN '-' ELSE '' END) || kql_timespan_abs_string(abs(epoch_us(t)))`,
  // Kusto prints whole reals without a fractional part ("1", not "1.0").
  `CREATE OR REPLACE MACRO kql_real_string(r) AS (CASE WHEN isnan(r) THEN 'NaN' WHEN r = 'Infinity'::DOUBLE THEN 'Infinity' WHEN r = '-Infinity'::DOUBLE THEN '-Infinity' WHEN r = trunc(r) AND abs(r) < 1e15 THEN CAST(CAST(r AS BIGINT) AS VARCHAR) ELSE CAST(r AS VARCHAR) END)`,
  `CREATE OR REPLACE MACRO kql_dynamic_string(d) AS (CASE WHEN json_type(d) = 'VARCHAR' THEN json_extract_string(d, '$') WHEN json_type(d) = 'NULL' THEN NULL ELSE CAST(d AS VARCHAR) END)`,
  `CREATE OR REPLACE MACRO kql_parse_json(s) AS (CASE WHEN s IS NULL OR s = '' THEN NULL ELSE coalesce(TRY_CAST(s AS JSON), to_json(s)) END)`,
  `CREATE OR REPLACE MACRO kql_parse_timespan(s) AS (CASE WHEN regexp_matches(s, '^-?(\\d+\\.)?\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$') THEN (CASE WHEN starts_with(s, '-') THEN -1 ELSE 1 END) * (coalesce(TRY_CAST(nullif(regexp_extract(s, '^-?(\\d+)\\.\\d{1,2}:', 1), '') AS BIGINT), 0) * INTERVAL 1 DAY + TRY_CAST(regexp_replace(s, '^-?(\\d+\\.)?', '') AS INTERVAL)) ELSE TRY_CAST(s AS INTERVAL) END)`,
  `CREATE OR REPLACE MACRO kql_substring_start(s, start) AS (CASE WHEN start < 0 THEN greatest(length(s) + CAST(start AS BIGINT), 0) + 1 ELSE CAST(start AS BIGINT) + 1 END)`,
  `CREATE OR REPLACE MACRO kql_strrep_delim(s, n, d) AS array_to_string(list_transform(range(CAST(n AS BIGINT)), i -> s), d)`,
  `CREATE OR REPLACE MACRO kql_countof(s, t) AS CAST((length(s) - length(replace(s, t, ''))) // length(t) AS BIGINT)`,
  `CREATE OR REPLACE MACRO kql_array_concat(a, b) AS to_json(list_concat(CAST(a AS JSON[]), CAST(b AS JSON[])))`,
  `CREATE OR REPLACE MACRO kql_gettype(d) AS (CASE json_type(d) WHEN 'OBJECT' THEN 'dictionary' WHEN 'ARRAY' THEN 'array' WHEN 'VARCHAR' THEN 'string' WHEN 'BIGINT' THEN 'long' WHEN 'UBIGINT' THEN 'long' WHEN 'DOUBLE' THEN 'real' WHEN 'BOOLEAN' THEN 'bool' WHEN 'NULL' THEN 'null' ELSE lower(json_type(d)) END)`,
  `CREATE OR REPLACE MACRO kql_datetime_part(part, ts) AS (CASE lower(part) WHEN 'year' THEN year(ts) WHEN 'quarter' THEN quarter(ts) WHEN 'month' THEN month(ts) WHEN 'week_of_year' THEN weekofyear(ts) WHEN 'day' THEN day(ts) WHEN 'dayofyear' THEN dayofyear(ts) WHEN 'hour' THEN hour(ts) WHEN 'minute' THEN minute(ts) WHEN 'second' THEN second(ts) WHEN 'millisecond' THEN millisecond(ts) % 1000 WHEN 'microsecond' THEN microsecond(ts) % 1000000 WHEN 'nanosecond' THEN (microsecond(ts) % 1000000) * 1000 END)`,
  `CREATE OR REPLACE MACRO kql_datetime_add(part, n, ts) AS ts + (CASE lower(part) WHEN 'year' THEN to_years(CAST(n AS INTEGER)) WHEN 'quarter' THEN to_months(CAST(n * 3 AS INTEGER)) WHEN 'month' THEN to_months(CAST(n AS INTEGER)) WHEN 'week' THEN to_days(CAST(n * 7 AS INTEGER)) WHEN 'day' THEN to_days(CAST(n AS INTEGER)) WHEN 'hour' THEN to_hours(CAST(n AS BIGINT)) WHEN 'minute' THEN to_minutes(CAST(n AS BIGINT)) WHEN 'second' THEN to_seconds(CAST(n AS BIGINT)) WHEN 'millisecond' THEN to_milliseconds(CAST(n AS BIGINT)) WHEN 'microsecond' THEN to_microseconds(CAST(n AS BIGINT)) END)`,
  `CREATE OR REPLACE MACRO kql_datetime_diff(part, a, b) AS CAST((CASE lower(part) WHEN 'year' THEN date_diff('year', b, a) WHEN 'quarter' THEN date_diff('quarter', b, a) WHEN 'month' THEN date_diff('month', b, a) WHEN 'week' THEN date_diff('week', b, a) WHEN 'day' THEN date_diff('day', b, a) WHEN 'hour' THEN date_diff('hour', b, a) WHEN 'minute' THEN date_diff('minute', b, a) WHEN 'second' THEN date_diff('second', b, a) WHEN 'millisecond' THEN date_diff('millisecond', b, a) WHEN 'microsecond' THEN date_diff('microsecond', b, a) WHEN 'nanosecond' THEN date_diff('microsecond', b, a) * 1000 END) AS BIGINT)`,
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
  `CREATE OR REPLACE MACRO kql_autocorrelation(y, p, mean) AS list_sum(list_transform(list_slice(y, 1, len(y) - p), (v, i) -> (v - mean) * (y[i + p] - mean))) / nullif(list_sum(list_transform(y, v -> (v - mean) * (v - mean))), 0)`,
  `CREATE OR REPLACE MACRO kql_detect_period(y) AS list_transform([list_avg(y)], mean -> coalesce(CAST(list_last(list_sort(list_filter(list_transform(range(2, len(y) // 2 + 1), p -> [kql_autocorrelation(y, p, mean), p]), c -> c[1] >= 0.6)))[2] AS BIGINT), 0))[1]`,
  `CREATE OR REPLACE MACRO kql_period(y, seasonality) AS CAST(CASE WHEN seasonality < 0 THEN kql_detect_period(y) ELSE seasonality END AS BIGINT)`,
  `CREATE OR REPLACE MACRO kql_decompose(series, seasonality, kind, test) AS list_transform([series], y -> list_transform([len(y) - test], m -> list_transform([kql_seasonal(y, kql_period(list_slice(y, 1, m), seasonality), m)], s -> list_transform([kql_trend(list_transform(y, (v, i) -> v - s[i]), kind, m)], t -> kql_decompose_parts(y, s, t))[1])[1])[1])[1]`,
  `CREATE OR REPLACE MACRO kql_fit_parts(s, n, f) AS list_transform([list_transform(s, (y, x) -> f[1] * x + f[2])], line -> list_transform([list_sum(list_transform(s, (y, x) -> (y - line[x]) ^ 2))], sse -> list_transform([list_sum(list_transform(s, y -> (y - list_avg(s)) ^ 2))], sst -> {'rsquare': CASE WHEN sst = 0 THEN 1.0 ELSE 1 - sse / sst END, 'slope': f[1], 'variance': list_var_samp(s), 'rvariance': sse / (n - 1), 'interception': f[2], 'line_fit': to_json(line)})[1])[1])[1]`,
  `CREATE OR REPLACE MACRO kql_fit_line(series) AS list_transform([series], s -> kql_fit_parts(s, len(s), kql_linefit(s, len(s))))[1]`,
  `CREATE OR REPLACE MACRO kql_stats(series) AS list_transform([series], s -> list_transform([list_min(s)], mn -> list_transform([list_max(s)], mx -> {'min': mn, 'min_idx': list_position(s, mn) - 1, 'max': mx, 'max_idx': list_position(s, mx) - 1, 'avg': list_avg(s), 'stdev': list_stddev_samp(s), 'variance': list_var_samp(s)})[1])[1])[1]`,
];

export function duckDbSetupSql(): string[] {
  return [...MACROS];
}
