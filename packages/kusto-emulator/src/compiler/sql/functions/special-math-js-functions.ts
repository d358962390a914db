/**
 * The implementations of special-math-functions.ts over stdlib (`@stdlib/math-base-special-erf`, `-erfc` and the
 * beta distribution's cdf, pdf and quantile), whose double-precision results agree with the reference's printed
 * digits. Out-of-domain arguments give what the reference documents: NaN for an x outside [0, 1] or a shape
 * parameter that is not positive, null for a probability outside [0, 1] given to beta_inv; a null argument gives
 * null.
 */
import erf from '@stdlib/math-base-special-erf';
import erfc from '@stdlib/math-base-special-erfc';
import betaCdf from '@stdlib/stats-base-dists-beta-cdf';
import betaPdf from '@stdlib/stats-base-dists-beta-pdf';
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import { SPECIAL_MATH_FUNCTION_RESULTS, type SpecialMathFunctionName } from './special-math-functions.js';
import {
  jsScalarFunctions,
  type JsScalarArgument,
  type JsScalarFunction,
  type JsScalarResult,
} from './js-scalar-function.js';

const numbers = (args: readonly JsScalarArgument[]): number[] | undefined =>
  args.every((a) => typeof a === 'number') ? (args as number[]) : undefined;

const inUnitInterval = (x: number): boolean => x >= 0 && x <= 1;

/** A beta distribution function of (x, alpha, beta): NaN outside its domain, as the reference shows. */
const beta =
  (f: (x: number, alpha: number, beta: number) => number) =>
  (x: number, alpha: number, b: number): number =>
    inUnitInterval(x) && alpha > 0 && b > 0 ? f(x, alpha, b) : NaN;

const CALLS: Readonly<Record<SpecialMathFunctionName, (args: number[]) => JsScalarResult>> = {
  erf: ([x]) => erf(x),
  erfc: ([x]) => erfc(x),
  beta_cdf: ([x, a, b]) => beta(betaCdf)(x, a, b),
  beta_pdf: ([x, a, b]) => beta(betaPdf)(x, a, b),
  beta_inv: ([p, a, b]) => (inUnitInterval(p) ? beta(betaQuantile)(p, a, b) : null),
};

/** A null or non-numeric argument gives null. */
const numeric =
  (call: (values: number[]) => JsScalarResult) =>
  (args: readonly JsScalarArgument[]): JsScalarResult => {
    const values = numbers(args);
    return values ? call(values) : null;
  };

export const SPECIAL_MATH_JS_FUNCTIONS: readonly JsScalarFunction[] = jsScalarFunctions(
  SPECIAL_MATH_FUNCTION_RESULTS,
  {
    erf: numeric(CALLS.erf),
    erfc: numeric(CALLS.erfc),
    beta_cdf: numeric(CALLS.beta_cdf),
    beta_pdf: numeric(CALLS.beta_pdf),
    beta_inv: numeric(CALLS.beta_inv),
  },
);
