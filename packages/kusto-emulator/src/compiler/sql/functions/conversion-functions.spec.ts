import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

describe('conversion functions', () => {
  describe('todatetime', () => {
    it('should read month-first US dates as ADX does', async () => {
      expect(
        await kql.rows(
          "print todatetime('02/17/2016 08:40:01'), todatetime('12-02-2022'), todatetime('2016-02-17')",
        ),
      ).toEqual([
        ['2016-02-17T08:40:01.0000000Z', '2022-12-02T00:00:00.0000000Z', '2016-02-17T00:00:00.0000000Z'],
      ]);
    });
  });

  describe('tohex', () => {
    it("should print two's complement at the value's width, padded to a minimum length", async () => {
      expect(
        await kql.rows('print tohex(256), tohex(-256), tohex(toint(-256), 8), tohex(256, 8), tohex(256, 2)'),
      ).toEqual([['100', 'ffffffffffffff00', 'ffffff00', '00000100', '100']]);
    });
  });

  describe('gettype', () => {
    it('should name the static type of typed values, nulls included', async () => {
      expect(
        await kql.rows(
          'print gettype("a"), gettype(now()), gettype(1s), gettype(guid(12e8b78d-55b4-46ae-b068-26d7a0080254)), gettype(int(null)), gettype(1.5), gettype(decimal(1))',
        ),
      ).toEqual([['string', 'datetime', 'timespan', 'guid', 'int', 'real', 'decimal']]);
    });

    it('should inspect dynamic values: small whole numbers are int, empty parse is null', async () => {
      expect(
        await kql.rows(
          "print gettype(parse_json('1')), gettype(parse_json('5000000000')), gettype(parse_json('')), gettype(dynamic({})), gettype(dynamic([1]))",
        ),
      ).toEqual([['int', 'long', 'null', 'dictionary', 'array']]);
    });
  });
});
