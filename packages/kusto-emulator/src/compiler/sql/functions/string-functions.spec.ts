import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

// The reference pages' own examples run in test/reference; these pin down the edges the pages leave implicit.
describe('string functions', () => {
  describe('replace_strings', () => {
    it('should ignore lookups that are not strings and keep text matched by a non-string rewrite', async () => {
      expect(
        await kql.rows(
          `print replace_strings("a cat and a dog", dynamic([1, 'cat', 'dog']), dynamic(['x', 'dog', 2]))`,
        ),
      ).toEqual([['a dog and a dog']]);
    });
  });

  describe('extract_all', () => {
    it('should give null when nothing matches, and whole matches for a regex without groups', async () => {
      expect(await kql.rows(`print extract_all(@"(\\d)", "none"), extract_all(@"\\d+", "a 12 b 3")`)).toEqual(
        [[null, ['12', '3']]],
      );
    });

    it('should refuse a regular expression the engine cannot read, naming it', async () => {
      await expect(kql.rows(`print extract_all(@"(a", "a")`)).rejects.toThrow(
        /extract_all\(\) with the regular expression '\(a' .* is not supported by the embedded engine/,
      );
    });
  });

  describe('indexof', () => {
    it('should answer null for a length below -1 or a negative occurrence', async () => {
      expect(await kql.rows('print indexof("abc", "b", 0, -2), indexof("abc", "b", 0, -1, -1)')).toEqual([
        [null, null],
      ]);
    });
  });

  describe('strrep', () => {
    it('should cap the repetitions at 1024 and answer null for a count below 1', async () => {
      expect(await kql.rows('print strlen(strrep("ab", 5000)), isnull(strrep("ab", 0))')).toEqual([
        [2048, true],
      ]);
    });
  });

  describe('decompression', () => {
    it('should give an empty string (Kusto strings are never null) for text that is not compressed base64', async () => {
      expect(
        await kql.rows(
          'print gzip_decompress_from_base64_string("not base64!"), zlib_decompress_from_base64_string("")',
        ),
      ).toEqual([['', '']]);
    });
  });
});
