import type { DocumentNode, ValidationRule } from 'graphql';
import { measureDocument, type DocumentMeasure } from './document-measure.js';
import { documentLimitErrors, type QueryLimits } from './query-limits.js';

/** Measures of the documents that passed the rule, for the per-operation checks of query-limits.plugin.ts. */
export type DocumentMeasures = WeakMap<DocumentNode, DocumentMeasure>;

/**
 * Validation rule refusing a document over its field, alias or repeated-field limit before the other rules do
 * their work. It measures the whole document when the visit enters it — before any rule has seen a selection
 * set — and on a refusal returns `null` for the document node: in graphql-js's visitor that removes the node from
 * the visit, so the traversal of its tree stops for every rule at once, and the pairwise comparisons of
 * OverlappingFieldsCanBeMerged (quadratic in repeated fields) never start. The document's other rules that act
 * on entering the document itself are linear and cheap.
 *
 * A plain graphql-js rule, usable by any server that validates with graphql-js; Apollo wraps its errors as
 * GRAPHQL_VALIDATION_FAILED, so the server gives them their own codes back (queryLimitsFormatError).
 */
export function queryLimitsRule(limits: QueryLimits, measures?: DocumentMeasures): ValidationRule {
  return (context) => ({
    Document(document) {
      const measure = measureDocument(context.getSchema(), document);
      const errors = documentLimitErrors(measure, limits);
      if (errors.length === 0) {
        measures?.set(document, measure);
        return undefined;
      }
      for (const error of errors) {
        context.reportError(error);
      }
      return null;
    },
  });
}
