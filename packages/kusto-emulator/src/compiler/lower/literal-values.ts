/**
 * Kusto literal text → values the SQL parameters carry. Used for literals in queries and for query
 * parameter values, which arrive as KQL literal text (`datetime(2024-01-01)`, `timespan(1h)`, `long(7)`).
 */
import type { KustoScalarType } from '../compiler-types.js';
import type { LiteralValue } from '../ir/ir-node.js';
import {
  parseDatetimeTicks,
  parseTimespanTicks,
  TICKS_PER_DAY,
  TICKS_PER_MILLISECOND,
} from '../kusto-time.js';

/** Kusto's dynamic literals may quote strings with `'`; JSON needs `"`. Other text is left as is. */
function singleToDoubleQuotes(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        j += text[j] === '\\' ? 2 : 1;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== "'") {
        if (text[j] === '\\' && j + 1 < text.length) {
          value += text[j + 1] === "'" ? "'" : text.slice(j, j + 2);
          j += 2;
        } else {
          value += text[j] === '"' ? '\\"' : text[j];
          j += 1;
        }
      }
      out += `"${value}"`;
      i = j + 1;
    } else {
      out += ch;
      i += 1;
    }
  }
  return out;
}

/** Strips `type(` … `)` around literal text: `datetime(2024-01-01)` → `2024-01-01`. */
function unwrap(text: string, names: readonly string[]): string {
  const t = text.trim();
  for (const name of names) {
    if (t.toLowerCase().startsWith(`${name}(`) && t.endsWith(')')) {
      return t.slice(name.length + 1, -1).trim();
    }
  }
  return t;
}

/**
 * Ticks of a timespan literal (`1h`, `1.5d`, `1tick`, `time(1.02:03:04)`, `-00:30:00`, a bare number of days
 * as in `time(2)`), null for `timespan(null)`, or undefined.
 */
export function parseTimespanLiteral(text: string): bigint | null | undefined {
  const body = unwrap(text, ['timespan', 'time']);
  if (body.toLowerCase() === 'null') {
    return null;
  }
  if (/^-?\d+$/.test(body)) {
    return BigInt(body) * TICKS_PER_DAY;
  }
  return parseTimespanTicks(body);
}

/** Ticks (since 0001-01-01) of a datetime literal, null for `datetime(null)`, or undefined. */
export function parseDatetimeLiteral(text: string): bigint | null | undefined {
  const body = unwrap(text, ['datetime', 'date']);
  if (body.toLowerCase() === 'null') {
    return null;
  }
  return parseDatetimeTicks(body);
}

const INT_RANGE = [-(2n ** 31n), 2n ** 31n - 1n] as const;
const LONG_RANGE = [-(2n ** 63n), 2n ** 63n - 1n] as const;

/**
 * The value when it fits the type (int: 32 bits; long and timespan ticks: 64 bits), else undefined: a value past
 * them is no literal of the type, and would reach DuckDB as a HUGEINT it cannot cast.
 */
function inRange(type: 'int' | 'long' | 'timespan', value: bigint): bigint | undefined {
  const [min, max] = type === 'int' ? INT_RANGE : LONG_RANGE;
  return value >= min && value <= max ? value : undefined;
}

/**
 * A literal's value for a parameter of `type`, from KQL literal text or a JSON value (query parameters).
 * Returns undefined when the text is not a valid literal of that type.
 */
export function literalValue(
  type: KustoScalarType,
  raw: string | number | boolean | null,
): LiteralValue | undefined {
  if (raw === null) {
    return null;
  }
  if (type === 'string') {
    return String(raw);
  }
  if (typeof raw === 'boolean') {
    return type === 'bool' ? raw : undefined;
  }
  if (typeof raw === 'number') {
    switch (type) {
      case 'long':
      case 'int':
        return Number.isInteger(raw) ? inRange(type, BigInt(raw)) : undefined;
      case 'real':
      case 'decimal':
        return raw;
      case 'timespan':
        // A JSON number is milliseconds.
        return Number.isFinite(raw)
          ? inRange('timespan', BigInt(Math.round(raw)) * TICKS_PER_MILLISECOND)
          : undefined;
      case 'bool':
      case 'datetime':
      case 'dynamic':
      case 'guid':
        return undefined;
    }
  }
  const text = raw.trim();
  switch (type) {
    case 'long':
    case 'int': {
      const body = unwrap(text, ['long', 'int']);
      if (body.toLowerCase() === 'null') {
        return null;
      }
      if (/^[-+]?0x[0-9a-f]+$/i.test(body)) {
        // Hexadecimal (0xFF): BigInt reads the digits but not a sign in front of them.
        const magnitude = BigInt(body.replace(/^[-+]/, ''));
        return inRange(type, body.startsWith('-') ? -magnitude : magnitude);
      }
      return /^[-+]?\d+$/.test(body) ? inRange(type, BigInt(body)) : undefined;
    }
    case 'real':
    case 'decimal': {
      const body = unwrap(text, ['real', 'double', 'decimal']);
      if (body.toLowerCase() === 'null') {
        return null;
      }
      if (/^(nan|\+?inf|-inf)$/i.test(body)) {
        return body.toLowerCase() === 'nan' ? Number.NaN : body.startsWith('-') ? -Infinity : Infinity;
      }
      const n = Number(body);
      return body !== '' && Number.isFinite(n) ? (type === 'decimal' ? body : n) : undefined;
    }
    case 'bool': {
      const body = unwrap(text, ['bool', 'boolean']).toLowerCase();
      if (body === 'null') {
        return null;
      }
      return body === 'true' || body === '1' ? true : body === 'false' || body === '0' ? false : undefined;
    }
    case 'datetime':
      return parseDatetimeLiteral(text);
    case 'timespan': {
      const ticks = parseTimespanLiteral(text);
      return ticks === null || ticks === undefined ? ticks : inRange('timespan', ticks);
    }
    case 'guid': {
      const body = unwrap(text, ['guid', 'uuid', 'uniqueid']);
      if (body.toLowerCase() === 'null') {
        return null;
      }
      return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(body)
        ? body.toLowerCase()
        : undefined;
    }
    case 'dynamic': {
      const body = unwrap(text, ['dynamic']);
      if (body.toLowerCase() === 'null') {
        return null;
      }
      const json = singleToDoubleQuotes(body);
      try {
        // Validate, but keep the text: `111.0` must stay a real, which re-serialising would lose.
        JSON.parse(json);
        return json;
      } catch {
        return undefined;
      }
    }
  }
}
