/**
 * Array and property-bag functions of KQL's dynamic type (`array_*`, `set_*`, `bag_*`, `zip`, `range()` …) as
 * DuckDB SQL. Dynamic values are DuckDB `JSON`; an array is read as a `JSON[]` list whose JSON nulls are SQL
 * nulls, and written back with `to_json`. Every function gives null for an argument that is not an array (or
 * bag), as ADX does. Keys follow `function-map.ts`: `name(t0,t1…)` specialises by argument types, so an argument
 * type without a row (a datetime fill value, say) is refused rather than guessed.
 */
import type { FunctionMapping } from '../function-map.js';

const scalar = (sql: string): FunctionMapping => ({ sql });

/** ADX caps `range()` and `repeat()` at 2^20 elements (the reference: "the maximum number of results"). */
const MAX_ELEMENTS = 1048576;

/** Scalar KQL types and how a value of each becomes a dynamic (JSON) value; `{x}` is the value. */
const TO_DYNAMIC: Readonly<Record<string, string>> = {
  dynamic: '{x}',
  string: 'to_json({x})',
  long: 'to_json({x})',
  int: 'to_json({x})',
  real: 'to_json({x})',
  bool: 'to_json({x})',
  datetime: 'to_json(kql_datetime_string({x}))',
  timespan: 'to_json(kql_timespan_string({x}))',
  guid: 'to_json(CAST({x} AS VARCHAR))',
};

const INTEGRAL = ['long', 'int'] as const;

function dynamicOf(type: string, index: number): string {
  return TO_DYNAMIC[type].replaceAll('{x}', `{${index}}`);
}

