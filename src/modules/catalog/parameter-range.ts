import {
  INT_MAX,
  INT_MIN,
  type KustoScalarType,
  LONG_MAX,
  LONG_MIN,
  parseDatetime,
  parseTimespanTicks,
} from '@kqlgate/kql-language';

/**
 * Ranges of caller-supplied parameters, declared in the exposure header next to the KQL:
 *
 * ```
 * // @param historyDays min=1 max=365
 * // @param lookback min=1m max=30d
 * // @param since min=now-90d max=now
 * // @param sku maxLength=64
 * ```
 *
 * Bounds are inclusive and written as KQL literals of the parameter's type: numbers for int/long/real/decimal,
 * timespans (`1m`, `30d`, `1.02:00:00`) for a timespan, ISO-8601 datetimes or `now`, `now-<timespan>`,
 * `now+<timespan>` (evaluated at call time) for a datetime. `maxLength` caps a string. The gateway checks them
 * before the engine is called (parameter-binder.ts), so a value a function cannot sensibly take — a
 * 100,000-day history, a negative row count — is a 400 naming the parameter, never minutes of engine work.
 */

/** Whole number of 100 ns ticks, carried as a decimal string: catalogs cross threads and go to JSON. */
type Ticks = string;

/** One inclusive bound: as written (for messages and docs) and as a value to compare with. */
export type RangeBound =
  /** int, real, decimal. */
  | { readonly kind: 'number'; readonly text: string; readonly value: number }
  /** long: exact, beyond 2^53 too. */
  | { readonly kind: 'long'; readonly text: string; readonly value: string }
  | { readonly kind: 'timespan'; readonly text: string; readonly ticks: Ticks }
  /** An absolute datetime: ticks since 0001-01-01. */
  | { readonly kind: 'datetime'; readonly text: string; readonly ticks: Ticks }
  /** `now`, `now-30d`, `now+1h`: the call's time plus an offset. */
  | { readonly kind: 'now'; readonly text: string; readonly offsetTicks: Ticks };

export interface ParameterRange {
  readonly min?: RangeBound;
  readonly max?: RangeBound;
  /** Strings: at most this many characters. */
  readonly maxLength?: number;
}

/** A `@param` line as read from the header, before the parameter's type is known. */
export interface DeclaredRange {
  name: string;
  offset: number;
  min?: { text: string; offset: number };
  max?: { text: string; offset: number };
  maxLength?: { text: string; offset: number };
}

export interface RangeProblem {
  offset: number;
  message: string;
}

/** The longest string any parameter accepts; `maxLength` may only lower it. */
export const MAX_STRING_PARAMETER_LENGTH = 4096;

const TICKS_PER_MS = 10_000n;
const EPOCH_TICKS = 621_355_968_000_000_000n;
/** Kusto's datetime range: 0001-01-01 … 9999-12-31 23:59:59.9999999. */
const DATETIME_MIN_TICKS = 0n;
const DATETIME_MAX_TICKS = 3_155_378_975_999_999_999n;

const NUMERIC_TYPES: ReadonlySet<KustoScalarType> = new Set(['int', 'long', 'real', 'decimal']);
const ORDERED_TYPES: ReadonlySet<KustoScalarType> = new Set([...NUMERIC_TYPES, 'timespan', 'datetime']);

/** Ticks since 0001-01-01 of an ISO-8601 UTC string as parseDatetime returns it (up to 7 fraction digits). */
export function datetimeTicks(iso: string): bigint {
  const ms = Date.parse(iso);
  const subMs = (/\.\d{3}(\d{1,4})Z$/.exec(iso)?.[1] ?? '').padEnd(4, '0');
  return BigInt(ms) * TICKS_PER_MS + EPOCH_TICKS + BigInt(subMs);
}

export function nowTicks(now: Date): bigint {
  return BigInt(now.getTime()) * TICKS_PER_MS + EPOCH_TICKS;
}

function inLongRange(value: bigint): boolean {
  return value >= LONG_MIN && value <= LONG_MAX;
}

