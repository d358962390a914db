/**
 * The KQL conformance case format and how a case's expectation is checked against what the real
 * `azure-kusto-data` client hands back.
 *
 * A case file (`cases/<area>.yaml`) holds `{ area, setup?, ingest?, cases: [...] }`. Each case is
 * `{ name, doc, kql, optional?, parameters?, expect }` where `expect` is one of
 *   - `{ columns?: [[name, type]], rows: [[...]], ordered?: bool, tolerance?: number }` — one result table;
 *   - `{ results: [ <the above>, ... ] }` — several result tables (`;`-separated queries, `fork`);
 *   - `{ error: "regex" }` — the query must fail with a matching message (case-insensitive; `{pos}` stands for
 *     "a source position"), which must not leak SQL or DuckDB internals.
 *
 * Values are written the way a reviewer reads the KQL reference: datetimes as ISO strings, timespans as
 * Kusto timespan strings (`1.02:03:04.5`), dynamic values as YAML/JSON values. Both sides are normalised
 * the way the SDK types cells (datetime → `Date`, timespan → milliseconds) before comparing, so what is
 * compared is exactly what an application using the SDK observes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { multisetDiff } from '../../utils/multiset-diff.js';

export type ColumnSpec = [name: string, type: string];

export interface TableExpectation {
  columns?: ColumnSpec[];
  rows: unknown[][];
  ordered?: boolean;
  tolerance?: number;
}

export interface ErrorExpectation {
  error: string;
}

export interface MultiTableExpectation {
  results: TableExpectation[];
}

export type Expectation = TableExpectation | ErrorExpectation | MultiTableExpectation;

export interface ConformanceCase {
  name: string;
  doc: string;
  kql: string;
  /** Features the issue calls optional: failures are reported, not fatal. */
  optional?: boolean;
  /**
   * A required behaviour the embedded engine does not have yet, with the reason: the case is still run and its
   * failure reported as skipped with this text (never silently), and it FAILS once it passes, so the marker is
   * removed the moment the gap is closed. Listed in the README of this suite.
   */
  knownGap?: string;
  /** Sent as Kusto query parameters (ClientRequestProperties.setParameter). */
  parameters?: Record<string, string | number | boolean>;
  expect: Expectation;
}

/** Rows loaded into a stored table through the streaming-ingest client before the file's cases run. */
export interface IngestStep {
  table: string;
  csv: string;
}

export interface CaseFile {
  area: string;
  file: string;
  /** Management commands run once before the file's cases (e.g. `.create-or-alter function`). */
  setup: string[];
  ingest: IngestStep[];
  cases: ConformanceCase[];
}

/** What a result table looks like after the SDK parsed it. */
export interface ActualTable {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

/**
 * Matches the ways a compiler may print a source position: `line 1`, `(1,7)`, `[1:7]`, `1:7`,
 * `position 12`, `column 7`, `at 12`.
 */
export const POSITION_PATTERN = String.raw`(?:line\s*\[?\d+|\(\d+\s*,\s*\d+\)|\[\d+\s*[:,]\s*\d+\]|\b\d+:\d+\b|position\s+\d+|col(?:umn)?\s+\d+|\bat\s+\d+\b|offset\s+\d+)`;

/** Texts that betray an internal SQL error leaking through to the user (the rule: "never a DuckDB error"). */
export const LEAK_PATTERN =
  /duckdb|Binder Error|Parser Error|Catalog Error|Conversion Error|\bSELECT\b[\s\S]*\bFROM\b/i;

const DEFAULT_TOLERANCE = 1e-9;

export function loadCaseFiles(dir: string): CaseFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const raw = parse(readFileSync(join(dir, file), 'utf8')) as Partial<CaseFile> | null;
      if (!raw || typeof raw.area !== 'string' || !Array.isArray(raw.cases)) {
        throw new Error(`${file}: a case file needs "area" (string) and "cases" (list)`);
      }
      const names = new Set<string>();
      for (const c of raw.cases) {
        if (!c.name || !c.doc || !c.kql || !c.expect) {
          throw new Error(`${file}: case ${JSON.stringify(c.name)} lacks one of name, doc, kql, expect`);
        }
        if (names.has(c.name)) {
          throw new Error(`${file}: duplicate case name ${JSON.stringify(c.name)}`);
        }
        names.add(c.name);
      }
      return { area: raw.area, file, setup: raw.setup ?? [], ingest: raw.ingest ?? [], cases: raw.cases };
    });
}

export function isErrorExpectation(e: Expectation): e is ErrorExpectation {
  return typeof (e as ErrorExpectation).error === 'string';
}

export function isMultiTableExpectation(e: Expectation): e is MultiTableExpectation {
  return Array.isArray((e as MultiTableExpectation).results);
}

export function errorPattern(expectation: ErrorExpectation): RegExp {
  return new RegExp(expectation.error.split('{pos}').join(POSITION_PATTERN), 'si');
}

/**
 * The text a user sees for a failed query: the OneApiError `@message` of an HTTP error (the SDK rethrows
 * the AxiosError), else the error's own message (in-band errors: "Kusto request had errors. …").
 */