export const ARRAY_MACROS: readonly string[] = [
  // The elements of an array, or null for anything else.
  `CREATE OR REPLACE MACRO kql_json_list(d) AS (CASE WHEN json_type(d) = 'ARRAY' THEN CAST(d AS JSON[]) END)`,
  // What make_set collects from a dynamic value: an array's elements, any other value itself.
  `CREATE OR REPLACE MACRO kql_set_elements(d) AS (CASE WHEN json_type(d) = 'ARRAY' THEN CAST(d AS JSON[]) ELSE [d] END)`,
  // Element i (0-based) of the array moved by n places, the vacated places filled with f.
  `CREATE OR REPLACE MACRO kql_array_shift(d, n, f) AS list_transform([kql_json_list(d)], l -> to_json(list_transform(range(len(l)), i -> CASE WHEN i + n >= 0 AND i + n < len(l) THEN l[i + n + 1] ELSE f END)))[1]`,
  `CREATE OR REPLACE MACRO kql_array_rotate(d, n) AS list_transform([kql_json_list(d)], l -> to_json(CASE WHEN len(l) = 0 THEN l ELSE list_transform(range(len(l)), i -> l[((i + n) % len(l) + len(l)) % len(l) + 1]) END))[1]`,
  // ADX's ordering of dynamic elements: numbers, then strings, then everything else (by JSON text); nulls apart.
  `CREATE OR REPLACE MACRO kql_sort_key(x, i) AS {'c': CASE WHEN json_type(x) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN 0 WHEN json_type(x) = 'VARCHAR' THEN 1 ELSE 2 END, 'n': CASE WHEN json_type(x) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(x AS DOUBLE) END, 's': CASE WHEN json_type(x) = 'VARCHAR' THEN json_extract_string(x, '$') ELSE CAST(x AS VARCHAR) END, 'i': i}`,
  `CREATE OR REPLACE MACRO kql_array_sort(d, direction, nulls_last) AS list_transform([kql_json_list(d)], l -> list_transform([list_transform(list_sort(list_filter(list_transform(l, (x, i) -> CASE WHEN x IS NOT NULL THEN kql_sort_key(x, i) END), k -> k IS NOT NULL), direction), k -> l[k.i])], sorted -> list_transform([list_filter(l, x -> x IS NULL)], nulls -> to_json(CASE WHEN nulls_last THEN list_concat(sorted, nulls) ELSE list_concat(nulls, sorted) END))[1])[1])[1]`,
  // A condition element is true when it is true or a non-zero number; anything else selects null.
  `CREATE OR REPLACE MACRO kql_dynamic_truth(x) AS (CASE WHEN json_type(x) = 'BOOLEAN' THEN CAST(x AS BOOLEAN) WHEN json_type(x) IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN CAST(x AS DOUBLE) <> 0 END)`,
  `CREATE OR REPLACE MACRO kql_pick(v, i) AS (CASE WHEN json_type(v) = 'ARRAY' THEN kql_json_list(v)[i] ELSE v END)`,
  `CREATE OR REPLACE MACRO kql_array_iff(c, t, f) AS list_transform([kql_json_list(c)], l -> to_json(list_transform(l, (x, i) -> CASE kql_dynamic_truth(x) WHEN true THEN kql_pick(t, i) WHEN false THEN kql_pick(f, i) END)))[1]`,
  // Split points: negative indices count from the end; each is clamped to the array.
  `CREATE OR REPLACE MACRO kql_array_split(d, cuts) AS list_transform([kql_json_list(d)], l -> list_transform([list_concat([0], list_transform(cuts, c -> least(greatest(CASE WHEN c < 0 THEN len(l) + c ELSE c END, 0), len(l))), [len(l)])], b -> to_json(list_transform(range(len(b) - 1), k -> list_slice(l, b[k + 1] + 1, b[k + 2]))))[1])[1]`,
  // array_slice: negative indices count from the end, the end index is inclusive.
  `CREATE OR REPLACE MACRO kql_array_slice(d, s, e) AS list_transform([kql_json_list(d)], l -> to_json(list_slice(l, greatest(CASE WHEN s < 0 THEN len(l) + s ELSE s END, 0) + 1, CASE WHEN e < 0 THEN len(l) + e ELSE e END + 1)))[1]`,
  // A bag built from key texts and JSON values, in order (JSON text: DuckDB's json_object needs fixed arity).
  `CREATE OR REPLACE MACRO kql_bag_from_entries(keys, vals) AS CAST('{' || array_to_string(list_transform(range(len(keys)), i -> to_json(keys[i + 1]) || ':' || coalesce(CAST(vals[i + 1] AS VARCHAR), 'null')), ',') || '}' AS JSON)`,
  `CREATE OR REPLACE MACRO kql_bag_zip(k, v) AS list_transform([list_filter(list_transform(kql_json_list(k), (x, i) -> CASE WHEN json_type(x) = 'VARCHAR' THEN {'k': json_extract_string(x, '$'), 'i': i} END), e -> e IS NOT NULL)], es -> kql_bag_from_entries(list_transform(es, e -> e.k), list_transform(es, e -> kql_json_list(v)[e.i])))[1]`,
  // A bag key is a plain name or a JSONPath of plain names ($.a.b); anything else stops the query.
  `CREATE OR REPLACE MACRO kql_bag_path(k) AS (CASE WHEN NOT starts_with(k, '$') THEN '$.' || CAST(to_json(k) AS VARCHAR) WHEN regexp_full_match(k, '\\$(\\.[A-Za-z_][A-Za-z0-9_]*)+') THEN k ELSE error('bag key ' || k || ' is not supported by the embedded engine (only plain names and $.a.b paths)') END)`,
  `CREATE OR REPLACE MACRO kql_bag_path_names(k) AS (CASE WHEN starts_with(k, '$') THEN string_split(substr(k, 3), '.') ELSE [k] END)`,
  `CREATE OR REPLACE MACRO kql_bag_has_key(b, k) AS (json_type(b) = 'OBJECT' AND coalesce(json_exists(b, kql_bag_path(k)), false))`,
  // Removal is a JSON merge patch (list_reduce's accumulator shares the elements' type, so keys stay JSON) {"a":{"b":null}} applied only where the path exists (so no parent is made up).
  `CREATE OR REPLACE MACRO kql_bag_remove_patch(k) AS CAST(list_reduce(list_reverse(kql_bag_path_names(k)), (acc, s) -> '{' || CAST(to_json(s) AS VARCHAR) || ':' || acc || '}', 'null') AS JSON)`,
  `CREATE OR REPLACE MACRO kql_bag_remove_keys(b, keys) AS (CASE WHEN json_type(b) = 'OBJECT' THEN list_reduce(kql_json_list(keys), (acc, k) -> CASE WHEN kql_bag_has_key(acc, json_extract_string(k, '$')) THEN json_merge_patch(acc, kql_bag_remove_patch(json_extract_string(k, '$'))) ELSE acc END, b) END)`,
  // Set functions: distinct elements (by JSON text) in order of first appearance.
  `CREATE OR REPLACE MACRO kql_distinct(l) AS list_filter(l, (x, i) -> list_position(l, x) = i)`,
  `CREATE OR REPLACE MACRO kql_set_union(lists) AS to_json(kql_distinct(flatten(lists)))`,
  `CREATE OR REPLACE MACRO kql_set_intersect(lists) AS to_json(list_filter(kql_distinct(lists[1]), x -> list_bool_and(list_transform(list_slice(lists, 2, len(lists)), o -> list_contains(o, x)))))`,
  `CREATE OR REPLACE MACRO kql_set_difference(lists) AS to_json(list_filter(kql_distinct(lists[1]), x -> NOT coalesce(list_bool_or(list_transform(list_slice(lists, 2, len(lists)), o -> list_contains(o, x))), false)))`,
  `CREATE OR REPLACE MACRO kql_jaccard(a, b) AS list_transform([kql_distinct(list_concat(a, b))], u -> CAST(len(list_filter(u, x -> list_contains(a, x) AND list_contains(b, x))) AS DOUBLE) / len(u))[1]`,
  // bag_merge: every key of the bags in order; a key in several bags keeps its value from the first.
  `CREATE OR REPLACE MACRO kql_bag_entries(b) AS list_transform(json_keys(b), k -> {'k': k, 'v': json_extract(b, '$.' || CAST(to_json(k) AS VARCHAR))})`,
  `CREATE OR REPLACE MACRO kql_bag_merge(bags) AS list_transform([flatten(list_transform(bags, b -> kql_bag_entries(b)))], es -> list_transform([list_filter(es, (e, i) -> list_position(list_transform(es, x -> x.k), e.k) = i)], u -> kql_bag_from_entries(list_transform(u, e -> e.k), list_transform(u, e -> e.v)))[1])[1]`,
  // array_index_of(a, v, start, length, occurrence): a negative start counts from the end, length -1 reads to the end.
  `CREATE OR REPLACE MACRO kql_array_index_of(d, v, start, length, occurrence) AS list_transform([kql_json_list(d)], l -> list_transform([CASE WHEN start < 0 THEN greatest(len(l) + start, 0) ELSE start END], s -> coalesce(list_filter(range(s, CASE WHEN length = -1 THEN len(l) ELSE least(s + length, len(l)) END), i -> l[i + 1] = v)[occurrence], -1))[1])[1]`,
  // zip: the i-th elements of every array, padded with null to the longest.
  `CREATE OR REPLACE MACRO kql_zip(lists) AS to_json(list_transform(range(list_max(list_transform(lists, l -> len(l)))), i -> list_transform(lists, l -> l[i + 1])))`,
  // range(): at most 2^20 elements; a zero step or a step away from stop gives an empty array.
  `CREATE OR REPLACE MACRO kql_range_count(start, stop, step) AS (CASE WHEN step = 0 OR (stop - start) / step < 0 THEN 0 ELSE least(CAST(floor((stop - start) / step) AS BIGINT) + 1, ${MAX_ELEMENTS}) END)`,
];

