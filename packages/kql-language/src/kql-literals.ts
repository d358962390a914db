import { stringLiteralValue } from './kql-lexer.js';
import type { KustoScalarType } from './kql-scalar-types.js';

/**
 * KQL literal values ⇄ JavaScript values, for the parameter values an API caller sends and for the defaults a
 * function declares. A timespan is carried as a canonical Kusto string (`[-][d.]hh:mm:ss[.fffffff]`), a datetime
 * as an ISO-8601 UTC string, a long as a decimal string (no precision loss above 2^53).
 */

const TICKS_PER_MS = 10_000n;
const UNIT_TICKS: Record<string, bigint> = {
  d: 864_000_000_000n,
  day: 864_000_000_000n,
  days: 864_000_000_000n,
  h: 36_000_000_000n,
  hr: 36_000_000_000n,
  hrs: 36_000_000_000n,
  hour: 36_000_000_000n,
  hours: 36_000_000_000n,
  m: 600_000_000n,
  min: 600_000_000n,
  minute: 600_000_000n,
  minutes: 600_000_000n,
  s: 10_000_000n,
  sec: 10_000_000n,
  second: 10_000_000n,
  seconds: 10_000_000n,
  ms: 10_000n,
  milli: 10_000n,
  millis: 10_000n,
  millisecond: 10_000n,
  milliseconds: 10_000n,
  microsecond: 10n,
  microseconds: 10n,
  tick: 1n,
  ticks: 1n,
};

/**
 * Ticks (100 ns) of a timespan written as KQL (`90s`, `1.5h`, `2d`, `1.02:03:04.5`, `timespan(1h)`) or
 * ISO-8601 (`PT1H30M`, `P1D`); undefined when it is none of these.
 */
export function parseTimespanTicks(input: string): bigint | undefined {
  let text = input.trim();
  const wrapped = /^(?:timespan|time)\s*\((.*)\)$/i.exec(text);
  if (wrapped) {
    text = wrapped[1].trim();
  }
  const unit = /^(-)?(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(text);
  if (unit) {
    const ticksPerUnit = UNIT_TICKS[unit[3].toLowerCase()];
    if (ticksPerUnit === undefined) {
      return undefined;
    }
    const ticks = decimalTimes(unit[2], ticksPerUnit);
    return unit[1] ? -ticks : ticks;
  }
  const clock = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(text);
  if (clock) {
    const [, sign, days, hours, minutes, seconds, fraction] = clock;
    if (Number(minutes) > 59 || Number(seconds ?? 0) > 59) {
      return undefined;
    }
    const ticks =
      BigInt(days ?? 0) * UNIT_TICKS.d +
      BigInt(hours) * UNIT_TICKS.h +
      BigInt(minutes) * UNIT_TICKS.m +
      BigInt(seconds ?? 0) * UNIT_TICKS.s +
      BigInt((fraction ?? '').padEnd(7, '0'));
    return sign ? -ticks : ticks;
  }
  const iso = /^(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text);
  if (iso && text.length > 1 && !/T$/i.test(text) && !/^-?P$/i.test(text)) {
    const [, sign, days, hours, minutes, seconds] = iso;
    const ticks =
      BigInt(days ?? 0) * UNIT_TICKS.d +
      BigInt(hours ?? 0) * UNIT_TICKS.h +
      BigInt(minutes ?? 0) * UNIT_TICKS.m +
      decimalTimes(seconds ?? '0', UNIT_TICKS.s);
    return sign ? -ticks : ticks;
  }
  return undefined;
}

function decimalTimes(decimal: string, factor: bigint): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  const digits = fraction.slice(0, 12);
  const scale = 10n ** BigInt(digits.length);
  return (BigInt(whole) * scale * factor + BigInt(digits || '0') * factor) / scale;
}

