import { parseCsvRecords } from './csv-records.js';
import type { InfinityColumn } from './grafana-dashboard.js';
import type { TypedColumn } from './power-query-recipe.js';

/** What a consumer converts a column to, and so what values it can take. */
export type ValueKind = 'text' | 'integer' | 'number' | 'datetime' | 'boolean';

export interface ExpectedColumn {
  readonly name: string;
  readonly kind: ValueKind;
}

const INFINITY_KINDS: Readonly<Record<string, ValueKind>> = {
  string: 'text',
  number: 'number',
  timestamp: 'datetime',
  boolean: 'boolean',
};

const M_KINDS: Readonly<Record<string, ValueKind>> = {
  'type text': 'text',
  'Int64.Type': 'integer',
  'type number': 'number',
  'type datetimezone': 'datetime',
  'type logical': 'boolean',
};

export function expectedFromInfinity(columns: readonly InfinityColumn[]): ExpectedColumn[] {
  return columns.map((c) => ({ name: c.selector, kind: INFINITY_KINDS[c.type] ?? 'text' }));
}

export function expectedFromM(columns: readonly TypedColumn[]): ExpectedColumn[] {
  return columns.map((c) => ({ name: c.name, kind: M_KINDS[c.mType] ?? 'text' }));
}

/** What Infinity's timestamp column and Power Query's datetimezone conversion read: ISO-8601 UTC. */
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

/** Problems of a JSON answer read as `data` rows with these columns (a null fits every kind), one per column. */
export function jsonAnswerProblems(body: unknown, expected: readonly ExpectedColumn[]): string[] {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) {
    return ['the answer has no "data" list'];
  }
  const rows = data as Record<string, unknown>[];
  const problems: string[] = [];
  for (const { name, kind } of expected) {
    const missing = rows.filter((row) => !(name in row)).length;
    const misfit = rows.findIndex((row) => name in row && !jsonFits(row[name], kind));
    if (missing > 0) {
      problems.push(`${missing} of ${rows.length} rows have no ${name}`);
    } else if (misfit >= 0) {
      problems.push(`data[${misfit}].${name} = ${JSON.stringify(rows[misfit][name])} is not ${kind}`);
    }
  }
  return problems;
}

/** Problems of a CSV answer read with its header row (an empty field is a null). */
export function csvAnswerProblems(text: string, expected: readonly ExpectedColumn[]): string[] {
  const [header, ...records] = parseCsvRecords(text);
  if (!header) {
    return ['the answer has no header row'];
  }
  const problems: string[] = [];
  for (const { name } of expected) {
    if (!header.includes(name)) {
      problems.push(`the header row (${header.join(',')}) has no ${name}`);
    }
  }
  const ragged = records.findIndex((record) => record.length !== header.length);
  if (ragged >= 0) {
    problems.push(`record ${ragged + 1} has ${records[ragged].length} fields, the header ${header.length}`);
    return problems;
  }
  for (const { name, kind } of expected) {
    const at = header.indexOf(name);
    const misfit = at < 0 ? -1 : records.findIndex((r) => r[at] !== '' && !csvFits(r[at], kind));
    if (misfit >= 0) {
      problems.push(`record ${misfit + 1} ${name} = ${JSON.stringify(records[misfit][at])} is not ${kind}`);
    }
  }
  return problems;
}

/** The data rows of a CSV answer (the header row left out). */
export function csvRecordCount(text: string): number {
  return Math.max(0, parseCsvRecords(text).length - 1);
}

function jsonFits(value: unknown, kind: ValueKind): boolean {
  if (value === null) {
    return true;
  }
  switch (kind) {
    case 'text':
      return typeof value === 'string';
    case 'integer':
      // A long beyond ±2^53 comes as a decimal string.
      return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value));
    case 'number':
      return typeof value === 'number' || (typeof value === 'string' && /^-?\d+$/.test(value));
    case 'datetime':
      return typeof value === 'string' && ISO_DATETIME.test(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function csvFits(value: string, kind: ValueKind): boolean {
  switch (kind) {
    case 'text':
      return true;
    case 'integer':
      return /^-?\d+$/.test(value);
    case 'number':
      return /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value);
    case 'datetime':
      return ISO_DATETIME.test(value);
    case 'boolean':
      return value === 'true' || value === 'false';
  }
}