/** `name(dynamic,dynamic…)` for 2..max array arguments, the arrays passed to `macro` as one list. */
function variadicArrays(name: string, macro: string, max = 16): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (let n = 2; n <= max; n++) {
    const lists = Array.from({ length: n }, (_, i) => `kql_json_list({${i}})`).join(', ');
    const allArrays = Array.from({ length: n }, (_, i) => `json_type({${i}}) = 'ARRAY'`).join(' AND ');
    out[`${name}(${Array.from({ length: n }, () => 'dynamic').join(',')})`] = scalar(
      `(CASE WHEN ${allArrays} THEN ${macro}([${lists}]) END)`,
    );
  }
  return out;
}

function shiftAndRotate(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const n of INTEGRAL) {
    out[`array_shift_left(dynamic,${n})`] = scalar('kql_array_shift({0}, CAST({1} AS BIGINT), NULL)');
    out[`array_shift_right(dynamic,${n})`] = scalar('kql_array_shift({0}, -CAST({1} AS BIGINT), NULL)');
    for (const fill of Object.keys(TO_DYNAMIC)) {
      out[`array_shift_left(dynamic,${n},${fill})`] = scalar(
        `kql_array_shift({0}, CAST({1} AS BIGINT), ${dynamicOf(fill, 2)})`,
      );
      out[`array_shift_right(dynamic,${n},${fill})`] = scalar(
        `kql_array_shift({0}, -CAST({1} AS BIGINT), ${dynamicOf(fill, 2)})`,
      );
    }
    out[`array_rotate_left(dynamic,${n})`] = scalar('kql_array_rotate({0}, CAST({1} AS BIGINT))');
    out[`array_rotate_right(dynamic,${n})`] = scalar('kql_array_rotate({0}, -CAST({1} AS BIGINT))');
    out[`array_split(dynamic,${n})`] = scalar('kql_array_split({0}, [CAST({1} AS BIGINT)])');
    out[`array_slice(dynamic,${n},${n === 'long' ? 'int' : 'long'})`] = scalar(
      'kql_array_slice({0}, CAST({1} AS BIGINT), CAST({2} AS BIGINT))',
    );
    out[`array_slice(dynamic,${n},${n})`] = scalar(
      'kql_array_slice({0}, CAST({1} AS BIGINT), CAST({2} AS BIGINT))',
    );
  }
  out['array_split(dynamic,dynamic)'] = scalar(
    'kql_array_split({0}, list_transform(kql_json_list({1}), c -> CAST(c AS BIGINT)))',
  );
  return out;
}

