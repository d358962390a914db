import { describe, expect, it } from 'vitest';
import { DeadLetterReason } from './dead-letter-reason.js';
import { encodeEvent, parseBody } from './event-encoder.js';

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
      description: 'element 1 of the body is a string, but each row must be a JSON object',
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

function parseBodyError(text: string): string {
  const parsed = parseBody(text);
  return parsed.ok ? '' : parsed.error;
}
