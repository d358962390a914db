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

/** RFC 4180: header row of column names, CRLF line ends, fields quoted when needed; dynamic values as JSON. */
export function toCsv(result: QueryResult): string {
  const names = result.meta.columns.map((c) => c.name);
  const lines = [names.map(csvField).join(',')];
  for (const row of result.rows) {
    lines.push(names.map((name) => csvField(row[name])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One JSON row object per line. */
export function toNdjson(result: QueryResult): string {
  return result.rows.map((row) => `${JSON.stringify(row)}\n`).join('');
}