/** A bound for a parameter of `type`, or the message saying what the text should have been. */
function parseBound(type: KustoScalarType, text: string): RangeBound | string {
  switch (type) {
    case 'int':
    case 'long': {
      if (!/^[+-]?\d+$/.test(text)) {
        return `must be a whole number for a ${type} parameter`;
      }
      const value = BigInt(text);
      if (type === 'int' ? value < BigInt(INT_MIN) || value > BigInt(INT_MAX) : !inLongRange(value)) {
        return `is outside the ${type} range`;
      }
      return type === 'int'
        ? { kind: 'number', text, value: Number(value) }
        : { kind: 'long', text, value: value.toString() };
    }
    case 'real':
    case 'decimal': {
      const value = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
      return Number.isFinite(value)
        ? { kind: 'number', text, value }
        : `must be a finite number for a ${type} parameter`;
    }
    case 'timespan': {
      const ticks = parseTimespanTicks(text);
      if (ticks === undefined) {
        return 'must be a timespan such as 1m, 30d or 1.02:00:00';
      }
      return inLongRange(ticks)
        ? { kind: 'timespan', text, ticks: ticks.toString() }
        : 'is outside the timespan range';
    }
    case 'datetime': {
      const relative = /^now(?:([+-])(.+))?$/i.exec(text);
      if (relative) {
        const offset = relative[2] === undefined ? 0n : parseTimespanTicks(relative[2]);
        if (offset === undefined) {
          return 'must be now, now-<timespan> or now+<timespan>, e.g. now-90d';
        }
        return { kind: 'now', text, offsetTicks: (relative[1] === '-' ? -offset : offset).toString() };
      }
      const iso = parseDatetime(text);
      if (!iso) {
        return 'must be an ISO-8601 datetime such as 2024-01-01, or now, now-90d, now+1h';
      }
      return { kind: 'datetime', text, ticks: datetimeTicks(iso).toString() };
    }
    case 'bool':
    case 'string':
    case 'guid':
    case 'dynamic':
      return `min/max apply to numbers, timespans and datetimes, not to a ${type} parameter`;
  }
}

/** Reads a `@param` line's bounds against the parameter's declared type; problems name the setting at fault. */
export function resolveParameterRange(
  type: KustoScalarType,
  declared: DeclaredRange,
): { range?: ParameterRange; problems: RangeProblem[] } {
  const problems: RangeProblem[] = [];
  const bound = (setting: 'min' | 'max'): RangeBound | undefined => {
    const given = declared[setting];
    if (!given) {
      return undefined;
    }
    const parsed = parseBound(type, given.text);
    if (typeof parsed === 'string') {
      problems.push({
        offset: given.offset,
        message: `@param ${declared.name} ${setting}=${given.text} ${parsed}`,
      });
      return undefined;
    }
    return parsed;
  };
  const min = bound('min');
  const max = bound('max');
  let maxLength: number | undefined;
  if (declared.maxLength) {
    const { text, offset } = declared.maxLength;
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    if (type !== 'string') {
      problems.push({
        offset,
        message: `@param ${declared.name} maxLength applies to string parameters, not to a ${type}`,
      });
    } else if (!Number.isInteger(n) || n < 1 || n > MAX_STRING_PARAMETER_LENGTH) {
      problems.push({
        offset,
        message: `@param ${declared.name} maxLength must be a whole number between 1 and ${MAX_STRING_PARAMETER_LENGTH}; found '${text}'`,
      });
    } else {
      maxLength = n;
    }
  }
  if (min && max && declared.min && compareBounds(min, max) > 0) {
    problems.push({
      offset: declared.min.offset,
      message: `@param ${declared.name} min=${min.text} is greater than max=${max.text}`,
    });
  }
  if (!min && !max && maxLength === undefined) {
    return { problems };
  }
  return {
    range: Object.freeze({
      ...(min ? { min } : {}),
      ...(max ? { max } : {}),
      ...(maxLength === undefined ? {} : { maxLength }),
    }),
    problems,
  };
}

