/**
 * The KQL reference corpus: every self-contained example of the reference's function, operator and plugin
 * pages with the output the page documents (`cases/<family>.yaml`, see README.md), and how one result the
 * real `azure-kusto-data` client hands back is judged against it.
 *
 * Values are compared with Kusto's JSON result semantics, on the cells as they arrive (the runner turns off
 * the SDK's datetime/timespan parsing): longs and ints as numbers, reals within the precision the page
 * prints, datetimes as ISO strings to the tick, timespans as ticks, dynamic values as JSON, guids ignoring case.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { multisetDiff } from '../utils/multiset-diff.js';

export interface ExpectedTable {
  columnNames?: string[];
  /** Names and Kusto types, where the page documents the types. */
  columns?: [name: string, type: string][];
  rows: unknown[][];
}

/** A documented output: one table, several (`tables`), or an error (`true`, or the documented message). */
export interface Expectation extends Partial<ExpectedTable> {
  tables?: ExpectedTable[];
  error?: true | string;
}

export interface ReferenceCase {
  /** The reference page, e.g. `data-explorer/kusto/query/abs-function.md`. */
  page: string;
  /** The page's title: the function, operator or plugin it documents, e.g. `abs()`. */
  title: string;
  section: string;
  name: string;
  kql: string;
  expect: Expectation;
  ordered: boolean;
  /** The page's output is wrong or does not belong to its query: why. Such a case never counts as wrong. */
  docError?: string;
  /** The input is random (rand(), new_guid()): only the column names and the row count are compared. */
  nondeterministic?: boolean;
  /** The page elides part of a cell with `...`: such a cell is compared up to the ellipsis. */
  truncated?: boolean;
  /** The page documents only some of the output columns: only those are compared. */
  partial?: boolean;
  /** The page says the order of a result array is undefined (make_set): arrays are compared as multisets. */
  unorderedArrays?: boolean;
  /** The page shows a bare expression; the case runs it as `print <expression>`. */
  wrapped?: boolean;
  notes?: string;
  sourceCommit: string;
}

export interface ReferenceFamily {
  family: string;
  file: string;
  cases: ReferenceCase[];
}

/** What a result table looks like as the SDK received it (cells as in the JSON response). */
export interface ActualTable {
  columns: { name: string; type: string }[];
  rows: unknown[][];
}

export function loadReferenceFamilies(dir: string): ReferenceFamily[] {
  const names = new Set<string>();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const raw = parse(readFileSync(join(dir, file), 'utf8')) as Partial<ReferenceFamily> | null;
      if (!raw || typeof raw.family !== 'string' || !Array.isArray(raw.cases)) {
        throw new Error(`${file}: a case file needs "family" (string) and "cases" (list)`);
      }
      for (const c of raw.cases) {
        if (!c.name || !c.page || !c.title || !c.kql || !c.expect) {
          throw new Error(
            `${file}: case ${JSON.stringify(c.name)} lacks one of name, page, title, kql, expect`,
          );
        }
        if (names.has(c.name)) {
          throw new Error(`${file}: duplicate case name ${JSON.stringify(c.name)}`);
        }
        names.add(c.name);
      }
      return { family: raw.family, file, cases: raw.cases };
    });
}

/** The tables a case expects, or undefined for a documented error. */
export function expectedTables(expectation: Expectation): ExpectedTable[] | undefined {
  if (expectation.error !== undefined) {
    return undefined;
  }
  if (expectation.tables) {
    return expectation.tables;
  }
  return [
    { columnNames: expectation.columnNames, columns: expectation.columns, rows: expectation.rows ?? [] },
  ];
}

/**
 * Compares the result with the documented tables; returns the differences (empty = as documented). Rows are
 * matched in order when the case is ordered, otherwise as a multiset.
 */
export function diffResult(c: ReferenceCase, actual: ActualTable[]): string[] {
  const want = expectedTables(c.expect) ?? [];
  if (actual.length !== want.length) {
    return [`expected ${want.length} result table(s), got ${actual.length}`];
  }
  return want.flatMap((table, i) =>
    diffTable(c, actual[i], table).map((p) => (want.length > 1 ? `table ${i}: ${p}` : p)),
  );
}

