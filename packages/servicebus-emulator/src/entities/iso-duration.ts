const ISO =
  /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
// .NET TimeSpan text ("[d.]hh:mm:ss[.fffffff]"), which Service Bus tooling also emits.
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/;

/**
 * Milliseconds of an ISO 8601 duration (`PT1M`, `P14D`, `PT0.5S`) or a .NET TimeSpan string; undefined when the
 * text is neither. Years and months count as 365 and 30 days, as Service Bus does for entity TTLs.
 */
export function parseDurationMs(text: string): number | undefined {
  const iso = ISO.exec(text.trim());
  if (iso && text.trim().length > 1 && !/T$/i.test(text.trim())) {
    const [, y, mo, w, d, h, mi, s] = iso.map((part) => (part === undefined ? 0 : Number(part)));
    const days = y * 365 + mo * 30 + w * 7 + d;
    return Math.round(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000);
  }
  const span = TIMESPAN.exec(text.trim());
  if (span) {
    const [, d, h, m, s, frac] = span;
    const ms = frac === undefined ? 0 : Number(`0.${frac}`) * 1000;
    return Math.round((((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000 + ms);
  }
  return undefined;
}
