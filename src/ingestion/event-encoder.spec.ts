import { describe, expect, it } from 'vitest';
import { DeadLetterReason } from './dead-letter-reason.js';
import { decodeBody, encodeEvent, parseBody } from './event-encoder.js';

const base = { messageId: 'm-1', enqueuedTimeUtc: new Date('2026-01-02T03:04:05.000Z'), maxBytes: 1024 };

describe('encodeEvent', () => {
  it('should write one JSON line per object with the message id and enqueued time added', () => {
    const result = encodeEvent({ ...base, body: { a: 1 }, format: 'json' });
    expect(result).toEqual({
      kind: 'encoded',
      rows: 1,
      payload: Buffer.from('{"a":1,"messageId":"m-1","_enqueuedTime":"2026-01-02T03:04:05.000Z"}\n'),
    });
  });

  it('should parse string and Buffer bodies as JSON', () => {
    for (const body of ['{"a":2}', Buffer.from('{"a":2}')]) {
      const result = encodeEvent({ ...base, body, format: 'json' });
      expect(result.kind === 'encoded' && result.payload.toString()).toContain('"a":2');
    }
  });

  it('should turn a JSON array into one row per element', () => {
    const result = encodeEvent({ ...base, body: [{ a: 1 }, { a: 2 }], format: 'multijson' });
    expect(result.kind === 'encoded' && result.rows).toBe(2);
  });

  it('should reject a body that is not JSON', () => {
    expect(encodeEvent({ ...base, body: Buffer.from('{not json'), format: 'json' })).toEqual({
      kind: 'rejected',
      reason: DeadLetterReason.InvalidJson,
      description: `body is not JSON: ${parseBodyError('{not json')}`,
    });
  });

  it('should reject a JSON scalar where a row object is needed', () => {
    expect(encodeEvent({ ...base, body: 42, format: 'json' })).toEqual({
      kind: 'rejected',
      reason: DeadLetterReason.InvalidJson,
      description: 'body is a number, but each row must be a JSON object',
    });
    expect(encodeEvent({ ...base, body: [{}, 'x'], format: 'json' })).toEqual({
      kind: 'rejected',
      reason: DeadLetterReason.InvalidJson,
      description: 'element 1 of the body is a JSON string ("x"), but each row must be a JSON object',
    });
  });

  it('should call a JSON string body a JSON string, not "not JSON"', () => {
    // What a producer's `body: "hello"` becomes on the wire ("hello", in quotes) and after decoding.
    for (const body of ['hello', decodeBody(Buffer.from('"hello"'))]) {
      expect(encodeEvent({ ...base, body, format: 'json' })).toEqual({
        kind: 'rejected',
        reason: DeadLetterReason.InvalidJson,
        description: 'body is a JSON string ("hello"), but each row must be a JSON object',
      });
    }
  });

  it('should say why a JSON string that looks like an object is not taken as pre-serialised JSON', () => {
    expect(encodeEvent({ ...base, body: '{"a": broken', format: 'json' })).toEqual({
      kind: 'rejected',
      reason: DeadLetterReason.InvalidJson,
      description: `body is a JSON string ("{\\"a\\": broken"), but each row must be a JSON object; its text is not JSON either: ${parseBodyError('{"a": broken')}`,
    });
  });

  it('should reject a message whose rows exceed the request limit', () => {
    expect(encodeEvent({ ...base, body: { s: 'x'.repeat(2000) }, format: 'json' })).toEqual({
      kind: 'rejected',
      reason: DeadLetterReason.MessageTooLarge,
      description:
        'encoded rows are 2070 bytes, above the 1024-byte limit of one ingest request (INGEST_BATCH_MAX_BYTES, at most 4 MB for streaming ingestion)',
    });
  });

  it('should pass csv text through line by line', () => {
    expect(encodeEvent({ ...base, body: 'a,1\r\nb,2', format: 'csv' })).toEqual({
      kind: 'encoded',
      rows: 2,
      payload: Buffer.from('a,1\nb,2\n'),
    });
  });
});

describe('decodeBody', () => {
  it('should decode a raw body as the SDK would: JSON text to its value, anything else unchanged', () => {
    expect(decodeBody(Buffer.from('{"a":[1]}'))).toEqual({ a: [1] });
    expect(decodeBody(Buffer.from('"text"'))).toBe('text');
    const notJson = Buffer.from('a,b\n1,2');
    expect(decodeBody(notJson)).toBe(notJson);
    const value = { already: 'decoded' };
    expect(decodeBody(value)).toBe(value);
  });
});

function parseBodyError(text: string): string {
  const parsed = parseBody(Buffer.from(text));
  return parsed.ok ? '' : parsed.error;
}