function diffTable(c: ReferenceCase, actual: ActualTable, expected: ExpectedTable): string[] {
  const names = expected.columnNames ?? expected.columns?.map(([n]) => n);
  const gotNames = actual.columns.map((col) => col.name);
  // A partial expectation compares the documented columns only, wherever they are in the result.
  const picked = c.partial && names ? names.map((n) => gotNames.indexOf(n)) : gotNames.map((_n, i) => i);
  if (c.partial && picked.includes(-1)) {
    return [`columns differ\n  expected (some of): ${names?.join(', ')}\n  actual: ${gotNames.join(', ')}`];
  }
  const columns = picked.map((i) => actual.columns[i]);
  const problems: string[] = [];
  if (names && names.join(', ') !== columns.map((col) => col.name).join(', ')) {
    problems.push(`columns differ\n  expected: ${names.join(', ')}\n  actual:   ${gotNames.join(', ')}`);
  }
  if (expected.columns) {
    const want = expected.columns.map(([n, t]) => `${n}:${t}`).join(', ');
    const got = columns.map((col) => `${col.name}:${col.type}`).join(', ');
    if (want !== got) {
      problems.push(`column types differ\n  expected: ${want}\n  actual:   ${got}`);
    }
  }
  if (problems.length > 0) {
    return problems;
  }
  const got = actual.rows.map((row) => picked.map((i) => row[i]));
  if (c.nondeterministic) {
    // A truncated random output documents its columns only.
    return c.truncated || got.length === expected.rows.length
      ? []
      : [`expected ${expected.rows.length} rows (values are random), got ${got.length}`];
  }
  const badWidth = expected.rows.findIndex((r) => r.length !== columns.length);
  if (badWidth >= 0) {
    return [
      `expected row ${badWidth} has ${expected.rows[badWidth].length} cells, the result has ${columns.length}`,
    ];
  }
  const rowEqual = (a: unknown[], e: unknown[]): boolean =>
    e.every((cell, i) => cellEqual(a[i], cell, columns[i].type, c));
  if (c.ordered) {
    if (got.length !== expected.rows.length || !got.every((r, i) => rowEqual(r, expected.rows[i]))) {
      problems.push(`rows differ (ordered)\n  expected: ${show(expected.rows)}\n  actual:   ${show(got)}`);
    }
    return problems;
  }
  const { missing, unexpected } = multisetDiff(got, expected.rows, rowEqual);
  if (missing.length > 0 || unexpected.length > 0) {
    problems.push(
      `rows differ (any order)\n  missing:    ${show(missing)}\n  unexpected: ${show(unexpected)}`,
    );
  }
  return problems;
}

/** How a case's cells are compared beyond their type (see ReferenceCase). */
export type CellOptions = Pick<ReferenceCase, 'truncated' | 'unorderedArrays'>;

/** One result cell against the documented one, for a column of Kusto type `type`. */
export function cellEqual(
  actual: unknown,
  expected: unknown,
  type: string,
  options: CellOptions = {},
): boolean {
  if (options.truncated && typeof expected === 'string' && /\.\.\.|…/.test(expected)) {
    return truncatedEqual(actual, expected);
  }
  switch (type) {
    case 'bool':
    case 'boolean':
      return boolValue(actual) === boolValue(expected);
    case 'datetime':
    case 'date':
      return datetimeTicks(actual) === datetimeTicks(expected) && (actual === null) === (expected === null);
    case 'timespan':
    case 'time':
      return timespanTicks(actual) === timespanTicks(expected) && (actual === null) === (expected === null);
    case 'guid':
    case 'uuid':
      return typeof actual === 'string' && typeof expected === 'string'
        ? actual.toLowerCase() === expected.toLowerCase()
        : actual === expected;
    case 'string':
      // Kusto strings are never null: an empty cell on the page is the empty string.
      return (actual ?? '') === (expected ?? '');
    case 'int':
    case 'long':
    case 'real':
    case 'double':
    case 'decimal':
      return numberEqual(actual, expected);
    default:
      return dynamicEqual(actual, expected, options.unorderedArrays === true);
  }
}

/**
 * Reals on the pages are printed rounded (`0.785398163397448`, `3.14`): equal when they agree to the last
 * printed digit. A page printing an integral value (`5`) is held to 1e-9, so that `5` never matches `5.4`.
 */
function numberEqual(actual: unknown, expected: unknown): boolean {
  const a = numeric(actual);
  const e = numeric(expected);
  if (a === undefined || e === undefined) {
    return actual === expected || (actual ?? null) === (expected ?? null);
  }
  if (Number.isNaN(a) || Number.isNaN(e)) {
    return Number.isNaN(a) && Number.isNaN(e);
  }
  if (a === e) {
    return true;
  }
  return Math.abs(a - e) <= printedPrecision(expected, e);
}

