/**
 * ADX's ingestion coercion rules, turning a source value (a parsed JSON value, or CSV field text) into the
 * text the DuckDB staging table casts to the column type. A value that does not convert becomes null — ADX
 * never fails an ingestion over one bad cell.
 *
 * datetime and timespan travel as integer 100 ns ticks, which is also how they are stored (see
 * `compiler/kusto-time.ts`), so the SQL side is an exact integer cast rather than DuckDB's own date parsing.
 */
import type { KustoScalarType } from '../compiler/compiler-types.js';
import { parseDatetimeTicks, parseTimespanTicks } from '../compiler/kusto-time.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const GUID_TEXT = /^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$/;

/** Where the value came from: CSV fields are always text, JSON keeps its value types. */
export type SourceKind = 'json' | 'text';

function integerText(value: unknown, min: bigint, max: bigint): string | null {
  let big: bigint;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      return null;
    }
    big = BigInt(Math.trunc(value));
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) {
    big = BigInt(value.trim());
  } else if (typeof value === 'string' && NUMBER_TEXT.test(value.trim())) {
    const parsed = Number(value.trim());
    big = BigInt(Math.trunc(parsed));
  } else if (typeof value === 'boolean') {
    big = value ? 1n : 0n;
  } else {
    return null;
  }
  return big < min || big > max ? null : big.toString();
}

export function coerceValue(value: unknown, type: KustoScalarType, source: SourceKind): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (type === 'string') {
    if (typeof value === 'string') {
      return value;
    }
    return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
      ? String(value)
      : JSON.stringify(value);
  }
  if (type === 'dynamic') {
    if (source === 'text' && typeof value === 'string') {
      if (value === '') {
        return null;
      }
      try {
        return JSON.stringify(JSON.parse(value));
      } catch {
        return JSON.stringify(value);
      }
    }
    return JSON.stringify(value);
  }
  if (typeof value === 'string' && value.trim() === '') {
    return null;
  }
  switch (type) {
    case 'bool': {
      if (typeof value === 'boolean') {
        return value ? 'true' : 'false';
      }
      if (typeof value === 'number') {
        return value === 0 ? 'false' : 'true';
      }
      if (typeof value !== 'string') {
        return null;
      }
      const text = value.trim().toLowerCase();
      if (text === 'true' || text === '1') {
        return 'true';
      }
      if (text === 'false' || text === '0') {
        return 'false';
      }
      return null;
    }
    case 'int':
      return integerText(value, BigInt(INT32_MIN), BigInt(INT32_MAX));
    case 'long':
      return integerText(value, INT64_MIN, INT64_MAX);
    case 'real': {
      if (typeof value === 'number') {
        return String(value);
      }
      if (typeof value === 'string') {
        const text = value.trim();
        if (NUMBER_TEXT.test(text)) {
          return text;
        }
        if (/^(nan|[+-]?inf(inity)?)$/i.test(text)) {
          return text;
        }
      }
      return null;
    }
    case 'decimal': {
      if (typeof value === 'number') {
        return Number.isFinite(value) ? String(value) : null;
      }
      return typeof value === 'string' && NUMBER_TEXT.test(value.trim()) ? value.trim() : null;
    }
    case 'datetime': {
      if (typeof value !== 'string') {
        return null;
      }
      const ticks = parseDatetimeTicks(value);
      return ticks === undefined ? null : ticks.toString();
    }
    case 'timespan': {
      if (typeof value === 'number') {
        // A number is a tick count (100 ns), as in ADX.
        return Number.isFinite(value) ? BigInt(Math.trunc(value)).toString() : null;
      }
      if (typeof value !== 'string') {
        return null;
      }
      const ticks = parseTimespanTicks(value);
      return ticks === undefined ? null : ticks.toString();
    }
    case 'guid': {
      const match = typeof value === 'string' ? GUID_TEXT.exec(value.trim()) : null;
      return match ? match[1].toLowerCase() : null;
    }
    default:
      return null;
  }
}

/** The SQL that turns a staged text column into its storage type; TRY_CAST keeps "bad value → null". */
export function castFromStageSql(columnSql: string, type: KustoScalarType): string {
  switch (type) {
    case 'bool':
      return `TRY_CAST(${columnSql} AS BOOLEAN)`;
    case 'int':
      return `TRY_CAST(${columnSql} AS INTEGER)`;
    case 'long':
      return `TRY_CAST(${columnSql} AS BIGINT)`;
    case 'real':
      return `TRY_CAST(${columnSql} AS DOUBLE)`;
    case 'decimal':
      return `TRY_CAST(${columnSql} AS DECIMAL(38,18))`;
    case 'string':
      return columnSql;
    case 'datetime':
    case 'timespan':
      return `TRY_CAST(${columnSql} AS BIGINT)`;
    case 'guid':
      return `TRY_CAST(${columnSql} AS UUID)`;
    case 'dynamic':
      return `TRY_CAST(${columnSql} AS JSON)`;
    default:
      return columnSql;
  }
}
