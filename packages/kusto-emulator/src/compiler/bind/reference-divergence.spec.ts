import { describe, expect, it } from 'vitest';
import { compileErrorOf } from '../../../test/utils/compile-error.js';
import { useKqlEvaluator } from '../../../test/utils/kql-evaluator.js';
import { contradictedByReference } from './reference-divergence.js';

const kql = useKqlEvaluator();

describe(contradictedByReference.name, () => {
  describe('make_timespan with a real second', () => {
    it('should answer the reference example (day, hour, minute, real second)', async () => {
      expect(await kql.value("print ['timespan'] = make_timespan(1,12,30,55.123)")).toBe(
        '1.12:30:55.1230000',
      );
    });

    it('should answer (hour, minute, real second)', async () => {
      expect(await kql.value('print make_timespan(12, 30, 15.5)')).toBe('12:30:15.5000000');
    });

    it('should answer integer seconds and the (hour, minute) form as before', async () => {
      expect(await kql.value('print make_timespan(1, 2, 3, 4)')).toBe('1.02:03:04');
      expect(await kql.value('print make_timespan(2, 30)')).toBe('02:30:00');
    });

    it('should keep the error for a real minute', () => {
      const error = compileErrorOf('print make_timespan(12, 30.5, 15)');
      expect(error.code).toBe('SEMANTIC');
      expect(error.message).toBe("KS134: The expression value must be an integer. (near '30.5') (at 1:25)");
    });

    it('should keep the error for a second that is no number', () => {
      const error = compileErrorOf('print make_timespan(12, 30, "15")');
      expect(error.code).toBe('SEMANTIC');
      expect(error.message).toBe('KS134: The expression value must be an integer. (near \'"15"\') (at 1:29)');
    });
  });
});
