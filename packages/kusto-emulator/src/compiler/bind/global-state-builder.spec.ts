import { describe, expect, it } from 'vitest';
import type { DatabaseSchema } from '../compiler-types.js';
import { globalStateFor, MAX_ANALYSES_PER_CACHE, schemaKeyFor } from './global-state-builder.js';

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

  it('should renew the KustoCache after a bounded number of analyses', () => {
    // The cache memoizes stored-function expansions per call site: renewing it bounds its memory.
    const db = schema();
    db.name = 'renewal';
    const first = globalStateFor(db);
    let state = first;
    for (let i = 1; i < MAX_ANALYSES_PER_CACHE; i++) {
      state = globalStateFor(db);
    }
    expect(state).toBe(first);
    const renewed = globalStateFor(db);
    expect(renewed).not.toBe(first);
    expect(renewed.Cache).not.toBeNull();
    expect(renewed.Database?.Name).toBe('renewal');
  });
});