export function userFacingMessage(error: unknown): string {
  const body = (error as { response?: { data?: unknown } }).response?.data;
  const oneApi = (body as { error?: { '@message'?: unknown; message?: unknown } } | undefined)?.error;
  if (oneApi) {
    const detail = typeof oneApi['@message'] === 'string' ? oneApi['@message'] : '';
    const summary = typeof oneApi.message === 'string' ? oneApi.message : '';
    return detail || summary || JSON.stringify(oneApi);
  }
  if (typeof body === 'string' && body.length > 0) {
    return body;
  }
  return error instanceof Error ? error.message : String(error);
}

// Same grammar the SDK uses to decode timespans ([-][d.]hh:mm:ss[.fffffff]).
const TIMESPAN = /^(-?)(?:(\d+)\.)?(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)$/;

function timespanToMillis(text: string): number {
  const m = TIMESPAN.exec(text);
  if (!m) {
    throw new Error(`expected timespan ${JSON.stringify(text)} is not in [-][d.]hh:mm:ss[.fffffff] form`);
  }
  const sign = m[1] === '-' ? -1 : 1;
  const seconds = Number(m[2] ?? 0) * 86400 + Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5]);
  return (sign * Math.round(seconds * 1e7)) / 1e4;
}

/** Brings an expected cell into the shape the SDK gives for a column of `type`. */
export function normaliseExpected(value: unknown, type: string): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  switch (type.toLowerCase()) {
    case 'datetime':
      return typeof value === 'string' ? isoMillis(new Date(value)) : value;
    case 'timespan':
      return typeof value === 'string' ? timespanToMillis(value) : value;
    default:
      return value;
  }
}

/** Brings an SDK cell into a comparable shape (Dates as millisecond ISO strings). */
export function normaliseActual(value: unknown): unknown {
  if (value instanceof Date) {
    return isoMillis(value);
  }
  return value ?? null;
}

function isoMillis(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

export function valuesEqual(actual: unknown, expected: unknown, tolerance: number): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    if (Number.isNaN(actual) || Number.isNaN(expected)) {
      return Number.isNaN(actual) && Number.isNaN(expected);
    }
    return actual === expected || Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return (
      actual.length === expected.length && actual.every((a, i) => valuesEqual(a, expected[i], tolerance))
    );
  }
  if (isPlainObject(actual) && isPlainObject(expected)) {
    const ak = Object.keys(actual).sort();
    const ek = Object.keys(expected).sort();
    return (
      ak.length === ek.length &&
      ak.every((k, i) => k === ek[i] && valuesEqual(actual[k], expected[k], tolerance))
    );
  }
  return actual === expected;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Compares one result table with its expectation; returns the differences (empty = pass). Rows are
 * matched in order when the query sorts (`ordered: true`), otherwise as a multiset.
 */
export function diffTable(actual: ActualTable, expected: TableExpectation): string[] {
  const problems: string[] = [];
  const tolerance = expected.tolerance ?? DEFAULT_TOLERANCE;
  if (expected.columns) {
    const want = expected.columns.map(([n, t]) => `${n}:${t}`).join(', ');
    const got = actual.columns.map((c) => `${c.name}:${c.type}`).join(', ');
    if (want !== got) {
      problems.push(`columns differ\n  expected: ${want}\n  actual:   ${got}`);
    }
  }
  const types = actual.columns.map((c, i) => expected.columns?.[i]?.[1] ?? c.type);
  const want = expected.rows.map((row) => row.map((v, i) => normaliseExpected(v, types[i] ?? 'dynamic')));
  const got = actual.rows.map((row) => row.map(normaliseActual));
  const width = actual.columns.length;
  const badWidth = want.findIndex((r) => r.length !== width);
  if (badWidth >= 0) {
    problems.push(
      `expected row ${badWidth} has ${want[badWidth].length} cells, the result has ${width} columns ` +
        `(${actual.columns.map((c) => `${c.name}:${c.type}`).join(', ')}); actual rows: ${show(got)}`,
    );
    return problems;
  }
  const rowsEqual = (a: unknown[], e: unknown[]): boolean => valuesEqual(a, e, tolerance);
  if (expected.ordered) {
    if (got.length !== want.length || !got.every((r, i) => rowsEqual(r, want[i]))) {
      problems.push(`rows differ (ordered)\n  expected: ${show(want)}\n  actual:   ${show(got)}`);
    }
    return problems;
  }
  const { missing, unexpected } = multisetDiff(got, want, rowsEqual);
  if (missing.length > 0 || unexpected.length > 0) {
    problems.push(
      `rows differ (any order)\n  missing:    ${show(missing)}\n  unexpected: ${show(unexpected)}\n  actual:     ${show(got)}`,
    );
  }
  return problems;
}

function show(rows: unknown[][]): string {
  const text = JSON.stringify(rows);
  return text.length > 1500 ? `${text.slice(0, 1500)}… (${rows.length} rows)` : text;
}
