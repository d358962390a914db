import { formatTimespanMs, type KustoScalarType, longJson, normalizeScalarType } from '@kqlgate/kql-language';
import type { RawResultTable } from './kusto-query.client.js';

export interface ResultColumn {
  name: string;
  type: KustoScalarType;
}

/**
 * Turns raw v2 cells into the JSON the APIs return, by Kusto type: datetime → ISO-8601 string, timespan →
 * `[d.]hh:mm:ss[.fffffff]`, long → number (decimal string beyond 2^53), real NaN/±Infinity → null (JSON has
 * no such numbers), dynamic → its JSON value, bool → boolean.
 */
export function mapResult(table: RawResultTable): {
  columns: ResultColumn[];
  rows: Record<string, unknown>[];
} {
  const columns = table.columns.map((c) => ({
    name: c.name,
    type: normalizeScalarType(c.type) ?? 'dynamic',
  }));
  const converters = columns.map((c) => CONVERTERS[c.type]);
  const rows = table.rows.map((row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) {
      const cell = row[i];
      object[columns[i].name] = cell === null || cell === undefined ? null : converters[i](cell);
    }
    return object;
  });
  return { columns, rows };
}

const identity = (value: unknown): unknown => value;

const CONVERTERS: Record<KustoScalarType, (value: unknown) => unknown> = {
  bool: (value) => (typeof value === 'boolean' ? value : value === 1 || value === 'true' || value === 'True'),
  int: (value) => (typeof value === 'number' ? value : Number(value)),
  long: (value) => {
    if (typeof value === 'number') {
      return value;
    }
    return typeof value === 'string' && /^-?\d+$/.test(value) ? longJson(BigInt(value)) : value;
  },
  real: (value) => {
    const number = typeof value === 'number' ? value : Number(value);
    return Number.isFinite(number) ? number : null;
  },
  decimal: (value) => String(value),
  string: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  datetime: (value) => {
    if (typeof value === 'string') {
      return /Z$/.test(value) ? value : new Date(value).toISOString();
    }
    return value instanceof Date ? value.toISOString() : value;
  },
  timespan: (value) => (typeof value === 'number' ? formatTimespanMs(value) : value),
  guid: identity,
  dynamic: (value) => {
    if (typeof value === 'string') {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    }
    return value;
  },
};