/** Canonical Kusto rendering of a timespan: `[-][d.]hh:mm:ss[.fffffff]`. */
export function formatTimespanTicks(ticks: bigint): string {
  const sign = ticks < 0n ? '-' : '';
  let rest = ticks < 0n ? -ticks : ticks;
  const days = rest / UNIT_TICKS.d;
  rest %= UNIT_TICKS.d;
  const hours = rest / UNIT_TICKS.h;
  rest %= UNIT_TICKS.h;
  const minutes = rest / UNIT_TICKS.m;
  rest %= UNIT_TICKS.m;
  const seconds = rest / UNIT_TICKS.s;
  const fraction = rest % UNIT_TICKS.s;
  const pad = (value: bigint): string => value.toString().padStart(2, '0');
  return (
    `${sign}${days > 0n ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}` +
    (fraction > 0n ? `.${fraction.toString().padStart(7, '0')}` : '')
  );
}

/** The timespan the JS SDK hands back (milliseconds) in canonical Kusto form. */
export function formatTimespanMs(ms: number): string {
  return formatTimespanTicks(BigInt(Math.round(ms * 10_000)) / 1n);
}

export function ticksToMs(ticks: bigint): number {
  return Number(ticks / TICKS_PER_MS);
}

const ISO_DATETIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * ISO-8601 UTC string for a datetime written as `2024-01-01`, `2024-01-01T10:00:00Z` or `datetime(…)`. Milliseconds
 * as `Date` prints them; digits past the millisecond (Kusto datetimes are 100 ns ticks) are kept, up to seven.
 */
export function parseDatetime(input: string): string | undefined {
  let text = input.trim();
  const wrapped = /^(?:datetime|date)\s*\((.*)\)$/i.exec(text);
  if (wrapped) {
    text = wrapped[1].trim();
  }
  if (!ISO_DATETIME.test(text)) {
    return undefined;
  }
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) && text.length > 10;
  const date = new Date(hasZone ? text : `${text.length === 10 ? `${text}T00:00:00` : text}Z`);
  if (Number.isNaN(date.getTime())) {
    return undefined;
  }
  const iso = date.toISOString();
  // Zone offsets are whole minutes, so the sub-millisecond digits are the same in UTC.
  const subMs = (/:\d{2}\.\d{3}(\d{1,4})/.exec(text)?.[1] ?? '').padEnd(4, '0');
  return subMs === '0000' ? iso : `${iso.slice(0, -1)}${subMs}Z`;
}

export const INT_MIN = -2_147_483_648;
export const INT_MAX = 2_147_483_647;
export const LONG_MIN = -9_223_372_036_854_775_808n;
export const LONG_MAX = 9_223_372_036_854_775_807n;

/** The JSON value of a KQL literal of the given type (for documenting defaults); undefined if not a literal. */
export function literalValue(type: KustoScalarType, text: string): unknown {
  const trimmed = text.trim();
  if (/^(?:[a-z]+)\(\s*null\s*\)$/i.test(trimmed)) {
    return null;
  }
  switch (type) {
    case 'string': {
      return stringLiteralValue(trimmed);
    }
    case 'bool': {
      const match = /^(?:bool(?:ean)?\()?\s*(true|false)\s*\)?$/i.exec(trimmed);
      return match ? match[1].toLowerCase() === 'true' : undefined;
    }
    case 'int':
    case 'real':
    case 'decimal': {
      const match = /^(?:[a-z]+\()?\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*\)?$/i.exec(trimmed);
      return match ? Number(match[1]) : undefined;
    }
    case 'long': {
      const match = /^(?:long\()?\s*(-?\d+)\s*\)?$/i.exec(trimmed);
      return match ? longJson(BigInt(match[1])) : undefined;
    }
    case 'datetime':
      return parseDatetime(trimmed);
    case 'timespan': {
      const ticks = parseTimespanTicks(trimmed);
      return ticks === undefined ? undefined : formatTimespanTicks(ticks);
    }
    case 'guid': {
      const match = /^(?:guid\()?\s*([0-9a-f-]{36})\s*\)?$/i.exec(trimmed);
      return match ? match[1].toLowerCase() : undefined;
    }
    case 'dynamic': {
      const match = /^dynamic\(([\s\S]*)\)$/i.exec(trimmed);
      if (!match) {
        return undefined;
      }
      try {
        return JSON.parse(match[1]) as unknown;
      } catch {
        return undefined;
      }
    }
  }
}

/** A long as JSON: a number when exactly representable, else its decimal string. */
export function longJson(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value.toString();
}