function arrayIff(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const t of Object.keys(TO_DYNAMIC)) {
    for (const f of Object.keys(TO_DYNAMIC)) {
      out[`array_iff(dynamic,${t},${f})`] = scalar(
        `kql_array_iff({0}, ${dynamicOf(t, 1)}, ${dynamicOf(f, 2)})`,
      );
    }
  }
  return out;
}

function bagMerge(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (let n = 2; n <= 64; n++) {
    const bags = Array.from({ length: n }, (_, i) => `{${i}}`);
    const allBags = bags.map((b) => `json_type(${b}) = 'OBJECT'`).join(' AND ');
    out[`bag_merge(${bags.map(() => 'dynamic').join(',')})`] = scalar(
      `(CASE WHEN ${allBags} THEN kql_bag_merge([${bags.join(', ')}]) END)`,
    );
  }
  return out;
}

function indexOf(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  const long = (i: number): string => `CAST({${i}} AS BIGINT)`;
  for (const type of Object.keys(TO_DYNAMIC)) {
    const value = dynamicOf(type, 1);
    const prefix = `array_index_of(dynamic,${type}`;
    for (const a of INTEGRAL) {
      out[`${prefix},${a})`] = scalar(`kql_array_index_of({0}, ${value}, ${long(2)}, -1, 1)`);
      for (const b of INTEGRAL) {
        out[`${prefix},${a},${b})`] = scalar(`kql_array_index_of({0}, ${value}, ${long(2)}, ${long(3)}, 1)`);
        for (const c of INTEGRAL) {
          out[`${prefix},${a},${b},${c})`] = scalar(
            `kql_array_index_of({0}, ${value}, ${long(2)}, ${long(3)}, ${long(4)})`,
          );
        }
      }
    }
  }
  return out;
}

