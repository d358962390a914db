/**
 * The implementations of the JavaScript string functions declared in string-functions.ts, each following its page
 * of the KQL reference (the reference suite runs the pages' examples). Only the storage layer loads this file.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { STRING_JS_RESULTS, type StringJsFunctionName } from './string-functions.js';
import {
  JS_RETURN_TYPES,
  jsSqlName,
  JsScalarUnsupportedError,
  type JsScalarArgument,
  type JsScalarFunction,
  type JsScalarResult,
} from './js-scalar-function.js';

type StringCall = (args: readonly JsScalarArgument[]) => JsScalarResult;

/** strrep's documented cap on the multiplier. */
const MAX_REPEATS = 1024;

const text = (value: JsScalarArgument | undefined): string =>
  value === null || value === undefined ? '' : String(value);

/** An optional integer argument: its value, or `fallback` when the call leaves it out or passes null. */
const int = (args: readonly JsScalarArgument[], index: number, fallback: number): number =>
  index < args.length && args[index] !== null ? Number(args[index]) : fallback;

/** A dynamic argument (JSON text) as an array, or undefined when it is not one. */
function jsonArray(value: JsScalarArgument): unknown[] | undefined {
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Kusto's regular expressions are RE2's. JavaScript's agree on the constructs queries use once RE2's `(?P<name>`
 * is spelt `(?<name>`; a pattern JavaScript cannot compile is refused rather than guessed at.
 */
function re2(pattern: string, flags: string, fn: string): RegExp {
  try {
    return new RegExp(pattern.replace(/\(\?P</g, '(?<'), flags);
  } catch (error) {
    throw new JsScalarUnsupportedError(
      `${fn}() with the regular expression '${pattern}' (${(error as Error).message}) is not supported by the embedded engine`,
    );
  }
}

/**
 * `indexof` and `indexof_regex`: the start of the `occurrence`-th match from `start` (for indexof a negative start
 * counts from the end; for indexof_regex it is invalid), -1 when there is none, null for an invalid argument.
 * A match must end by start + length + 1 (length -1: no bound): the reference's examples pin that bound down —
 * `indexof("abcdefg", "cde", 1, 2)` is -1 while `indexof("abcdefgabcdefg", "cde", 1, 10, 2)` is 9.
 * `matchesFrom` lists the matches from a position, in order.
 */
function occurrenceIndex(
  source: string,
  args: readonly JsScalarArgument[],
  matchesFrom: (from: number) => Iterable<{ index: number; end: number }>,
  negativeStartIsNull: boolean,
): number | null {
  let start = int(args, 2, 0);
  const length = int(args, 3, -1);
  const occurrence = int(args, 4, 1);
  if (length < -1 || occurrence < 0 || (negativeStartIsNull && start < 0)) {
    return null;
  }
  if (start < 0) {
    start = Math.max(source.length + start, 0);
  }
  const end = length === -1 ? source.length : start + length + 1;
  let seen = 0;
  for (const match of matchesFrom(start)) {
    if (match.end > end) {
      return -1;
    }
    seen++;
    if (seen === occurrence) {
      return match.index;
    }
  }
  return -1;
}

function* plainMatches(
  source: string,
  lookup: string,
  from: number,
): Iterable<{ index: number; end: number }> {
  // Occurrences may overlap, as in countof(): "aaaa" holds "aa" three times.
  for (let at = source.indexOf(lookup, from); at >= 0; at = source.indexOf(lookup, at + 1)) {
    yield { index: at, end: at + lookup.length };
    if (lookup.length === 0) {
      return;
    }
  }
}

function* regexMatches(
  source: string,
  regex: RegExp,
  from: number,
): Iterable<{ index: number; end: number }> {
  regex.lastIndex = from;
  for (let m = regex.exec(source); m !== null; m = regex.exec(source)) {
    yield { index: m.index, end: m.index + m[0].length };
    if (m[0].length === 0) {
      regex.lastIndex++;
    }
  }
}

/** extract_all: every match's selected groups (by number or name); one group gives a flat array; none, null. */
function extractAll(args: readonly JsScalarArgument[]): string | null {
  const regex = re2(text(args[0]), 'g', 'extract_all');
  const source = text(args[args.length - 1]);
  const selection = args.length === 3 ? jsonArray(args[1]) : undefined;
  if (args.length === 3 && selection === undefined) {
    return null;
  }
  const rows: string[][] = [];
  for (const m of source.matchAll(regex)) {
    // Without groups (the reference asks for one to sixteen) each match is taken whole.
    const groups =
      selection ?? (m.length === 1 ? [0] : Array.from({ length: m.length - 1 }, (_, i) => i + 1));
    rows.push(groups.map((g) => (typeof g === 'string' ? (m.groups?.[g] ?? '') : (m[Number(g)] ?? ''))));
  }
  if (rows.length === 0 || rows[0].length === 0) {
    return null;
  }
  return JSON.stringify(rows[0].length === 1 ? rows.map((row) => row[0]) : rows);
}

/** translate: each character of `searchList` becomes the one at its index in `replacementList` (or its last). */
function translate(args: readonly JsScalarArgument[]): string {
  const search = [...text(args[0])];
  const replacement = [...text(args[1])];
  return [...text(args[2])]
    .map((c) => {
      const at = search.indexOf(c);
      if (at < 0) {
        return c;
      }
      return replacement.length === 0 ? '' : replacement[Math.min(at, replacement.length - 1)];
    })
    .join('');
}

/**
 * replace_strings: all lookups at once, matches never overlapping. Matches are taken in the order their ends are
 * reached, the earlier lookup winning a tie — which is how the reference's `['is', 'This']` example turns "This"
 * into "Thwas". A non-string rewrite keeps the matched text; a non-string lookup is ignored.
 */
function replaceStrings(args: readonly JsScalarArgument[]): string | null {
  const source = text(args[0]);
  const lookups = jsonArray(args[1]);
  const rewrites = jsonArray(args[2]);
  if (!lookups || !rewrites) {
    return null;
  }
  let out = '';
  let done = 0;
  for (let end = 1; end <= source.length; end++) {
    const at = lookups.findIndex(
      (lookup) =>
        typeof lookup === 'string' &&
        lookup.length > 0 &&
        end - lookup.length >= done &&
        source.startsWith(lookup, end - lookup.length),
    );
    if (at < 0) {
      continue;
    }
    const lookup = lookups[at] as string;
    const rewrite = rewrites[at];
    out += source.slice(done, end - lookup.length) + (typeof rewrite === 'string' ? rewrite : lookup);
    done = end;
  }
  return out + source.slice(done);
}

function strrep(args: readonly JsScalarArgument[]): string | null {
  const times = Number(args[1]);
  if (args[1] === null || !Number.isFinite(times) || times < 1) {
    return null;
  }
  return Array.from({ length: Math.min(Math.trunc(times), MAX_REPEATS) }, () => text(args[0])).join(
    text(args[2]),
  );
}

const BYTE_UNITS = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/** format_bytes(size [, precision [, units [, base]]]): the largest unit the size reaches, or the one asked for. */
function formatBytes(args: readonly JsScalarArgument[]): string | null {
  if (args[0] === null) {
    return null;
  }
  const size = Number(args[0]);
  const precision = int(args, 1, 0);
  const base = int(args, 3, 1024);
  const asked = args.length > 2 && args[2] !== null ? text(args[2]).toUpperCase() : '';
  let unit = BYTE_UNITS.findIndex((u) => u.toUpperCase() === asked);
  if (unit < 0) {
    unit = 0;
    while (unit < BYTE_UNITS.length - 1 && Math.abs(size) >= base ** (unit + 1)) {
      unit++;
    }
  }
  return `${(size / base ** unit).toFixed(precision)} ${BYTE_UNITS[unit]}`;
}

/** has_any_index: the index of the first lookup that `has` would find as a whole term of the source. */
function hasAnyIndex(args: readonly JsScalarArgument[]): number | null {
  const lookups = jsonArray(args[1]);
  if (!lookups) {
    return null;
  }
  const source = text(args[0]);
  return lookups.findIndex((lookup) => {
    const term = String(lookup).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return term.length > 0 && new RegExp(`(?<![\\p{L}\\p{N}])${term}(?![\\p{L}\\p{N}])`, 'iu').test(source);
  });
}

/** parse_csv: the fields of the first record; quoted fields may hold commas, doubled quotes and newlines. */
function parseCsv(args: readonly JsScalarArgument[]): string {
  const source = text(args[0]);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      break;
    } else {
      field += c;
    }
  }
  fields.push(field);
  return JSON.stringify(fields);
}

