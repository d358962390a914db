import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

describe('unicode and hash functions', () => {
  describe('hash / hash_xxhash64', () => {
    // The reference's documented outputs; the results are longs beyond 2^53, so compared as text.
    it('should give ADX xxhash64 values for strings and datetimes', async () => {
      const [[world, date, mod]] = await kql.rows(
        'print tostring(hash("World")), tostring(hash_xxhash64(datetime(2015-01-01))), hash("World", 100)',
      );
      expect([world, date, mod]).toEqual(['1846988464401551951', '1380966698541616202', 51]);
    });

    it('should keep a hash with mod in 0..mod-1 when the hash is negative', async () => {
      const [[signed, bucket]] = (await kql.rows('print hash("Kusto") < 0, hash("Kusto", 7)')) as [
        boolean,
        number,
      ][];
      expect(signed).toBe(true);
      expect(bucket).toBeGreaterThanOrEqual(0);
      expect(bucket).toBeLessThan(7);
    });

    it('should refuse input types whose hashed bytes are not documented', async () => {
      await expect(kql.rows('print hash(42)')).rejects.toThrow(/function hash\(\) is not supported/);
    });
  });

  describe('digests', () => {
    it('should hash a datetime as its Kusto text', async () => {
      expect(await kql.rows('print hash_md5(datetime(2020-01-01)), hash_sha1("World")')).toEqual([
        ['786c530672d1f8db31fee25ea8a9390b', '70c07ec18ef89c5309bbb0937f3a6342411e1fdd'],
      ]);
    });
  });

  describe('unicode_codepoints_* / base64 bytes and GUIDs', () => {
    it('should round-trip code points, from numbers and arrays mixed', async () => {
      expect(await kql.value('print unicode_codepoints_from_string("⒦ K")')).toEqual([9382, 32, 75]);
      expect(
        await kql.value('print unicode_codepoints_to_string(dynamic([75, 117]), 115, range(116, 116))'),
      ).toBe('Kust');
    });

    it('should decode base64 to bytes and back, and give null or empty for what is not base64', async () => {
      expect(await kql.value('print base64_decode_toarray("S3VzdG8=")')).toEqual([75, 117, 115, 116, 111]);
      expect(await kql.value('print base64_decode_toarray("S3VzdG8")')).toBeNull();
      expect(await kql.value('print base64_encode_fromarray(dynamic([75, 117, 115, 116, 111]))')).toBe(
        'S3VzdG8=',
      );
      expect(await kql.value('print base64_decode_tostring("U3RyaW5n0KHR0tGA0L7Rh9C60LA=")')).toBe('');
    });

    it('should read and write GUID bytes in .NET order', async () => {
      expect(
        await kql.value('print base64_encode_fromguid(toguid("ae3133f2-6e22-49ae-b06a-16e6a9b212eb"))'),
      ).toBe('8jMxriJurkmwahbmqbIS6w==');
      expect(await kql.value('print tostring(base64_decode_toguid("8jMxriJurkmwahbmqbIS6w=="))')).toBe(
        'ae3133f2-6e22-49ae-b06a-16e6a9b212eb',
      );
      expect(await kql.value('print isnull(base64_decode_toguid("abcd1231"))')).toBe(true);
    });
  });
});
