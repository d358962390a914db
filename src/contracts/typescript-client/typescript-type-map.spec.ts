import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kustoTypeSchema } from '../../modules/catalog/function-json-schema.js';
import { columnTypescriptType, typeTableLines, typescriptTypeOf } from './typescript-type-map.js';

describe('typescriptTypeOf', () => {
  it("should read a union off openapi.json's long schema", () => {
    expect(typescriptTypeOf(kustoTypeSchema('long'))).toBe('number | string');
  });

  it('should be unknown for a schema without a type (dynamic)', () => {
    expect(typescriptTypeOf(kustoTypeSchema('dynamic'))).toBe('unknown');
  });

  it('should refuse a JSON Schema type it has no TypeScript type for', () => {
    expect(() => typescriptTypeOf({ type: 'tuple' })).toThrow(
      'no TypeScript type for the JSON Schema type tuple in {"type":"tuple"}',
    );
  });
});

describe('columnTypescriptType', () => {
  it('should add null to every typed column', () => {
    expect(columnTypescriptType('datetime')).toBe('string | null');
    expect(columnTypescriptType('dynamic')).toBe('unknown');
  });
});

describe('typeTableLines', () => {
  it('should be the table docs/client.md shows', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'client.md'), 'utf8');
    expect(docs).toContain(typeTableLines().join('\n'));
  });
});
