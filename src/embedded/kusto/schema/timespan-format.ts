/**
 * Kusto timespan and datetime text forms. Kusto counts time in 100 ns ticks; DuckDB storage is in
 * microseconds, so a tick digit beyond µs is dropped on the way in and emitted as `0` on the way out.
 */

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

/** `[-][d.]hh:mm:ss[.fffffff]`, the form the SDK's timespan parser accepts. */
export function formatTimespanMicros(totalMicros: bigint): string {
  const negative = totalMicros < 0n;
  let rest = negative ? -totalMicros : totalMicros;
  const days = rest / MICROS_PER_DAY;
  rest %= MICROS_PER_DAY;
  const hours = rest / (3600n * MICROS_PER_SECOND);
  rest %= 3600n * MICROS_PER_SECOND;
  const minutes = rest / (60n * MICROS_PER_SECOND);
  rest %= 60n * MICROS_PER_SECOND;
  const seconds = rest / MICROS_PER_SECOND;
  const micros = rest % MICROS_PER_SECOND;
  const pad = (n: bigint): string => n.toString().padStart(2, '0');
  const fraction = micros === 0n ? '' : `.${micros.toString().padStart(6, '0')}0`;
  return `${negative ? '-' : ''}${days > 0n ? `${days}.` : ''}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${fraction}`;
}

const UNIT_MICROS: Record<string, number> = {
  d: 86_400e6,
  day: 86_400e6,
  days: 86_400e6,
  h: 3_600e6,
  hr: 3_600e6,
  hrs: 3_600e6,
  hour: 3_600e6,
  hours: 3_600e6,
  m: 60e6,
  min: 60e6,
  minute: 60e6,
  minutes: 60e6,
  s: 1e6,
  sec: 1e6,
  second: 1e6,
  seconds: 1e6,
  ms: 1e3,
  milli: 1e3,
  millis: 1e3,
  millisecond: 1e3,
  milliseconds: 1e3,
  microsecond: 1,
  microseconds: 1,
  tick: 0.1,
  ticks: 0.1,
};

/**
 * Parses the timespan forms that appear in data and literals: `[-][d.]hh:mm[:ss[.f…]]`, `1.5h`/`30m`/`10s`/
 * `100ms`/`2d`, and `time(…)`/`timespan(…)` wrappers. Returns microseconds, or undefined if not a timespan.
 */
export function parseTimespanMicros(text: string): bigint | undefined {
  let value = text.trim();
  const wrapped = /^(?:time|timespan)\((.*)\)$/i.exec(value);
  if (wrapped) {
    value = wrapped[1].trim();
  }
  const clock = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/.exec(value);
  if (clock) {
    const [, sign, d, h, m, s, f] = clock;
    const fraction = (f ?? '').padEnd(7, '0').slice(0, 6);
    const micros =
      BigInt(d ?? '0') * MICROS_PER_DAY +
      BigInt(h) * 3600n * MICROS_PER_SECOND +
      BigInt(m) * 60n * MICROS_PER_SECOND +
      BigInt(s ?? '0') * MICROS_PER_SECOND +
      BigInt(fraction);
    return sign ? -micros : micros;
  }
  const unit = /^(-)?(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(value);
  if (unit) {
    const factor = UNIT_MICROS[unit[3].toLowerCase()];
    if (factor === undefined) {
      return undefined;
    }
    const micros = BigInt(Math.round(Number(unit[2]) * factor));
    return unit[1] ? -micros : micros;
  }
  return undefined;
}

/** ISO-8601 UTC with 7 fractional digits, as ADX writes datetimes. */
export function formatDatetimeMicros(epochMicros: bigint): string {
  const millis = epochMicros / 1000n;
  let subMillis = epochMicros % 1000n;
  let ms = millis;
  if (subMillis < 0n) {
    subMillis += 1000n;
    ms -= 1n;
  }
  const iso = new Date(Number(ms)).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  return `${iso.slice(0, 23)}${subMillis.toString().padStart(3, '0')}0Z`;
}

/**
 * Parses datetimes as ADX ingestion accepts them: ISO-8601 with or without offset (no offset = UTC), a space
 * instead of `T`, up to 7 fractional digits, `datetime(…)` wrappers. Returns microseconds since the epoch.
 */
export function parseDatetimeMicros(text: string): bigint | undefined {
  let value = text.trim();
  const wrapped = /^(?:datetime|date)\((.*)\)$/i.exec(value);
  if (wrapped) {
    value = wrapped[1].trim();
  }
  const match =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      value,
    );
  if (!match) {
    return undefined;
  }
  const [, y, mo, d, h, mi, s, f, zone] = match;
  const base = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  );
  if (Number.isNaN(base)) {
    return undefined;
  }
  const check = new Date(base);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    offsetMinutes =
      (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5))) * (digits.startsWith('-') ? -1 : 1);
  }
  const fraction = BigInt((f ?? '').padEnd(7, '0').slice(0, 6));
  return BigInt(base) * 1000n + fraction - BigInt(offsetMinutes) * 60_000_000n;
}
