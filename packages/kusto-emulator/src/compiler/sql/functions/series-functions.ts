/**
 * The element-wise and reducing series functions of the KQL reference (`series_abs`, `series_greater`,
 * `series_dot_product`, `series_sum`…), in SQL over DuckDB lists: a series is a dynamic array read as DOUBLE[]
 * (`kql_series`, duckdb-setup.ts), where an element that is not a number is null ("missing"), as in ADX.
 *
 * - Unary functions apply the scalar function of the same name to each element, with its answer to
 *   out-of-domain input (`series_log` of 0 is null, as `log(0)`).
 * - Binary functions take two series of the same length, or a series and a scalar applied to every element
 *   (the `(dynamic,long)` rows: `series_dot_product(s, 2)`); a null element gives a null element.
 * - Reductions skip missing elements, as `list_sum` does: `series_sum([1, null, 2])` is 3.
 */
import type { FunctionMapping } from '../function-map.js';

const scalar = (sql: string): FunctionMapping => ({ sql });

const SERIES = 'kql_series({0})';

/** Each element `x` as the scalar function gives it. */
const UNARY: Readonly<Record<string, string>> = {
  series_abs: 'abs(x)',
  series_ceiling: 'ceil(x)',
  series_floor: 'floor(x)',
  series_sign: 'CAST(sign(x) AS DOUBLE)',
  series_exp: 'exp(x)',
  series_log: '(CASE WHEN x > 0 THEN ln(x) END)',
  series_cos: 'cos(x)',
  series_sin: 'sin(x)',
  series_tan: 'tan(x)',
  series_acos: '(CASE WHEN abs(x) <= 1 THEN acos(x) END)',
  series_asin: '(CASE WHEN abs(x) <= 1 THEN asin(x) END)',
  series_atan: 'atan(x)',
};

/** Each pair of elements `a`, `b`. */
const BINARY: Readonly<Record<string, (a: string, b: string) => string>> = {
  series_greater: (a, b) => `(${a} > ${b})`,
  series_greater_equals: (a, b) => `(${a} >= ${b})`,
  series_less: (a, b) => `(${a} < ${b})`,
  series_less_equals: (a, b) => `(${a} <= ${b})`,
  series_equals: (a, b) => `(${a} = ${b})`,
  series_not_equals: (a, b) => `(${a} <> ${b})`,
  series_pow: (a, b) => `pow(${a}, ${b})`,
};

/** The scalar types a binary function broadcasts over the series. */
const BROADCAST = ['long', 'int', 'real'] as const;

function elementWise(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {};
  for (const [name, sql] of Object.entries(UNARY)) {
    out[name] = scalar(`to_json(list_transform(${SERIES}, x -> ${sql}))`);
  }
  for (const [name, sql] of Object.entries(BINARY)) {
    out[`${name}(dynamic,dynamic)`] = scalar(
      `to_json(list_transform(list_zip(${SERIES}, kql_series({1})), p -> ${sql('p[1]', 'p[2]')}))`,
    );
    for (const t of BROADCAST) {
      out[`${name}(dynamic,${t})`] = scalar(
        `to_json(list_transform(${SERIES}, x -> ${sql('x', 'CAST({1} AS DOUBLE)')}))`,
      );
      out[`${name}(${t},dynamic)`] = scalar(
        `to_json(list_transform(kql_series({1}), x -> ${sql('CAST({0} AS DOUBLE)', 'x')}))`,
      );
    }
  }
  return out;
}

/** `<a, b>` of two series, or of a series and a scalar. */
function dotProduct(): Record<string, FunctionMapping> {
  const out: Record<string, FunctionMapping> = {
    'series_dot_product(dynamic,dynamic)': scalar(
      `list_sum(list_transform(list_zip(${SERIES}, kql_series({1})), p -> p[1] * p[2]))`,
    ),
  };
  for (const t of BROADCAST) {
    out[`series_dot_product(dynamic,${t})`] = scalar(`(list_sum(${SERIES}) * CAST({1} AS DOUBLE))`);
    out[`series_dot_product(${t},dynamic)`] = scalar(`(CAST({0} AS DOUBLE) * list_sum(kql_series({1})))`);
  }
  return out;
}

export const SERIES_FUNCTIONS: Readonly<Record<string, FunctionMapping>> = {
  ...elementWise(),
  ...dotProduct(),
  series_sum: scalar(`list_sum(${SERIES})`),
  series_product: scalar(`list_product(${SERIES})`),
  series_magnitude: scalar(`sqrt(list_sum(list_transform(${SERIES}, x -> x * x)))`),
  series_cosine_similarity: scalar(
    `list_transform([${SERIES}], a -> list_transform([kql_series({1})], b -> ` +
      'list_sum(list_transform(list_zip(a, b), p -> p[1] * p[2])) / ' +
      '(sqrt(list_sum(list_transform(a, x -> x * x))) * sqrt(list_sum(list_transform(b, x -> x * x)))))[1])[1]',
  ),
  // Pearson's r over the centred series: Σ(a−ā)(b−b̄) / √(Σ(a−ā)² Σ(b−b̄)²).
  series_pearson_correlation: scalar(
    `list_transform([list_transform(list_zip(${SERIES}, kql_series({1})), p -> p)], s -> ` +
      'list_transform([{ma: list_avg(list_transform(s, p -> p[1])), mb: list_avg(list_transform(s, p -> p[2]))}], m -> ' +
      'list_sum(list_transform(s, p -> (p[1] - m.ma) * (p[2] - m.mb))) / ' +
      'sqrt(list_sum(list_transform(s, p -> (p[1] - m.ma) * (p[1] - m.ma))) * ' +
      'list_sum(list_transform(s, p -> (p[2] - m.mb) * (p[2] - m.mb)))))[1])[1]',
  ),
};