/** Orders two bounds of one parameter; `now`-relative ones compare by offset against each other only. */
function compareBounds(a: RangeBound, b: RangeBound): number {
  const now = nowTicks(new Date());
  const x = boundValue(a, now);
  const y = boundValue(b, now);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The bound's value in the domain values of its parameter compare in (see comparableValue). */
function boundValue(bound: RangeBound, now: bigint): number | bigint {
  switch (bound.kind) {
    case 'number':
      return bound.value;
    case 'long':
      return BigInt(bound.value);
    case 'timespan':
    case 'datetime':
      return BigInt(bound.ticks);
    case 'now':
      return now + BigInt(bound.offsetTicks);
  }
}

/**
 * A canonical parameter value (what parameter-binder.ts produces and the catalog keeps as `defaultValue`) in the
 * domain its bounds compare in: a number, a long as bigint, ticks of a timespan or datetime. Undefined for types
 * without an order.
 */
function comparableValue(type: KustoScalarType, value: unknown): number | bigint | undefined {
  switch (type) {
    case 'int':
    case 'real':
    case 'decimal':
      return typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : undefined;
    case 'long':
      return typeof value === 'number' || typeof value === 'string' ? BigInt(value) : undefined;
    case 'timespan':
      return typeof value === 'string' ? parseTimespanTicks(value) : undefined;
    case 'datetime':
      return typeof value === 'string' ? datetimeTicks(value) : undefined;
    case 'bool':
    case 'string':
    case 'guid':
    case 'dynamic':
      return undefined;
  }
}

/**
 * What is wrong with a canonical value of `type` against `range` (`must be between 1 and 365, got 100000`), or
 * undefined when it fits. `raw` is the value as the caller wrote it, for the message.
 */
export function rangeProblem(
  type: KustoScalarType,
  range: ParameterRange,
  value: unknown,
  raw: string,
  now: Date,
): string | undefined {
  if (range.maxLength !== undefined && typeof value === 'string' && value.length > range.maxLength) {
    return `must be at most ${range.maxLength} characters, got ${value.length}`;
  }
  if (!ORDERED_TYPES.has(type) || (!range.min && !range.max)) {
    return undefined;
  }
  const x = comparableValue(type, value);
  if (x === undefined) {
    return undefined;
  }
  const at = nowTicks(now);
  const below = range.min !== undefined && x < boundValue(range.min, at);
  const above = range.max !== undefined && x > boundValue(range.max, at);
  return below || above ? `must be ${describeRange(range)}, got ${raw}` : undefined;
}

/** `between 1 and 365`, `at least 1m`, `at most 64 characters`: for errors, OpenAPI, GraphQL and the docs page. */
export function describeRange(range: ParameterRange): string {
  const parts: string[] = [];
  if (range.min && range.max) {
    parts.push(`between ${range.min.text} and ${range.max.text}`);
  } else if (range.min) {
    parts.push(`at least ${range.min.text}`);
  } else if (range.max) {
    parts.push(`at most ${range.max.text}`);
  }
  if (range.maxLength !== undefined) {
    parts.push(`at most ${range.maxLength} characters`);
  }
  return parts.join(', ');
}

/** Inclusive numeric bounds for an OpenAPI schema (numbers and longs only; others are in the description). */
export function numericBounds(range: ParameterRange): { minimum?: number; maximum?: number } {
  const numeric = (bound: RangeBound | undefined): number | undefined =>
    bound?.kind === 'number' ? bound.value : bound?.kind === 'long' ? Number(bound.value) : undefined;
  const minimum = numeric(range.min);
  const maximum = numeric(range.max);
  return {
    ...(minimum === undefined ? {} : { minimum }),
    ...(maximum === undefined ? {} : { maximum }),
  };
}

/** Kusto's datetime range, for the binder's own check of datetimes (JS dates reach year 0 and beyond 9999). */
export function inDatetimeRange(iso: string): boolean {
  const ticks = datetimeTicks(iso);
  return ticks >= DATETIME_MIN_TICKS && ticks <= DATETIME_MAX_TICKS;
}
