/**
 * Turns one Service Bus message body into the bytes of its rows in the batch's wire format. JSON bodies become
 * one object per line with the message's identity set — `messageId` (the Service Bus MessageId, the key of
 * exactly-once; docs/events.md: the mapping path `$.messageId` always holds the broker's id, whatever the
 * producer wrote) and `_enqueuedTime` (for freshness in KQL) — so a table mapping can carry them into columns. Pure logic: everything it rejects is a permanent, per-message failure.
 */
import { DeadLetterReason } from './dead-letter-reason.js';
import type { IngestFormat } from './ingest-format.js';

export const MESSAGE_ID_FIELD = 'messageId';
export const ENQUEUED_TIME_FIELD = '_enqueuedTime';

export type ParsedBody = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * The SDK already JSON-parses data sections it can parse; bodies that arrive as strings or Buffers are parsed
 * here, so a producer that sends pre-serialised JSON text is routed like one that sends objects.
 */
export function parseBody(body: unknown): ParsedBody {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    return parseText(Buffer.from(body).toString('utf8'));
  }
  if (typeof body === 'string') {
    return parseText(body);
  }
  return { ok: true, value: body };
}

function parseText(text: string): ParsedBody {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

export interface EncodeInput {
  /** The raw message body as the SDK delivered it. */
  body: unknown;
  /** The result of parseBody(body), when the caller already has it. */
  parsed?: ParsedBody;
  messageId: string;
  enqueuedTimeUtc?: Date;
  format: IngestFormat;
  maxBytes: number;
}

export type EncodeResult =
  | { kind: 'encoded'; payload: Buffer; rows: number }
  | { kind: 'rejected'; reason: DeadLetterReason; description: string };

export function encodeEvent(input: EncodeInput): EncodeResult {
  const result = input.format === 'csv' ? encodeCsv(input.body) : encodeJson(input);
  if (result.kind === 'encoded' && result.payload.length > input.maxBytes) {
    return {
      kind: 'rejected',
      reason: DeadLetterReason.MessageTooLarge,
      description: `encoded rows are ${result.payload.length} bytes, above the ${input.maxBytes}-byte limit of one ingest request (INGEST_BATCH_MAX_BYTES, at most 4 MB for streaming ingestion)`,
    };
  }
  return result;
}

function encodeJson(input: EncodeInput): EncodeResult {
  const parsed = input.parsed ?? parseBody(input.body);
  if (!parsed.ok) {
    return {
      kind: 'rejected',
      reason: DeadLetterReason.InvalidJson,
      description: `body is not JSON: ${parsed.error}`,
    };
  }
  const records = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
  if (records.length === 0) {
    return {
      kind: 'rejected',
      reason: DeadLetterReason.InvalidJson,
      description: 'body is an empty JSON array',
    };
  }
  const lines: string[] = [];
  for (const [index, record] of records.entries()) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      const where = Array.isArray(parsed.value) ? `element ${index} of the body` : 'body';
      return {
        kind: 'rejected',
        reason: DeadLetterReason.InvalidJson,
        description: `${where} is ${describeJson(record)}, but each row must be a JSON object`,
      };
    }
    const row: Record<string, unknown> = {
      ...(record as Record<string, unknown>),
      [MESSAGE_ID_FIELD]: input.messageId,
    };
    if (input.enqueuedTimeUtc) {
      row[ENQUEUED_TIME_FIELD] = input.enqueuedTimeUtc.toISOString();
    }
    lines.push(JSON.stringify(row));
  }
  return { kind: 'encoded', payload: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), rows: lines.length };
}

function encodeCsv(body: unknown): EncodeResult {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    text = Buffer.from(body).toString('utf8');
  } else {
    return {
      kind: 'rejected',
      reason: DeadLetterReason.UnsupportedFormat,
      description: `route format is csv but the body is ${describeJson(body)}, not text`,
    };
  }
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (lines.length === 0) {
    return { kind: 'rejected', reason: DeadLetterReason.InvalidJson, description: 'csv body has no rows' };
  }
  return { kind: 'encoded', payload: Buffer.from(`${lines.join('\n')}\n`, 'utf8'), rows: lines.length };
}

function describeJson(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return `a ${typeof value}`;
}