/** parse_url: the parts of `scheme://user:password@host:port/path?query#fragment`, as the reference names them. */
function parseUrl(args: readonly JsScalarArgument[]): string {
  const m =
    /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^:@/?#]*)(?::([^@/?#]*))?@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?(?:\/([^?#]*))?(?:\?([^#]*))?(?:#(.*))?$/.exec(
      text(args[0]),
    );
  if (!m) {
    return '{}';
  }
  const query: Record<string, string> = {};
  for (const pair of (m[7] ?? '').split('&').filter((p) => p.length > 0)) {
    const eq = pair.indexOf('=');
    query[eq < 0 ? pair : pair.slice(0, eq)] = eq < 0 ? '' : pair.slice(eq + 1);
  }
  return JSON.stringify({
    Scheme: m[1],
    Host: m[4],
    Port: m[5] ?? '',
    Path: m[6] ?? '',
    Username: m[2] ?? '',
    Password: m[3] ?? '',
    'Query Parameters': query,
    Fragment: m[8] ?? '',
  });
}

/** parse_path: a Windows, UNC, POSIX or `file://` path split into the reference's parts. */
function parsePath(args: readonly JsScalarArgument[]): string {
  let path = text(args[0]);
  let scheme = '';
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(path);
  if (url) {
    scheme = url[1];
    path = path.slice(url[0].length);
  }
  const root = /^[A-Za-z]:/.exec(path)?.[0] ?? '';
  // An alternate data stream follows a colon after the drive: C:/file.txt:stream.exe.
  const afterRoot = path.slice(root.length);
  const stream = afterRoot.lastIndexOf(':');
  const alternate = stream >= 0 ? afterRoot.slice(stream + 1) : '';
  const full = root + (stream >= 0 ? afterRoot.slice(0, stream) : afterRoot);
  const cut = Math.max(full.lastIndexOf('/'), full.lastIndexOf('\\'));
  const directoryPath = cut >= 0 ? full.slice(0, cut) : '';
  const filename = full.slice(cut + 1);
  const dirCut = Math.max(directoryPath.lastIndexOf('/'), directoryPath.lastIndexOf('\\'));
  const dot = filename.lastIndexOf('.');
  return JSON.stringify({
    Scheme: scheme,
    RootPath: root,
    DirectoryPath: directoryPath,
    DirectoryName: directoryPath.slice(dirCut + 1),
    Filename: filename,
    Extension: dot >= 0 ? filename.slice(dot + 1) : '',
    AlternateDataStreamName: alternate,
  });
}

