import { describe, expect, it } from 'vitest';
import { useKqlEvaluator } from '../../../../test/utils/kql-evaluator.js';

const kql = useKqlEvaluator();

describe('special math functions', () => {
  it('should compute erf and erfc, and null for a null argument', async () => {
    const [[erf1, erfc2, none]] = (await kql.rows('print erf(1), erfc(2), erf(real(null))')) as number[][];
    expect(erf1).toBeCloseTo(0.842700792949715, 15);
    expect(erfc2).toBeCloseTo(0.00467773498104727, 17);
    expect(none).toBeNull();
  });

  it('should compute the beta distribution inside its domain', async () => {
    const [[cdf, pdf, inv]] = (await kql.rows(
      'print beta_cdf(0.5, 2.0, 2.0), beta_pdf(0.5, 2.0, 2.0), beta_inv(0.5, 2.0, 2.0)',
    )) as number[][];
    expect(cdf).toBeCloseTo(0.5, 15);
    expect(pdf).toBeCloseTo(1.5, 14);
    expect(inv).toBeCloseTo(0.5, 14);
  });

  it('should give NaN outside the domain, and null for beta_inv of a probability outside [0, 1]', async () => {
    const [[x, alpha, p]] = (await kql.rows(
      'print isnan(beta_cdf(1.5, 2.0, 2.0)), isnan(beta_pdf(0.5, -1.0, 2.0)), isnull(beta_inv(1.5, 2.0, 2.0))',
    )) as boolean[][];
    expect([x, alpha, p]).toEqual([true, true, true]);
  });
});
