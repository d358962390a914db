import type { QueryResult } from '../query/function-query.service.js';

/** The representations a function endpoint can answer with, chosen from the Accept header. */
export type ResultFormat = 'json' | 'csv' | 'ndjson';

export const RESULT_MEDIA_TYPES: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** JSON unless the client prefers CSV or NDJSON (q-values honoured; `*\/*` and absent mean JSON). */
export function negotiateFormat(accept: string | undefined): ResultFormat | undefined {
  if (!accept || accept.trim() === '') {
    return 'json';
  }
  const candidates = accept
    .split(',')
    .map((part, index) => {
      const [type, ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const candidate of candidates) {
    switch (candidate.type) {
      case 'text/csv':
        return 'csv';
      case 'application/x-ndjson':
      case 'application/ndjson':
        return 'ndjson';
      case 'application/json':
      case 'application/*':
      case '*/*':
        return 'json';
    }
  }
  return undefined;
}

/**
 * The JSON of a rows array, computed once per array. Cached results hand every caller the same (immutable) rows
 * array, so a cache hit re-encodes only the small per-request `meta`, not the rows.
 */
const encodedRows = new WeakMap<readonly Record<string, unknown>[], string>();

function rowsJson(rows: readonly Record<string, unknown>[]): string {
  let json = encodedRows.get(rows);
  if (json === undefined) {
    json = JSON.stringify(rows);
    encodedRows.set(rows, json);
  }
  return json;
}

/** `{"data":[…rows…],"meta":{…}}` — the same bytes as `JSON.stringify({ data, meta })`. */
export function toJson(result: QueryResult): string {
  return `{"data":${rowsJson(result.rows)},"meta":${JSON.stringify(result.meta)}}`;
}

/**
 * RFC 4180: header row of column names, CRLF line ends, fields quoted when needed; dynamic values as JSON.
 *
 * CSV is opened in spreadsheets, which run a cell starting with `=`, `+`, `-`, `@`, tab or carriage return as a
 * formula (`=HYPERLINK(…)`, `+cmd|…`, DDE). As OWASP's "CSV Injection" advises, such a cell gets a leading single
 * quote inside its quoted field, so it shows as text. Only free text is neutralized — column names and the string
 * values of `string` and `dynamic` columns (and of any type this list does not know), where event data lands. Numbers, longs, decimals, timespans, dates,
 * guids and bools are written by the gateway in fixed formats that cannot hold a formula, and must stay what they
 * are: `-5` in a `real` column is the number -5, `-01:00:00` a timespan.
 */
export function toCsv(result: QueryResult): string {
  const columns = result.meta.columns;
  const freeText = columns.map((c) => !FIXED_FORMAT_TYPES.has(c.type));
  const lines = [columns.map((c) => csvField(c.name, true)).join(',')];
  for (const row of result.rows) {
    lines.push(columns.map((c, i) => csvField(row[c.name], freeText[i])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Kusto column types the gateway writes in a fixed format (see result-mapper.ts); every other type is free text. */
const FIXED_FORMAT_TYPES: ReadonlySet<string> = new Set([
  'bool',
  'int',
  'long',
  'real',
  'decimal',
  'datetime',
  'timespan',
  'guid',
]);

/** First characters a spreadsheet reads as the start of a formula (OWASP CSV Injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvField(value: unknown, freeText: boolean): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value !== 'string') {
    const json = JSON.stringify(value);
    return /[",\r\n]/.test(json) ? quote(json) : json;
  }
  if (freeText && FORMULA_START.test(value)) {
    return quote(`'${value}`);
  }
  return /[",\r\n]/.test(value) ? quote(value) : value;
}

function quote(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** One JSON row object per line. */
export function toNdjson(result: QueryResult): string {
  return result.rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
