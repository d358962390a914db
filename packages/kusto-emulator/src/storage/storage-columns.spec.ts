import { describe, expect, it } from 'vitest';
import { storageNameOf, withStorageNames } from './storage-columns.js';

describe('withStorageNames', () => {
  it('should store the later of two case twins under a suffixed DuckDB name', () => {
    expect(
      withStorageNames([
        { name: 'a', type: 'long' },
        { name: 'A', type: 'string' },
        { name: 'b', type: 'long' },
      ]),
    ).toEqual([
      { name: 'a', type: 'long' },
      { name: 'A', type: 'string', storageName: 'A~2' },
      { name: 'b', type: 'long' },
    ]);
  });

  it('should keep the DuckDB columns of columns the table already has', () => {
    const existing = withStorageNames([
      { name: 'a', type: 'long' },
      { name: 'A', type: 'long' },
    ]);
    // `.alter table T (A:long)` drops `a`; `A` keeps living in `A~2`.
    expect(withStorageNames([{ name: 'A', type: 'long' }], existing)).toEqual([
      { name: 'A', type: 'long', storageName: 'A~2' },
    ]);
  });

  it('should not reuse the DuckDB name of an existing column for a new twin', () => {
    const existing = withStorageNames([{ name: 'a', type: 'long' }]);
    // Columns are added before old ones are dropped, so `a` still occupies its DuckDB column.
    const altered = withStorageNames([{ name: 'A', type: 'long' }], existing);
    expect(altered.map(storageNameOf)).toEqual(['A~2']);
  });

  it('should step over suffixed names that are taken too', () => {
    const columns = withStorageNames([
      { name: 'a~2', type: 'long' },
      { name: 'a', type: 'long' },
      { name: 'A', type: 'long' },
    ]);
    expect(columns.map(storageNameOf)).toEqual(['a~2', 'a', 'A~3']);
  });
});
