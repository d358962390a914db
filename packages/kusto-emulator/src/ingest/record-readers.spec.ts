import { describe, expect, it } from 'vitest';
import { readDelimitedRecords, readJsonRecords } from './record-readers.js';

describe(readJsonRecords.name, () => {
  it('should read JSON lines, pretty-printed objects and arrays', () => {
    expect(readJsonRecords('{"a":1}\n\n{"a":2}\n', 'json')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(readJsonRecords('{\n "a": "}"\n}\n{"a": 2}', 'json')).toEqual([{ a: '}' }, { a: 2 }]);
    expect(readJsonRecords('[{"a":1},{"a":2}] {"a":3}', 'multijson')).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
  });

  it('should name the record and position of malformed JSON', () => {
    expect(() => readJsonRecords('{"a":1}\n{"a":}', 'json')).toThrow(
      /^Malformed JSON in record 2 at line 2, position 1: /,
    );
    expect(() => readJsonRecords('{"a":1', 'multijson')).toThrow(
      'Malformed JSON in record 1 at line 1, position 1: the JSON value is not closed (truncated body?). Nothing was ingested.',
    );
    expect(() => readJsonRecords('{"a":1}\nx', 'json')).toThrow(
      "Malformed JSON in record 2 at line 2, position 1: unexpected character 'x' where a JSON object should start. Nothing was ingested.",
    );
  });
});

describe(readDelimitedRecords.name, () => {
  it('should read RFC 4180 CSV with quotes, doubled quotes and embedded newlines', () => {
    expect(readDelimitedRecords('a,"b ""q"", c","x\ny"\r\n\n1,,3', 'csv')).toEqual([
      ['a', 'b "q", c', 'x\ny'],
      ['1', '', '3'],
    ]);
  });

  it('should use the format delimiter', () => {
    expect(readDelimitedRecords('a\tb\n', 'tsv')).toEqual([['a', 'b']]);
    expect(readDelimitedRecords('a|b', 'psv')).toEqual([['a', 'b']]);
  });

  it('should reject an unclosed quoted field', () => {
    expect(() => readDelimitedRecords('a,"b\n', 'csv')).toThrow(
      'Malformed CSV: a quoted field in record 1 is not closed. Nothing was ingested.',
    );
  });
});
