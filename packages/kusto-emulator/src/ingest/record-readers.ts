/**
 * Turns an ingestion body into records: JSON objects for the JSON formats, field arrays for the delimited
 * ones. Malformed input fails the whole ingestion with the record number and position of the fault, as
 * ADX does for streaming ingestion.
 */
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';

export type DelimitedFormat = 'csv' | 'tsv' | 'tsve' | 'psv' | 'scsv' | 'sohsv' | 'txt';
export type JsonFormat = 'json' | 'multijson' | 'singlejson';
export type IngestFormat = DelimitedFormat | JsonFormat;

const DELIMITERS: Record<DelimitedFormat, string> = {
  csv: ',',
  tsv: '\t',
  tsve: '\t',
  psv: '|',
  scsv: ';',
  sohsv: '\u0001',
  txt: '\n',
};

const UNSUPPORTED = ['raw', 'avro', 'apacheavro', 'parquet', 'orc', 'w3clogfile', 'sstream'];

export function parseIngestFormat(name: string | undefined): IngestFormat {
  const format = (name ?? 'csv').toLowerCase();
  if (format in DELIMITERS || format === 'json' || format === 'multijson' || format === 'singlejson') {
    return format as IngestFormat;
  }
  if (UNSUPPORTED.includes(format)) {
    throw KustoEngineError.notSupported(
      `Ingestion format '${name}' is not supported by the embedded engine; use json, multijson, singlejson, csv, tsv, psv, scsv or sohsv.`,
    );
  }
  throw KustoEngineError.badRequest(`Unknown ingestion format '${name}'.`);
}

export function isJsonFormat(format: IngestFormat): format is JsonFormat {
  return format === 'json' || format === 'multijson' || format === 'singlejson';
}

function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return `line ${line}, position ${offset - lineStart + 1}`;
}

function malformed(text: string, record: number, offset: number, reason: string): KustoEngineError {
  return new KustoEngineError(
    KustoErrorCode.BadData,
    `Malformed JSON in record ${record} at ${lineAndColumn(text, offset)}: ${reason}. Nothing was ingested.`,
    { record },
  );
}

/** Finds the end of the JSON value starting at `start` (an object or array), honouring strings. */
function scanValueEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) {
        i += 1;
      } else if (c === 34) {
        inString = false;
      }
      continue;
    }
    if (c === 34) {
      inString = true;
    } else if (c === 123 || c === 91) {
      depth += 1;
    } else if (c === 125 || c === 93) {
      depth -= 1;
      if (depth === 0) {
        return i + 1;
      }
    }
  }
  return -1;
}

function pushRecords(value: unknown, records: Record<string, unknown>[], text: string, offset: number): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      pushRecords(item, records, text, offset);
    }
    return;
  }
  if (value === null || typeof value !== 'object') {
    throw malformed(
      text,
      records.length + 1,
      offset,
      `expected a JSON object but found ${JSON.stringify(value)}`,
    );
  }
  records.push(value as Record<string, unknown>);
}

/**
 * `json`: one object per line (whitespace between objects tolerated); `multijson`: objects or arrays of
 * objects in any layout; `singlejson`: one object. Arrays at the top level are accepted for all three.
 */
export function readJsonRecords(text: string, format: JsonFormat): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
  // Fast path: JSON Lines, one JSON.parse per line.
  if (format === 'json') {
    let lineStart = 0;
    let fastPathOk = true;
    const fast: Record<string, unknown>[] = [];
    while (lineStart < text.length) {
      let lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd < 0) {
        lineEnd = text.length;
      }
      const line = text.slice(lineStart, lineEnd).trim();
      if (line !== '') {
        if (line.charCodeAt(0) !== 123) {
          fastPathOk = false;
          break;
        }
        try {
          fast.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          fastPathOk = false;
          break;
        }
      }
      lineStart = lineEnd + 1;
    }
    if (fastPathOk) {
      return fast;
    }
  }
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff || c === 44) {
      i += 1;
      continue;
    }
    if (c !== 123 && c !== 91) {
      throw malformed(
        text,
        records.length + 1,
        i,
        `unexpected character '${text[i]}' where a JSON object should start`,
      );
    }
    const end = scanValueEnd(text, i);
    if (end < 0) {
      throw malformed(text, records.length + 1, i, 'the JSON value is not closed (truncated body?)');
    }
    let value: unknown;
    try {
      value = JSON.parse(text.slice(i, end));
    } catch (error) {
      throw malformed(text, records.length + 1, i, (error as Error).message);
    }
    pushRecords(value, records, text, i);
    i = end;
  }
  if (format === 'singlejson' && records.length > 1) {
    throw KustoEngineError.badData(
      `Format singlejson expects one JSON object but the body holds ${records.length}.`,
    );
  }
  return records;
}

/** RFC 4180 fields (quotes doubled inside quoted fields), no header row; blank lines are skipped. */
export function readDelimitedRecords(text: string, format: DelimitedFormat): string[][] {
  if (format === 'txt') {
    return text
      .split(/\r?\n/)
      .filter((line) => line !== '')
      .map((line) => [line]);
  }
  const delimiter = DELIMITERS[format];
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) {
      records.push(fields);
    }
    fields = [];
    field = '';
    atFieldStart = true;
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        continue;
      }
      field += ch;
      i += 1;
      continue;
    }
    if (ch === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
      i += 1;
      continue;
    }
    if (ch === delimiter) {
      fields.push(field);
      field = '';
      atFieldStart = true;
      i += 1;
      continue;
    }
    if (ch === '\r' && text[i + 1] === '\n') {
      i += 1;
      continue;
    }
    if (ch === '\n') {
      endRecord();
      i += 1;
      continue;
    }
    field += ch;
    atFieldStart = false;
    i += 1;
  }
  if (quoted) {
    throw KustoEngineError.badData(
      `Malformed ${format.toUpperCase()}: a quoted field in record ${records.length + 1} is not closed. Nothing was ingested.`,
    );
  }
  if (field !== '' || fields.length > 0) {
    endRecord();
  }
  return records;
}
