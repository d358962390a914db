/**
 * Kusto literal text → values the SQL parameters carry. Used for literals in queries and for query
 * parameter values, which arrive as KQL literal text (`datetime(2024-01-01)`, `timespan(1h)`, `long(7)`).
 */
import type { KustoScalarType } from '../compiler-types.js';
import type { LiteralValue } from '../ir/ir-node.js';

const TIMESPAN_UNITS: Record<string, number> = {
  d: 86_400_000_000,
  day: 86_400_000_000,
  days: 86_400_000_000,
  h: 3_600_000_000,
  hr: 3_600_000_000,
  hrs: 3_600_000_000,
  hour: 3_600_000_000,
  hours: 3_600_000_000,
  m: 60_000_000,
  min: 60_000_000,
  minute: 60_000_000,
  minutes: 60_000_000,
  s: 1_000_000,
  sec: 1_000_000,
  second: 1_000_000,
  seconds: 1_000_000,
  ms: 1_000,
  milli: 1_000,
  millis: 1_000,
  millisecond: 1_000,
  milliseconds: 1_000,
  microsecond: 1,
  microseconds: 1,
  tick: 0.1,
  ticks: 0.1,
};

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

/** Microseconds of a timespan literal (`1h`, `1.5d`, `time(1.02:03:04)`, `-00:30:00`), or undefined. */
export function parseTimespanMicros(text: string): bigint | null | undefined {
  const body = unwrap(text, ['timespan', 'time']);
  if (body.toLowerCase() === 'null') {
    return null;
  }
  const unit = /^(-?\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(body);
  if (unit) {
    const factor = TIMESPAN_UNITS[unit[2].toLowerCase()];
    if (factor === undefined) {
      return undefined;
    }
    return BigInt(Math.round(Number(unit[1]) * factor));
  }
  const clock = /^(-?)(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(body);
  if (clock) {
    const [, sign, d, h, m, s, frac] = clock;
    const micros =
      BigInt(d ?? 0) * 86_400_000_000n +
      BigInt(h) * 3_600_000_000n +
      BigInt(m) * 60_000_000n +
      BigInt(s ?? 0) * 1_000_000n +
      BigInt(Math.round(Number(`0.${frac ?? '0'}`) * 1e6));
    return sign === '-' ? -micros : micros;
  }
  if (/^-?\d+$/.test(body)) {
    // A bare number is days, as in `time(2)`.
    return BigInt(body) * 86_400_000_000n;
  }
  return undefined;
}

/** A datetime literal as DuckDB TIMESTAMP text (`2024-01-01 00:00:00.123456`), or undefined. */
export function parseDateTimeText(text: string): string | null | undefined {
  const body = unwrap(text, ['datetime', 'date']);
  if (body.toLowerCase() === 'null') {
    return null;
  }
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]00:?00)?$/i.exec(
      body,
    );
  if (!m) {
    const parsed = Date.parse(body);
    if (Number.isNaN(parsed)) {
      return undefined;
    }
    return new Date(parsed).toISOString().replace('T', ' ').replace('Z', '');
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = ''] = m;
  const micros = (frac + '000000').slice(0, 6);
  return `${y}-${mo}-${d} ${h}:${mi}:${s}.${micros}`;
}

export function dateToTimestampText(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')}000`;
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
        return Number.isInteger(raw) ? BigInt(raw) : undefined;
      case 'real':
      case 'decimal':
        return raw;
      case 'timespan':
        return BigInt(Math.round(raw * 1000));
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
      return /^-?\d+$/.test(body) ? BigInt(body) : undefined;
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
      return parseDateTimeText(text);
    case 'timespan':
      return parseTimespanMicros(text);
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
