import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

const json = (q: string): Promise<unknown> => kql.value(q);

describe('array functions', () => {
  describe('array_sort_asc / array_sort_desc', () => {
    it('should sort numbers by value, not by their text', async () => {
      expect(await json('print array_sort_asc(dynamic([10, 2, 1.5, 30]))')).toEqual([1.5, 2, 10, 30]);
      expect(await json('print array_sort_desc(dynamic([10, 2, 1.5, 30]))')).toEqual([30, 10, 2, 1.5]);
    });

    it('should put nulls last unless asked otherwise, and numbers before strings', async () => {
      expect(await json('print array_sort_asc(dynamic([null, "b", 3, "a"]))')).toEqual([3, 'a', 'b', null]);
      expect(await json('print array_sort_asc(dynamic([null, "b", "a"]), false)')).toEqual([null, 'a', 'b']);
    });

    it('should refuse several arrays', async () => {
      await expect(kql.rows('print array_sort_asc(dynamic([2, 1]), dynamic(["b", "a"]))')).rejects.toThrow(
        /array_sort_asc\(\) with 2 arguments is not supported by the embedded engine/,
      );
    });
  });

  describe('array_slice', () => {
    it('should read negative indices from the end with an inclusive end', async () => {
      expect(await json('print array_slice(dynamic([1,2,3,4,5]), 2, -1)')).toEqual([3, 4, 5]);
      expect(await json('print array_slice(dynamic([1,2,3,4,5]), -3, -2)')).toEqual([3, 4]);
      expect(await json('print array_slice(dynamic([1,2,3,4,5]), 1, 2)')).toEqual([2, 3]);
    });
  });

  describe('array_shift_* / array_rotate_*', () => {
    it('should shift with null or the fill value and rotate both ways', async () => {
      expect(await json('print array_shift_left(dynamic([1,2,3,4,5]), 2)')).toEqual([3, 4, 5, null, null]);
      expect(await json('print array_shift_right(dynamic([1,2,3,4,5]), 2, -1)')).toEqual([-1, -1, 1, 2, 3]);
      expect(await json('print array_shift_left(dynamic([1,2,3]), -1, "x")')).toEqual(['x', 1, 2]);
      expect(await json('print array_rotate_left(dynamic([1,2,3,4,5]), -2)')).toEqual([4, 5, 1, 2, 3]);
      expect(await json('print array_rotate_right(dynamic([1,2,3,4,5]), 7)')).toEqual([4, 5, 1, 2, 3]);
    });

    it('should refuse a fill value whose dynamic form it cannot write', async () => {
      await expect(kql.rows('print array_shift_left(dynamic([1]), 1, decimal(1))')).rejects.toThrow(
        /not supported by the embedded engine/,
      );
    });
  });

  describe('array_iff / array_split / array_index_of / array_reverse', () => {
    it('should pick per element, treating non-zero numbers as true', async () => {
      expect(await json('print array_iff(dynamic([1, 0, true, "x"]), "yes", dynamic([7, 8, 9]))')).toEqual([
        'yes',
        8,
        'yes',
        null,
      ]);
    });

    it('should split at one index or several', async () => {
      expect(await json('print array_split(dynamic([1,2,3,4,5]), dynamic([1, -2]))')).toEqual([
        [1],
        [2, 3],
        [4, 5],
      ]);
    });

    it('should search a range for the n-th occurrence', async () => {
      const arr = 'dynamic(["a", "b", "a", "c", "a"])';
      expect(await kql.value(`print array_index_of(${arr}, "a", 1, -1, 2)`)).toBe(4);
      expect(await kql.value(`print array_index_of(${arr}, "a", -2)`)).toBe(4);
      expect(await kql.value(`print array_index_of(${arr}, "c", 0, 3)`)).toBe(-1);
      expect(await json(`print array_reverse(${arr})`)).toEqual(['a', 'c', 'a', 'b', 'a']);
    });
  });

  describe('set_* / zip / jaccard_index / strcat_array / repeat / range', () => {
    it('should keep distinct elements in first-seen order', async () => {
      expect(await json('print set_union(dynamic([1,2,1]), dynamic([3,2]))')).toEqual([1, 2, 3]);
      expect(await json('print set_intersect(dynamic([3,1,2,1]), dynamic([1,3]), dynamic([1,3,9]))')).toEqual(
        [3, 1],
      );
      expect(await json('print set_difference(dynamic([1,2,3,2]), dynamic([1]))')).toEqual([2, 3]);
      expect(await kql.value('print jaccard_index(dynamic([1,2,3]), dynamic([1,2,3,4]))')).toBe(0.75);
    });

    it('should zip to the longest array and join as strings', async () => {
      expect(await json('print zip(dynamic([1,2]), dynamic(["a"]))')).toEqual([
        [1, 'a'],
        [2, null],
      ]);
      expect(await kql.value('print strcat_array(dynamic([1, "a", 2.5]), "-")')).toBe('1-a-2.5');
    });

    it('should repeat and range with ADX types and its 2^20 cap', async () => {
      expect(await json('print repeat("x", 2)')).toEqual(['x', 'x']);
      expect(await json('print range(1, 7, 3)')).toEqual([1, 4, 7]);
      expect(await json('print range(5, 1, -2)')).toEqual([5, 3, 1]);
      expect(await json('print range(1h, 3h)')).toEqual(['01:00:00', '02:00:00', '03:00:00']);
      expect(await kql.value('print r = range(1, 1000000000) | mv-expand r | count')).toBe(1048576);
    });
  });

  describe('bag_*', () => {
    it('should zip keys and values, skipping non-string keys', async () => {
      expect(await json('print bag_zip(dynamic(["a", 8, "b"]), dynamic([1, "2"]))')).toEqual({
        a: 1,
        b: null,
      });
      expect(
        await json('datatable(k: dynamic, v: dynamic) [dynamic("a"), dynamic([1])] | project bag_zip(k, v)'),
      ).toBeNull();
    });

    it('should test, remove and merge keys by name or $.path', async () => {
      const bag = 'dynamic({"k1": 1, "k2": {"p1": "a", "p2": "b"}, "k3": [1]})';
      expect(await kql.value(`print bag_has_key(${bag}, "$.k2.p1")`)).toBe(true);
      expect(await kql.value(`print bag_has_key(${bag}, "p1")`)).toBe(false);
      expect(await json(`print bag_remove_keys(${bag}, dynamic(["$.k2.p1", "k3", "$.k3.x", "zz"]))`)).toEqual(
        {
          k1: 1,
          k2: { p2: 'b' },
        },
      );
      expect(await json('print bag_merge(dynamic({"a": 1, "b": 2}), dynamic({"a": 9, "c": 3}))')).toEqual({
        a: 1,
        b: 2,
        c: 3,
      });
    });

    it('should refuse a bag key path it cannot read', async () => {
      await expect(kql.rows('print bag_has_key(dynamic({"a": [1]}), "$.a[0]")')).rejects.toThrow(
        /bag key \$\.a\[0\] is not supported by the embedded engine/,
      );
    });

    it('should pack columns under their own names', async () => {
      expect(await kql.rows('print A = 1, B = "x" | project P = bag_pack_columns(A, B)')).toEqual([
        [{ A: 1, B: 'x' }],
      ]);
    });
  });
});
