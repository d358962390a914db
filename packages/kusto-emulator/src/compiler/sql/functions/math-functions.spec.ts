import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

describe('math functions', () => {
  it('should compute the bitwise functions on longs', async () => {
    expect(
      await kql.rows(
        'print binary_and(6, 3), binary_or(6, 3), binary_xor(6, 3), binary_not(0), binary_shift_left(1, 62), binary_shift_right(-8, 1), bitset_count_ones(255)',
      ),
    ).toEqual([[2, 7, 5, -1, 4611686018427387904, -4, 8]]);
  });

  it('should give null for a shift it cannot define', async () => {
    expect(await kql.value('print binary_shift_left(1, 64)')).toBeNull();
  });

  it('should give NaN outside the domain of asin and acos instead of failing', async () => {
    expect(await kql.rows('print asin(0.5), acos(1), isnan(asin(2)), isnan(acos(-1.5))')).toEqual([
      [Math.asin(0.5), 0, true, true],
    ]);
  });

  it('should convert angles and compute gamma, loggamma and cot', async () => {
    const [[deg, rad, gamma, lgamma, cot]] = (await kql.rows(
      'print degrees(pi()), radians(180), gamma(5), loggamma(5), cot(1)',
    )) as number[][];
    expect([deg, rad, gamma]).toEqual([180, Math.PI, 24]);
    expect(lgamma).toBeCloseTo(Math.log(24), 12);
    expect(cot).toBeCloseTo(1 / Math.tan(1), 12);
  });

  it('should test around() on numbers and datetimes, ends included', async () => {
    expect(
      await kql.rows(
        'print around(1.5, 1, 0.5), around(2, 1, 0.5), around(datetime(2021-01-01 01:29), datetime(2021-01-01 01:30), 1min)',
      ),
    ).toEqual([[true, false, true]]);
  });
});
