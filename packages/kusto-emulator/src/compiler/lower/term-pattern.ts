/**
 * Kusto's `has` family matches whole terms: a term is a maximal run of ASCII alphanumerics, and `has "x"`
 * is true when `x` occurs delimited by non-alphanumerics (or the string ends). We express that as one RE2
 * pattern, built here from the literal term and bound as a parameter.
 */

const RE2_SPECIAL = /[\\^$.|?*+()[\]{}]/g;

export function escapeRegex(text: string): string {
  return text.replace(RE2_SPECIAL, '\\$&');
}

export type TermMatch = 'has' | 'hasprefix' | 'hassuffix';

export function termPattern(term: string, match: TermMatch, caseSensitive: boolean): string {
  const flags = caseSensitive ? '' : '(?i)';
  const body = escapeRegex(term);
  const before = '(^|[^[:alnum:]])';
  const after = '($|[^[:alnum:]])';
  switch (match) {
    case 'has':
      return `${flags}${before}${body}${after}`;
    case 'hasprefix':
      return `${flags}${before}${body}`;
    case 'hassuffix':
      return `${flags}${body}${after}`;
  }
}

/** Kusto `format_datetime` patterns → strftime (https://learn.microsoft.com/kusto/query/format-datetime-function). */
export function strftimeFormat(kustoFormat: string): string {
  const tokens: [RegExp, string][] = [
    [/^yyyy/, '%Y'],
    [/^yy/, '%y'],
    [/^y/, '%-y'],
    [/^MM/, '%m'],
    [/^M/, '%-m'],
    [/^dd/, '%d'],
    [/^d/, '%-d'],
    [/^HH/, '%H'],
    [/^H/, '%-H'],
    [/^hh/, '%I'],
    [/^h/, '%-I'],
    [/^mm/, '%M'],
    [/^m/, '%-M'],
    [/^ss/, '%S'],
    [/^s/, '%-S'],
    // strftime stops at microseconds: kql_format_datetime fills this marker with the 7 tick digits.
    [/^fffffff/, '\u0001'],
    [/^ffffff/, '%f'],
    [/^fff/, '%g'],
    [/^tt/, '%p'],
  ];
  let out = '';
  let rest = kustoFormat;
  outer: while (rest.length > 0) {
    for (const [re, rep] of tokens) {
      const m = re.exec(rest);
      if (m) {
        out += rep;
        rest = rest.slice(m[0].length);
        continue outer;
      }
    }
    out += rest[0] === '%' ? '%%' : rest[0];
    rest = rest.slice(1);
  }
  return out;
}