function repeatAndRange(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const type of Object.keys(TO_DYNAMIC)) {
    for (const n of INTEGRAL) {
      out[`repeat(${type},${n})`] = scalar(
        `to_json(list_transform(range(least(greatest(CAST({1} AS BIGINT), 0), ${MAX_ELEMENTS})), i -> ${dynamicOf(type, 0)}))`,
      );
    }
  }
  const numeric: Record<string, string> = { long: 'BIGINT', int: 'BIGINT', real: 'DOUBLE' };
  for (const [a, sa] of Object.entries(numeric)) {
    for (const [b, sb] of Object.entries(numeric)) {
      // Reals anywhere make real elements, as in ADX; integers stay integers.
      const element = sa === 'DOUBLE' || sb === 'DOUBLE' ? 'DOUBLE' : 'BIGINT';
      const step = element === 'DOUBLE' ? '1.0' : '1';
      const body = (stepSql: string): string =>
        `to_json(list_transform(range(kql_range_count(CAST({0} AS ${element}), CAST({1} AS ${element}), ${stepSql})), i -> CAST({0} AS ${element}) + i * ${stepSql}))`;
      out[`range(${a},${b})`] = scalar(body(step));
      for (const [c, sc] of Object.entries(numeric)) {
        const stepType = element === 'DOUBLE' || sc === 'DOUBLE' ? 'DOUBLE' : 'BIGINT';
        out[`range(${a},${b},${c})`] = scalar(
          `to_json(list_transform(range(kql_range_count(CAST({0} AS ${stepType}), CAST({1} AS ${stepType}), CAST({2} AS ${stepType}))), i -> CAST({0} AS ${stepType}) + i * CAST({2} AS ${stepType})))`,
        );
      }
    }
  }
  // Datetimes and timespans are ticks; the default step of a timespan range is one hour (ADX: 1h).
  const ticks = (start: string, render: string, step: string): string =>
    `to_json(list_transform(range(kql_range_count({0}, {1}, ${step})), i -> ${render.replace('{t}', `${start} + i * ${step}`)}))`;
  out['range(timespan,timespan)'] = scalar(ticks('{0}', 'kql_timespan_string({t})', '36000000000'));
  out['range(timespan,timespan,timespan)'] = scalar(ticks('{0}', 'kql_timespan_string({t})', '{2}'));
  out['range(datetime,datetime)'] = scalar(ticks('{0}', 'kql_datetime_string({t})', '36000000000'));
  out['range(datetime,datetime,timespan)'] = scalar(ticks('{0}', 'kql_datetime_string({t})', '{2}'));
  return out;
}

export const ARRAY_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...shiftAndRotate(),
  ...arrayIff(),
  ...repeatAndRange(),
  ...variadicArrays('set_union', 'kql_set_union'),
  ...variadicArrays('set_intersect', 'kql_set_intersect'),
  ...variadicArrays('set_difference', 'kql_set_difference'),
  ...variadicArrays('zip', 'kql_zip'),
  ...indexOf(),
  ...bagMerge(),
  array_reverse: scalar('to_json(list_reverse(kql_json_list({0})))'),
  array_sort_asc: scalar("kql_array_sort({0}, 'ASC', true)"),
  array_sort_desc: scalar("kql_array_sort({0}, 'DESC', true)"),
  'array_sort_asc(dynamic,bool)': scalar("kql_array_sort({0}, 'ASC', {1})"),
  'array_sort_desc(dynamic,bool)': scalar("kql_array_sort({0}, 'DESC', {1})"),
  strcat_array: scalar(
    "array_to_string(list_transform(kql_json_list({0}), x -> coalesce(kql_dynamic_string(x), '')), {1})",
  ),
  jaccard_index: scalar(
    "(CASE WHEN json_type({0}) = 'ARRAY' AND json_type({1}) = 'ARRAY' THEN kql_jaccard(kql_json_list({0}), kql_json_list({1})) END)",
  ),
  bag_zip: scalar("(CASE WHEN json_type({0}) = 'ARRAY' THEN kql_bag_zip({0}, {1}) END)"),
  bag_has_key: scalar('kql_bag_has_key({0}, {1})'),
  bag_remove_keys: scalar('kql_bag_remove_keys({0}, {1})'),
};
