/**
 * Punycode (RFC 3492), the bootstring encoding of Unicode labels into ASCII, as Kusto's punycode_from_string /
 * punycode_to_string give it: the bare encoding, without the `xn--` prefix of an IDNA label, over code points
 * (not UTF-16 units). The parameters are the RFC's for Punycode (section 5).
 */

const BASE = 36;
const T_MIN = 1;
const T_MAX = 26;
const SKEW = 38;
const DAMP = 700;
const INITIAL_BIAS = 72;
const INITIAL_N = 128;
const DELIMITER = '-';
const MAX_INT = 0x7fffffff;

/** The bias adaptation of RFC 3492 section 6.1. */
function adapt(delta: number, points: number, first: boolean): number {
  let d = first ? Math.floor(delta / DAMP) : delta >> 1;
  d += Math.floor(d / points);
  let k = 0;
  while (d > ((BASE - T_MIN) * T_MAX) >> 1) {
    d = Math.floor(d / (BASE - T_MIN));
    k += BASE;
  }
  return k + Math.floor(((BASE - T_MIN + 1) * d) / (d + SKEW));
}

const threshold = (k: number, bias: number): number =>
  k <= bias ? T_MIN : k >= bias + T_MAX ? T_MAX : k - bias;

/** a..z for 0..25, 0..9 for 26..35 (lower case, as Kusto's examples print). */
const digitChar = (d: number): string => String.fromCharCode(d < 26 ? 97 + d : 22 + d);

function digitValue(code: number): number | undefined {
  if (code >= 48 && code <= 57) {
    return code - 22;
  }
  if (code >= 65 && code <= 90) {
    return code - 65;
  }
  if (code >= 97 && code <= 122) {
    return code - 97;
  }
  return undefined;
}

/** The encoding of `input`, or `undefined` on overflow. */
export function punycodeEncode(input: string): string | undefined {
  const points = Array.from(input, (c) => c.codePointAt(0) ?? 0);
  const basic = points.filter((p) => p < 0x80);
  let output = String.fromCodePoint(...basic);
  let handled = basic.length;
  if (handled > 0) {
    output += DELIMITER;
  }
  let n = INITIAL_N;
  let delta = 0;
  let bias = INITIAL_BIAS;
  while (handled < points.length) {
    const m = Math.min(...points.filter((p) => p >= n));
    if (m - n > Math.floor((MAX_INT - delta) / (handled + 1))) {
      return undefined;
    }
    delta += (m - n) * (handled + 1);
    n = m;
    for (const p of points) {
      if (p < n && ++delta > MAX_INT) {
        return undefined;
      }
      if (p === n) {
        let q = delta;
        for (let k = BASE; ; k += BASE) {
          const t = threshold(k, bias);
          if (q < t) {
            break;
          }
          output += digitChar(t + ((q - t) % (BASE - t)));
          q = Math.floor((q - t) / (BASE - t));
        }
        output += digitChar(q);
        bias = adapt(delta, handled + 1, handled === basic.length);
        delta = 0;
        handled++;
      }
    }
    delta++;
    n++;
  }
  return output;
}

/** The string `input` encodes, or `undefined` when it is not valid Punycode. */
export function punycodeDecode(input: string): string | undefined {
  const split = input.lastIndexOf(DELIMITER);
  const basic = split < 0 ? '' : input.slice(0, split);
  if ([...basic].some((c) => c.charCodeAt(0) >= 0x80)) {
    return undefined;
  }
  const output = Array.from(basic, (c) => c.codePointAt(0) ?? 0);
  let n = INITIAL_N;
  let i = 0;
  let bias = INITIAL_BIAS;
  for (let at = split < 0 ? 0 : split + 1; at < input.length;) {
    const oldI = i;
    let w = 1;
    for (let k = BASE; ; k += BASE) {
      if (at >= input.length) {
        return undefined;
      }
      const digit = digitValue(input.charCodeAt(at++));
      if (digit === undefined || digit > Math.floor((MAX_INT - i) / w)) {
        return undefined;
      }
      i += digit * w;
      const t = threshold(k, bias);
      if (digit < t) {
        break;
      }
      if (w > Math.floor(MAX_INT / (BASE - t))) {
        return undefined;
      }
      w *= BASE - t;
    }
    const length = output.length + 1;
    bias = adapt(i - oldI, length, oldI === 0);
    if (Math.floor(i / length) > MAX_INT - n) {
      return undefined;
    }
    n += Math.floor(i / length);
    i %= length;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) {
      return undefined;
    }
    output.splice(i++, 0, n);
  }
  return String.fromCodePoint(...output);
}
