/**
 * The UTC offset of an IANA time zone, for time-zone-functions.ts. Only the storage layer loads this file.
 */
import { TIME_ZONE_JS_RESULTS } from './time-zone-functions.js';
import {
  JS_RETURN_TYPES,
  jsSqlName,
  type JsScalarArgument,
  type JsScalarFunction,
} from './js-scalar-function.js';

/** Seconds from 0001-01-01 (where Kusto counts datetimes from) to 1970-01-01. */
const UNIX_EPOCH_SECONDS = 62_135_596_800;

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterOf(zone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      formatter = null;
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC, in seconds, at the UTC instant `unixSeconds`. */
function offsetAt(formatter: Intl.DateTimeFormat, unixSeconds: number): number {
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(unixSeconds * 1000)) {
    parts[part.type] = part.value;
  }
  const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall.getTime() / 1000 - unixSeconds;
}

/**
 * For a local time: the offset that maps it back to itself. A local time a clock change skipped (02:30 on the
 * night clocks go forward) takes the offset after the change, and one that happens twice takes standard time
 * (the smaller offset) — the answers of the reference's Europe/Brussels example.
 */
function offsetOfLocal(formatter: Intl.DateTimeFormat, localSeconds: number): number {
  const around = [offsetAt(formatter, localSeconds - 86_400), offsetAt(formatter, localSeconds + 86_400)];
  const consistent = around.filter((offset) => offsetAt(formatter, localSeconds - offset) === offset);
  return consistent.length > 0 ? Math.min(...consistent) : Math.max(...around);
}

function timeZoneOffset(args: readonly JsScalarArgument[]): number | null {
  const [seconds, zone, reading] = args;
  const formatter = typeof zone === 'string' ? formatterOf(zone) : null;
  if (formatter === null || typeof seconds !== 'number') {
    return null;
  }
  const unixSeconds = seconds - UNIX_EPOCH_SECONDS;
  return reading === 'local' ? offsetOfLocal(formatter, unixSeconds) : offsetAt(formatter, unixSeconds);
}

export const TIME_ZONE_JS_FUNCTIONS: readonly JsScalarFunction[] = [
  {
    name: jsSqlName('time_zone_offset'),
    returns: JS_RETURN_TYPES[TIME_ZONE_JS_RESULTS.time_zone_offset],
    call: timeZoneOffset,
  },
];
