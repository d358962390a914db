/**
 * Kusto time values as the engine stores them: datetimes and timespans are both BIGINT counts of 100 ns
 * ticks, datetimes counted from 0001-01-01T00:00:00Z (.NET `DateTime.Ticks`), so the whole ADX range
 * 0001-01-01 … 9999-12-31 is exact to the tick. This module is where the engine parses and prints their text
 * forms on the JS side (literals, query parameters, ingestion, result frames); timespan text is shared with
 * the gateway (`src/kql-language/kql-literals.ts`) and re-exported here. The SQL side is in
 * `sql/duckdb-setup.ts`.
 *
 * Calendar arithmetic uses the proleptic Gregorian day-number algorithm (H. Hinnant, "chrono-compatible
 * low-level date algorithms") on bigints rather than `Date`, which maps years 0–99 onto 1900–1999 and
 * holds only milliseconds.
 */

export { formatTimespanTicks, parseTimespanTicks } from '@kqlgate/kql-language';

export const TICKS_PER_MICROSECOND = 10n;
export const TICKS_PER_MILLISECOND = 10_000n;
export const TICKS_PER_SECOND = 10_000_000n;
export const TICKS_PER_MINUTE = 60n * TICKS_PER_SECOND;
export const TICKS_PER_HOUR = 60n * TICKS_PER_MINUTE;
export const TICKS_PER_DAY = 24n * TICKS_PER_HOUR;
/** Days from 0001-01-01 to 1970-01-01. */
const UNIX_EPOCH_DAYS = 719_162n;
/** Ticks from 0001-01-01 to 1970-01-01 (DuckDB's and JavaScript's epoch). */
export const UNIX_EPOCH_TICKS = UNIX_EPOCH_DAYS * TICKS_PER_DAY;
/** 9999-12-31T23:59:59.9999999, the last tick ADX represents. */
export const MAX_DATETIME_TICKS = 3_155_378_975_999_999_999n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1–12). */
function daysFromCivil(year: bigint, month: bigint, day: bigint): bigint {
  const y = month <= 2n ? year - 1n : year;
  const era = floorDiv(y, 400n);
  const yoe = y - era * 400n;
  const mp = (month + 9n) % 12n;
  const doy = (153n * mp + 2n) / 5n + day - 1n;
  const doe = yoe * 365n + yoe / 4n - yoe / 100n + doy;
  return era * 146_097n + doe - 719_468n;
}

function civilFromDays(days: bigint): { year: bigint; month: bigint; day: bigint } {
  const z = days + 719_468n;
  const era = floorDiv(z, 146_097n);
  const doe = z - era * 146_097n;
  const yoe = (doe - doe / 1460n + doe / 36_524n - doe / 146_096n) / 365n;
  const doy = doe - (365n * yoe + yoe / 4n - yoe / 100n);
  const mp = (5n * doy + 2n) / 153n;
  const day = doy - (153n * mp + 2n) / 5n + 1n;
  const month = mp < 10n ? mp + 3n : mp - 9n;
  return { year: yoe + era * 400n + (month <= 2n ? 1n : 0n), month, day };
}

/** Ticks of a JavaScript `Date` (millisecond precision). */
export function dateToTicks(date: Date): bigint {
  return BigInt(date.getTime()) * TICKS_PER_MILLISECOND + UNIX_EPOCH_TICKS;
}

/** Ticks of microseconds since 1970 (DuckDB `TIMESTAMP` values). */
export function epochMicrosToTicks(micros: bigint): bigint {
  return micros * TICKS_PER_MICROSECOND + UNIX_EPOCH_TICKS;
}

function pad(n: bigint, width: number): string {
  return n.toString().padStart(width, '0');
}

/** `2024-05-01T12:34:56.7890000Z`: ISO 8601 UTC with 7 fractional digits, as ADX prints datetimes. */
export function formatDatetimeTicks(ticks: bigint): string {
  const days = floorDiv(ticks, TICKS_PER_DAY);
  const inDay = ticks - days * TICKS_PER_DAY;
  const { year, month, day } = civilFromDays(days - UNIX_EPOCH_DAYS);
  const hours = inDay / TICKS_PER_HOUR;
  const minutes = (inDay / TICKS_PER_MINUTE) % 60n;
  const seconds = (inDay / TICKS_PER_SECOND) % 60n;
  const fraction = inDay % TICKS_PER_SECOND;
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}.${pad(fraction, 7)}Z`;
}

/** Up to 7 fractional-second digits → ticks (`5` → 5000000, `1234567` → 1234567). */
function fractionTicks(digits: string | undefined): bigint {
  return BigInt((digits ?? '').padEnd(7, '0'));
}

const ISO_DATETIME =
  /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Ticks of a datetime as literals, query parameters and ingested data write it: ISO 8601 with or without
 * offset (none = UTC), a space instead of `T`, up to 7 fractional digits, `datetime(…)`/`date(…)` wrappers;
 * other text `Date.parse` understands (RFC 1123…) to the millisecond. Undefined when it is not a datetime.
 */
export function parseDatetimeTicks(text: string): bigint | undefined {
  let value = text.trim();
  const wrapped = /^(?:datetime|date)\((.*)\)$/i.exec(value);
  if (wrapped) {
    value = wrapped[1].trim();
  }
  const m = ISO_DATETIME.exec(value);
  if (!m) {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : dateToTicks(new Date(parsed));
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', f, zone] = m;
  const year = BigInt(y);
  const month = BigInt(mo);
  const day = BigInt(d);
  if (year < 1n || month < 1n || month > 12n || day < 1n || Number(h) > 23 || Number(s) > 59) {
    return undefined;
  }
  const days = daysFromCivil(year, month, day);
  if (civilFromDays(days).day !== day) {
    return undefined; // 2017-02-30
  }
  let offsetMinutes = 0n;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes =
      (BigInt(digits.slice(1, 3)) * 60n + BigInt(digits.slice(3, 5))) * (digits.startsWith('-') ? -1n : 1n);
  }
  const ticks =
    (days + UNIX_EPOCH_DAYS) * TICKS_PER_DAY +
    BigInt(h) * TICKS_PER_HOUR +
    BigInt(mi) * TICKS_PER_MINUTE +
    BigInt(s) * TICKS_PER_SECOND +
    fractionTicks(f) -
    offsetMinutes * TICKS_PER_MINUTE;
  return ticks < 0n || ticks > MAX_DATETIME_TICKS ? undefined : ticks;
}