/** The decompressors: base64 text of compressed UTF-8; input that is not such text gives null, as in ADX. */
function decompress(inflate: (bytes: Buffer) => Buffer): StringCall {
  return (args) => {
    if (args[0] === null) {
      return null;
    }
    try {
      return inflate(Buffer.from(text(args[0]), 'base64')).toString('utf8');
    } catch {
      return null;
    }
  };
}

/** Typed by name: a function declared in string-functions.ts does not compile without its implementation. */
const STRING_CALLS: Readonly<Record<StringJsFunctionName, StringCall>> = {
  indexof: (a) => {
    const lookup = text(a[1]);
    const source = text(a[0]);
    return occurrenceIndex(source, a, (from) => plainMatches(source, lookup, from), false);
  },
  indexof_regex: (a) => {
    const source = text(a[0]);
    const regex = re2(text(a[1]), 'g', 'indexof_regex');
    return occurrenceIndex(source, a, (from) => regexMatches(source, regex, from), true);
  },
  countof_regex: (a) => [...regexMatches(text(a[0]), re2(text(a[1]), 'g', 'countof'), 0)].length,
  extract_all: extractAll,
  translate,
  replace_strings: replaceStrings,
  strrep,
  format_bytes: formatBytes,
  has_any_index: hasAnyIndex,
  parse_csv: parseCsv,
  parse_url: parseUrl,
  parse_path: parsePath,
  gzip_decompress_from_base64_string: decompress(gunzipSync),
  zlib_decompress_from_base64_string: decompress(inflateSync),
};

export const STRING_JS_FUNCTIONS: readonly JsScalarFunction[] = Object.entries(STRING_CALLS).map(
  ([name, call]) => ({
    name: jsSqlName(name),
    returns: JS_RETURN_TYPES[STRING_JS_RESULTS[name as StringJsFunctionName]],
    call,
  }),
);
