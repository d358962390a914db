import { describe, expect, it } from 'vitest';
import type { TableEntry } from '../storage/catalog-types.js';
import { compileJsonPath, createRowMapper, parseMappingDefinition } from './ingestion-mapping.js';

const table: TableEntry = {
  name: 'T',
  columns: [
    { name: 'Id', type: 'string' },
    { name: 'Ts', type: 'datetime' },
    { name: 'Qty', type: 'int' },
    { name: 'Src', type: 'string' },
  ],
};

describe(compileJsonPath.name, () => {
  it('should follow properties, bracketed names and array indexes', () => {
    const record = { a: { 'b c': [{ d: 1 }, { d: 2 }] } };
    expect(compileJsonPath("$.a['b c'][1].d")?.(record)).toBe(2);
    expect(compileJsonPath('$.a.missing.x')?.(record)).toBeUndefined();
    expect(compileJsonPath('$')?.(record)).toBe(record);
    expect(compileJsonPath('a.b')).toBeUndefined();
  });
});

describe(parseMappingDefinition.name, () => {
  it('should accept the legacy path spelling and reject unknown columns and transforms', () => {
    expect(parseMappingDefinition('[{"column":"Id","path":"$.id"}]', 'Json', table, 'm')).toEqual([
      { column: 'Id', Properties: { Path: '$.id' } },
    ]);
    expect(() =>
      parseMappingDefinition('[{"column":"Nope","Properties":{"Path":"$.x"}}]', 'Json', table, 'm'),
    ).toThrow("Ingestion mapping 'm' is invalid: column 'Nope' (element 0) does not exist in table 'T'.");
    expect(() =>
      parseMappingDefinition(
        '[{"column":"Ts","Properties":{"Path":"$.t","Transform":"Magic"}}]',
        'Json',
        table,
        'm',
      ),
    ).toThrow(/^Ingestion mapping 'm' is invalid: transform 'Magic' of column 'Ts' is not supported/);
    expect(() => parseMappingDefinition('[{"column":"Id","Properties":{}}]', 'Csv', table, 'c')).toThrow(
      "Ingestion mapping 'c' is invalid: column 'Id' needs a non-negative integer Ordinal or a ConstValue.",
    );
  });
});

describe(createRowMapper.name, () => {
  it('should apply paths, constants, unix-time transforms and line numbers', () => {
    const mapping = parseMappingDefinition(
      '[{"column":"Id","Properties":{"Path":"$.id"}},{"column":"Ts","Properties":{"Path":"$.t","Transform":"DateTimeFromUnixMilliseconds"}},{"column":"Qty","Properties":{"Transform":"SourceLineNumber"}},{"column":"Src","Properties":{"ConstValue":"api"}}]',
      'Json',
      table,
      'm',
    );
    expect(createRowMapper(table, 'Json', mapping)({ id: 'x', t: 1714566896789 }, 3)).toEqual([
      'x',
      '638501636967890000',
      '3',
      'api',
    ]);
  });

  it('should map by name for JSON and by position for CSV without a mapping', () => {
    expect(createRowMapper(table, 'Json')({ Qty: '5', Id: 'a' }, 1)).toEqual(['a', null, '5', null]);
    expect(createRowMapper(table, 'Csv')(['a', 'bad date', '7'], 1)).toEqual(['a', null, '7', null]);
  });
});
