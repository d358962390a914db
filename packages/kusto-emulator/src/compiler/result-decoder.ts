/**
 * DuckDB result values → Kusto v2 JSON cells (protocols/kusto-rest.md §7). Accepts what
 * `DuckDBResultReader.getRows()` returns (DuckDB value objects, bigint, number, string, boolean, null);
 * plain JS values (`Date`, number, string) are accepted too.
 */
import type { ColumnSchema, KustoScalarType } from './compiler-types.js';
import {
  dateToTicks,
  epochMicrosToTicks,
  formatDatetimeTicks,
  formatTimespanTicks,
  parseDatetimeTicks,
} from './kusto-time.js';

/** A DuckDB `TIMESTAMP` value object (management tables keep real timestamps). */
interface Micros {
  micros: bigint;
}
interface Decimal {
  width: number;
  scale: number;
  value: bigint;
}
interface ListLike {
  items: unknown[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Text of a scalar or of a DuckDB value object (they implement `toString`). */
function text(value: unknown): string {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return text(value);
  }
  if (isObject(value)) {
    return (value as { toString(): string }).toString();
  }
  return JSON.stringify(value) ?? '';
}

function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  if (isObject(value) && Array.isArray((value as unknown as ListLike).items)) {
    return (value as unknown as ListLike).items.map((i) =>
      typeof i === 'string' ? toJsonValue(i) : decodeNested(i),
    );
  }
  return value;
}

function decodeNested(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number(value);
  }
  if (isObject(value) && Array.isArray((value as unknown as ListLike).items)) {
    return (value as unknown as ListLike).items.map(decodeNested);
  }
  return value ?? null;
}

function realCell(n: number): number | string {
  if (Number.isNaN(n)) {
    return 'NaN';
  }
  if (n === Infinity) {
    return 'Infinity';
  }
  if (n === -Infinity) {
    return '-Infinity';
  }
  return n;
}

/** One DuckDB value of a column of Kusto `type` → its v2 JSON cell. */
export function decodeCell(value: unknown, type: KustoScalarType): unknown {
  if (value === null || value === undefined) {
    // Kusto strings are never null (ingestion and outer joins yield ""), so neither are ours.
    return type === 'string' ? '' : null;
  }
  switch (type) {
    case 'bool':
      return Boolean(value);
    case 'int':
    case 'long':
      return typeof value === 'bigint'
        ? Number(value)
        : typeof value === 'number'
          ? Math.trunc(value)
          : Number(text(value));
    case 'real':
      return realCell(typeof value === 'number' ? value : Number(text(value)));
    case 'decimal': {
      if (isObject(value) && typeof (value as unknown as Decimal).value === 'bigint') {
        const d = value as unknown as Decimal;
        const neg = d.value < 0n;
        const digits = (neg ? -d.value : d.value).toString().padStart(d.scale + 1, '0');
        const intPart = digits.slice(0, digits.length - d.scale);
        const frac = digits.slice(digits.length - d.scale).replace(/0+$/, '');
        return `${neg ? '-' : ''}${intPart}${frac ? `.${frac}` : ''}`;
      }
      return text(value);
    }
    case 'string':
      return text(value);
    case 'datetime': {
      // Query results carry ticks (BIGINT); management results may carry dates or timestamps.
      if (typeof value === 'bigint') {
        return formatDatetimeTicks(value);
      }
      if (value instanceof Date) {
        return formatDatetimeTicks(dateToTicks(value));
      }
      if (isObject(value) && typeof (value as unknown as Micros).micros === 'bigint') {
        return formatDatetimeTicks(epochMicrosToTicks((value as unknown as Micros).micros));
      }
      if (typeof value === 'string') {
        const ticks = parseDatetimeTicks(value);
        return ticks === undefined ? value : formatDatetimeTicks(ticks);
      }
      return text(value);
    }
    case 'timespan':
      return typeof value === 'bigint' ? formatTimespanTicks(value) : text(value);
    case 'guid': {
      return text(value).toLowerCase();
    }
    case 'dynamic':
      return toJsonValue(value);
  }
}

/** Decodes whole rows (arrays in column order). */
export function decodeRows(
  columns: readonly ColumnSchema[],
  rows: readonly (readonly unknown[])[],
): unknown[][] {
  return rows.map((row) => columns.map((c, i) => decodeCell(row[i], c.type)));
}