function printedPrecision(expected: unknown, value: number): number {
  const text = typeof expected === 'string' ? expected.trim() : String(expected);
  const m = /^-?\d*(?:\.(\d+))?(?:e([+-]?\d+))?$/i.exec(text);
  const fractionDigits = m?.[1]?.length ?? 0;
  const exponent = Number(m?.[2] ?? 0);
  if (fractionDigits === 0 && exponent >= 0) {
    return 1e-9 * Math.max(1, Math.abs(value));
  }
  // One unit of the last printed place: pages round or truncate.
  return Math.max(10 ** (exponent - fractionDigits), 1e-12 * Math.abs(value));
}

function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') {
    return v;
  }
  if (typeof v === 'string') {
    // Kusto's JSON spells the special reals NaN, Infinity, -Infinity; the pages also print ∞ and -∞.
    const t = v.trim();
    if (/^(nan|-?(inf(inity)?|∞)|[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)$/i.test(t)) {
      return /^nan$/i.test(t)
        ? NaN
        : /inf|∞/i.test(t)
          ? t.startsWith('-')
            ? -Infinity
            : Infinity
          : Number(t);
    }
  }
  return undefined;
}

function boolValue(v: unknown): unknown {
  if (v === 1 || v === '1' || v === true || (typeof v === 'string' && v.toLowerCase() === 'true')) {
    return true;
  }
  if (v === 0 || v === '0' || v === false || (typeof v === 'string' && v.toLowerCase() === 'false')) {
    return false;
  }
  return v ?? null;
}

const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?\s*Z?$/;

/** A datetime as `YYYY-MM-DD hh:mm:ss` plus 7-digit ticks, the precision Kusto keeps. */
function datetimeTicks(v: unknown): unknown {
  if (typeof v !== 'string') {
    return v ?? null;
  }
  const m = DATETIME.exec(v.trim());
  if (!m) {
    return v;
  }
  return `${m[1]} ${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}.${(m[5] ?? '').padEnd(7, '0')}`;
}

const TIMESPAN = /^(-?)(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

function timespanTicks(v: unknown): unknown {
  if (typeof v !== 'string') {
    return v ?? null;
  }
  const m = TIMESPAN.exec(v.trim());
  if (!m) {
    return v;
  }
  const seconds = BigInt(m[2] ?? 0) * 86400n + BigInt(m[3]) * 3600n + BigInt(m[4]) * 60n + BigInt(m[5]);
  const ticks = seconds * 10_000_000n + BigInt((m[6] ?? '').padEnd(7, '0'));
  return m[1] === '-' ? -ticks : ticks;
}

/** Dynamic values as JSON; a page may print a dynamic cell as its JSON text. Numbers as in numberEqual. */
function dynamicEqual(actual: unknown, expected: unknown, unordered: boolean): boolean {
  if (typeof expected === 'string' && typeof actual !== 'string' && actual !== null && actual !== undefined) {
    try {
      return dynamicEqual(actual, JSON.parse(expected) as unknown, unordered);
    } catch {
      return false;
    }
  }
  if (typeof actual === 'number' || typeof expected === 'number') {
    return numberEqual(actual, expected);
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) {
      return false;
    }
    if (!unordered) {
      return actual.every((a, i) => dynamicEqual(a, expected[i], unordered));
    }
    return multisetDiff(actual, expected, (a, e) => dynamicEqual(a, e, unordered)).missing.length === 0;
  }
  if (isObject(actual) && isObject(expected)) {
    const ak = Object.keys(actual).sort();
    const ek = Object.keys(expected).sort();
    return (
      ak.length === ek.length &&
      ak.every((k, i) => k === ek[i] && dynamicEqual(actual[k], expected[k], unordered))
    );
  }
  return (actual ?? null) === (expected ?? null);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A cell the page elides (`{"type":"Polygon","coordinates":[...]}`): the shown text before the ellipsis. */
function truncatedEqual(actual: unknown, expected: string): boolean {
  const text = (typeof actual === 'string' ? actual : JSON.stringify(actual)).replace(/\s+/g, '');
  const prefix = expected.split(/\.\.\.|…/)[0].replace(/\s+/g, '');
  return text.startsWith(prefix);
}

function show(rows: unknown[][]): string {
  const text = JSON.stringify(rows);
  return text.length > 800 ? `${text.slice(0, 800)}… (${rows.length} rows)` : text;
}
