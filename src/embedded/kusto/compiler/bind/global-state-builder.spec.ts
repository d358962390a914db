import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../compiler-types.js';
import { globalStateFor, schemaKeyFor } from './global-state-builder.js';

const schema = (): DatabaseSchema => ({
  name: 'db',
  tables: [{ name: 'T', columns: [{ name: 'a', type: 'long' }] }],
  functions: [],
});

describe('globalStateFor', () => {
  it('should hand analyses a state that carries a KustoCache', () => {
    // Without a cache, every analysis rebuilds Kusto.Language's lookup tables of built-in functions.
    expect(globalStateFor(schema()).Cache).not.toBeNull();
  });

  it('should reuse the state for schemas with the same content', () => {
    const first = schema();
    const second = schema();
    expect(globalStateFor(second)).toBe(globalStateFor(first));
    expect(schemaKeyFor(second)).toBe(schemaKeyFor(first));
  });

  it('should build a new state when the schema content changes', () => {
    const changed = schema();
    changed.tables[0].columns.push({ name: 'b', type: 'string' });
    expect(globalStateFor(changed)).not.toBe(globalStateFor(schema()));
  });
});
