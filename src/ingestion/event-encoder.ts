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

/**
 * `ok` with `textError` when the body is a string that does not parse as JSON text: it still is a JSON value (the
 * string), and the error tells a producer who meant to send pre-serialised JSON why it was not taken as such.
 */
export type ParsedBody = { ok: true; value: unknown; textError?: string } | { ok: false; error: string };

/**
 * What the SDK's default decoding would deliver for a raw body (the receiver asks for raw bodies, so admission can
 * measure their size before anything parses them): a data section holding JSON text becomes its value, any other
 * data section stays bytes, AMQP value/sequence bodies are already decoded.
 */
export function decodeBody(raw: unknown): unknown {
  if (Buffer.isBuffer(raw) || raw instanceof Uint8Array) {
    try {
      return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/**
 * Parses a decoded body (decodeBody): bodies that are still bytes or strings are parsed here, so a producer that
 * sends pre-serialised JSON text is routed like one that sends objects.
 */
export function parseBody(body: unknown): ParsedBody {
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
    return parseText(Buffer.from(body).toString('utf8'));
  }
  if (typeof body === 'string') {
    const parsed = parseText(body);
    // A string body is a JSON value (a JSON string) even when its text is not JSON: say so, not "not JSON".
    return parsed.ok ? parsed : { ok: true, value: body, textError: parsed.error };
  }
  return { ok: true, value: body };
}

function parseText(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
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
      const text =
        parsed.textError !== undefined && /^\s*[[{]/.test(String(record))
          ? `; its text is not JSON either: ${parsed.textError}`
          : '';
      return {
        kind: 'rejected',
        reason: DeadLetterReason.InvalidJson,
        description: `${where} is ${describeJson(record)}, but each row must be a JSON object${text}`,
      };
    }
    const row: Record<string, unknown> = {
      ...(record as Record<string, unknown>),
      [MESSAGE_ID_FIELD]: input.messageId,
    };
    if (input.enqueuedTimeUtc) {
      row[ENQUEUED_TIME_FIELD] = input.enqueuedTimeUtc.toISOString();
    }
    try {
      lines.push(JSON.stringify(row));
    } catch (error) {
      // Admission bounds the nesting depth, so this is a value JSON cannot hold (a BigInt from an AMQP value body).
      return {
        kind: 'rejected',
        reason: DeadLetterReason.InvalidJson,
        description: `${Array.isArray(parsed.value) ? `element ${index} of the body` : 'body'} cannot be written as JSON: ${(error as Error).message}`,
      };
    }
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
  if (typeof value === 'string') {
    const shown =
      value.length > 40 ? `${JSON.stringify(value.slice(0, 40)).slice(0, -1)}…"` : JSON.stringify(value);
    return `a JSON string (${shown})`;
  }
  return `a ${typeof value}`;
}
