/**
 * DuckDB result values → Kusto v2 JSON cells (protocols/kusto-rest.md §7). Accepts what
 * `DuckDBResultReader.getRows()` returns (DuckDB value objects, bigint, number, string, boolean, null);
 * plain JS values (`Date`, number, string) are accepted too.
 */
import type { ColumnSchema, KustoScalarType } from './compiler-types.js';

interface Micros {
  micros: bigint;
}
interface Interval {
  months: number;
  days: number;
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

const KUSTO_EPOCH_OFFSET_US = 62_135_596_800_000_000n;

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

function pad(n: bigint | number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `2024-05-01T12:34:56.7890000Z` from microseconds since 1970 (UTC). */
export function formatDateTimeMicros(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const date = new Date(Number(ms));
  const subMs = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  const head = year >= 0 && year <= 9999 ? iso.slice(0, 19) : iso.replace(/^[+-]0*/, '').slice(0, 19);
  return `${head}.${pad(subMs, 6)}0Z`;
}

/** `[-][d.]hh:mm:ss[.fffffff]` from microseconds. */
export function formatTimespanMicros(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const a = micros < 0n ? -micros : micros;
  const days = a / 86_400_000_000n;
  const hours = (a / 3_600_000_000n) % 24n;
  const minutes = (a / 60_000_000n) % 60n;
  const seconds = (a / 1_000_000n) % 60n;
  const frac = a % 1_000_000n;
  return `${sign}${days > 0n ? `${days}.` : ''}${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${frac > 0n ? `.${pad(frac, 6)}0` : ''}`;
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
      if (value instanceof Date) {
        return formatDateTimeMicros(BigInt(value.getTime()) * 1000n);
      }
      if (isObject(value) && typeof (value as unknown as Micros).micros === 'bigint') {
        return formatDateTimeMicros((value as unknown as Micros).micros);
      }
      if (typeof value === 'string') {
        const parsed = Date.parse(value.endsWith('Z') ? value : `${value.replace(' ', 'T')}Z`);
        return Number.isNaN(parsed) ? value : formatDateTimeMicros(BigInt(parsed) * 1000n);
      }
      return text(value);
    }
    case 'timespan': {
      if (isObject(value) && 'micros' in value) {
        const i = value as unknown as Interval;
        return formatTimespanMicros(
          BigInt(i.days ?? 0) * 86_400_000_000n +
            BigInt(i.months ?? 0) * 30n * 86_400_000_000n +
            BigInt(i.micros),
        );
      }
      if (typeof value === 'bigint') {
        return formatTimespanMicros(value);
      }
      return text(value);
    }
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

export { KUSTO_EPOCH_OFFSET_US };
