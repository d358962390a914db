import { describe, expect, it } from 'vitest';
import { DeadLetterReason } from './dead-letter-reason.js';
import { bodyByteLength, checkBodySize, checkJsonDepth, jsonDepth } from './message-limits.js';

const limits = { maxBodyBytes: 1024, maxJsonDepth: 64 };

/** `{"x":{"x":…1…}}` nested `depth` levels, built as text and parsed (no recursion on either side). */
function nested(depth: number): unknown {
  return JSON.parse(`${'{"x":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;
}

describe('jsonDepth', () => {
  it('should count 0 for a scalar and 1 for a flat object or array', () => {
    expect(jsonDepth(42)).toBe(0);
    expect(jsonDepth('text')).toBe(0);
    expect(jsonDepth(null)).toBe(0);
    expect(jsonDepth({ a: 1, b: 'x' })).toBe(1);
    expect(jsonDepth([1, 2])).toBe(1);
    expect(jsonDepth({ a: [1, { b: [] }], c: {} })).toBe(4);
  });

  it('should measure a body nested far beyond what JSON.stringify can encode, without overflowing', () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonDepth(deep)).toBe(100_000);
  });
});

describe('checkJsonDepth', () => {
  it('should accept a body at the limit and name the depth and the limit of one above it', () => {
    expect(checkJsonDepth(nested(64), limits)).toBeUndefined();
    expect(checkJsonDepth(nested(5_000), limits)).toEqual({
      reason: DeadLetterReason.NestingTooDeep,
      description: 'body nests JSON 5000 levels deep, above the limit of 64 levels (INGEST_MAX_JSON_DEPTH)',
    });
  });
});

describe('checkBodySize', () => {
  it('should measure raw bodies in bytes and name the size and the limit of one above it', () => {
    expect(bodyByteLength(Buffer.alloc(10))).toBe(10);
    expect(bodyByteLength('é')).toBe(2);
    expect(bodyByteLength({ decoded: true })).toBeUndefined();
    expect(checkBodySize(Buffer.alloc(1024), limits)).toBeUndefined();
    expect(checkBodySize(Buffer.alloc(1025), limits)).toEqual({
      reason: DeadLetterReason.MessageTooLarge,
      description: 'body is 1025 bytes, above the 1024-byte limit (INGEST_MAX_BODY_BYTES)',
    });
  });
});
