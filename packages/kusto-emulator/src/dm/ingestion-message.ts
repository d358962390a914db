/**
 * The queued-ingestion message as azure-kusto-ingest writes it (IngestionBlobInfo, JSON, base64 in the queue),
 * read into what the poller needs. Anything the embedded engine cannot honour is a permanent failure reported
 * back to the client, never a silent difference.
 */
import { KustoEngineError } from '../errors/kusto-engine-error.js';

/** azure-kusto-ingest's ReportLevel and ReportMethod enums (numbers on the wire). */
export enum ReportLevel {
  FailuresOnly = 0,
  DoNotReport = 1,
  FailuresAndSuccesses = 2,
}

export enum ReportMethod {
  Queue = 0,
  Table = 1,
  QueueAndTable = 2,
}

export interface StatusTableEntry {
  tableConnectionString: string;
  partitionKey: string;
  rowKey: string;
}

export interface IngestionMessage {
  id: string;
  blobPath: string;
  database: string;
  table: string;
  format: string | undefined;
  mappingReference: string | undefined;
  tags: string[];
  ingestIfNotExists: string[];
  reportLevel: ReportLevel;
  reportMethod: ReportMethod;
  statusInTable: StatusTableEntry | undefined;
}

export interface RawBlobInfo {
  Id?: unknown;
  BlobPath?: unknown;
  DatabaseName?: unknown;
  TableName?: unknown;
  ReportLevel?: unknown;
  ReportMethod?: unknown;
  IngestionStatusInTable?: unknown;
  AdditionalProperties?: Record<string, unknown>;
}

/** What a message that cannot even be read is reported with (enough to find it in the client's logs). */
export interface UnreadableMessage {
  id: string | undefined;
  database: string | undefined;
  table: string | undefined;
  blobPath: string | undefined;
}

export function decodeIngestionMessage(messageText: string): RawBlobInfo {
  try {
    const json = Buffer.from(messageText, 'base64').toString('utf8');
    const value = JSON.parse(json) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return value;
    }
  } catch {
    // Reported below, with the same message as a non-object.
  }
  throw KustoEngineError.badRequest(
    'The ingestion queue message is not base64-encoded JSON of an IngestionBlobInfo object (as azure-kusto-ingest writes it).',
  );
}

export function unreadableFacts(raw: RawBlobInfo | undefined): UnreadableMessage {
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    id: text(raw?.Id),
    database: text(raw?.DatabaseName),
    table: text(raw?.TableName),
    blobPath: text(raw?.BlobPath),
  };
}

/**
 * Options the embedded engine cannot honour. Checked apart from reading so that a message using one is still
 * reported back (as a permanent failure) to the client that sent it.
 */
export function assertSupportedOptions(raw: RawBlobInfo, id: string): void {
  const props = raw.AdditionalProperties ?? {};
  if (props.ingestionMapping !== undefined && props.ingestionMapping !== null) {
    throw KustoEngineError.notSupported(
      `Ingestion ${id}: inline ingestion mappings (ingestionMappingColumns) are not supported by the embedded engine; create the mapping with '.create table … ingestion … mapping' and pass ingestionMappingReference.`,
    );
  }
  if (props.ignoreFirstRecord === true) {
    throw KustoEngineError.notSupported(
      `Ingestion ${id}: ignoreFirstRecord is not supported by the embedded engine; send the data without a header line.`,
    );
  }
}

export function readIngestionMessage(raw: RawBlobInfo): IngestionMessage {
  const props = raw.AdditionalProperties ?? {};
  const id = requiredString(raw.Id, 'Id');
  return {
    id,
    blobPath: requiredString(raw.BlobPath, 'BlobPath'),
    database: requiredString(raw.DatabaseName, 'DatabaseName'),
    table: requiredString(raw.TableName, 'TableName'),
    format: optionalString(props.format, 'format'),
    mappingReference: optionalString(props.ingestionMappingReference, 'ingestionMappingReference'),
    tags: jsonStringList(props.tags, 'tags'),
    ingestIfNotExists: jsonStringList(props.ingestIfNotExists, 'ingestIfNotExists'),
    reportLevel: enumValue(raw.ReportLevel, ReportLevel, ReportLevel.FailuresOnly, 'ReportLevel'),
    reportMethod: enumValue(raw.ReportMethod, ReportMethod, ReportMethod.Queue, 'ReportMethod'),
    statusInTable: statusEntry(raw.IngestionStatusInTable),
  };
}

function requiredString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw KustoEngineError.badRequest(
      `The ingestion message has no ${field} (a non-empty string is required).`,
    );
  }
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw KustoEngineError.badRequest(
      `The ingestion message's ${field} must be a string; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** `tags` travel as a JSON array in a string; `ingestIfNotExists` as the same or as an array. */
function jsonStringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null || value === '') {
    return [];
  }
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) {
    throw KustoEngineError.badRequest(
      `The ingestion message's ${field} must be a JSON array of strings, e.g. '["a"]'; got ${JSON.stringify(value)}.`,
    );
  }
  return parsed;
}

function enumValue<T extends number>(
  value: unknown,
  values: Record<string, string | number>,
  fallback: T,
  field: string,
): T {
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== 'number' || values[value] === undefined) {
    throw KustoEngineError.badRequest(
      `The ingestion message's ${field} ${JSON.stringify(value)} is not known.`,
    );
  }
  return value as T;
}

function statusEntry(value: unknown): StatusTableEntry | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const entry = value as Partial<StatusTableEntry>;
  if (
    typeof entry.tableConnectionString !== 'string' ||
    typeof entry.partitionKey !== 'string' ||
    typeof entry.rowKey !== 'string'
  ) {
    throw KustoEngineError.badRequest(
      "The ingestion message's IngestionStatusInTable must have tableConnectionString, partitionKey and rowKey strings.",
    );
  }
  return {
    tableConnectionString: entry.tableConnectionString,
    partitionKey: entry.partitionKey,
    rowKey: entry.rowKey,
  };
}
