/**
 * How a reference case came out on the engine. The rule the suite enforces: the engine either answers as the
 * page documents or refuses with its clear "not supported by the embedded engine" error — a different answer
 * while claiming support (`wrong`) fails the suite.
 */
import { type ActualTable, type ReferenceCase, diffResult } from './reference-case.js';

export type OutcomeStatus =
  /** Values, column names, order (where ordered) and documented types as on the page. */
  | 'pass'
  /** The engine refused with its clear unsupported error. */
  | 'unsupported'
  /** The page's output is marked wrong (the reason is in the case); not judged. */
  | 'docError'
  /** The engine failed with another error: not a wrong answer, but not the clear refusal either. */
  | 'failed'
  /** A different answer while claiming support. */
  | 'wrong';

export interface CaseOutcome {
  family: string;
  page: string;
  title: string;
  name: string;
  status: OutcomeStatus;
  /** What differed, or the error the engine gave. */
  detail?: string;
}

/** The engine's clear refusal (KqlCompileError.unsupported and the operator/function gates of the compiler). */
export const UNSUPPORTED_PATTERN = /is not supported by the embedded engine/;

export type EngineAnswer = { tables: ActualTable[] } | { error: string };

export function classify(family: string, c: ReferenceCase, answer: EngineAnswer): CaseOutcome {
  const base = { family, page: c.page, title: c.title, name: c.name };
  if (c.docError !== undefined) {
    return { ...base, status: 'docError', detail: c.docError };
  }
  if ('error' in answer) {
    if (UNSUPPORTED_PATTERN.test(answer.error)) {
      return { ...base, status: 'unsupported', detail: answer.error };
    }
    // A page documenting an error: any error other than the refusal is the documented behaviour.
    return c.expect.error !== undefined
      ? { ...base, status: 'pass' }
      : { ...base, status: 'failed', detail: answer.error };
  }
  if (c.expect.error !== undefined) {
    return {
      ...base,
      status: 'wrong',
      detail: `the page documents an error, the engine answered ${JSON.stringify(answer.tables).slice(0, 400)}`,
    };
  }
  const problems = diffResult(c, answer.tables);
  return problems.length === 0
    ? { ...base, status: 'pass' }
    : { ...base, status: 'wrong', detail: problems.join('\n') };
}
