import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

describe('series functions', () => {
  it('should apply a unary function to each element, null where the scalar function gives null', async () => {
    expect(
      await kql.rows(
        'print series_abs(dynamic([-1.5, 2, null])), series_log(dynamic([1, 0, -1])), series_sign(dynamic([-3, 0, 4]))',
      ),
    ).toEqual([
      [
        [1.5, 2, null],
        [0, null, null],
        [-1, 0, 1],
      ],
    ]);
  });

  it('should compare two series element by element, or a series with a scalar', async () => {
    expect(
      await kql.rows(
        'print series_greater(dynamic([1, 2, 4]), dynamic([4, 2, 1])), series_less_equals(dynamic([1, 2, 4]), 2), series_not_equals(2, dynamic([1, 2]))',
      ),
    ).toEqual([
      [
        [false, false, true],
        [true, true, false],
        [true, false],
      ],
    ]);
  });

  it('should reduce a series, skipping missing elements', async () => {
    expect(
      await kql.rows(
        'print series_sum(dynamic([1, null, 2])), series_product(dynamic([2, 3, 4])), series_magnitude(dynamic([3, 4])), series_dot_product(dynamic([1, 2]), dynamic([3, 4])), series_dot_product(dynamic([1, 2]), 3)',
      ),
    ).toEqual([[3, 24, 5, 11, 9]]);
  });

  it('should compute the cosine similarity and the Pearson correlation of two series', async () => {
    const [[cosine, pearson]] = (await kql.rows(
      'print series_cosine_similarity(dynamic([1, 0]), dynamic([1, 1])), series_pearson_correlation(dynamic([1, 2, 3]), dynamic([3, 2, 1]))',
    )) as number[][];
    expect(cosine).toBeCloseTo(Math.SQRT1_2, 15);
    expect(pearson).toBeCloseTo(-1, 15);
  });
});
