import { describe, expect, it } from 'vitest';
import type { DocumentMeasure } from './document-measure.js';
import { graphqlJs } from './graphql-runtime.js';
import { DEFAULT_QUERY_LIMITS } from './query-limits.js';
import { queryLimitsRule } from './query-limits.rule.js';

const { buildSchema, parse, specifiedRules, validate } = graphqlJs;

const schema = buildSchema('type Row { A: String } type Query { G: [Row] }');
const limits = { ...DEFAULT_QUERY_LIMITS, maxFields: 2_000, maxRepeatedFields: 50 };

describe('queryLimitsRule', () => {
  it('should stop validation of a refused document before the other rules walk it', () => {
    // 500 same-named fields: OverlappingFieldsCanBeMerged alone compares them pairwise until its own budget aborts.
    const document = parse(`{ ${'G { A } '.repeat(500)}}`);
    const errors = validate(schema, document, [...specifiedRules, queryLimitsRule(limits)]);
    expect(errors.map((error) => error.message)).toEqual([
      'query selects 499 fields under a response name already selected in the same selection set, more than the limit of 50 (select each field once)',
    ]);
    expect(errors[0].extensions).toEqual({
      code: 'QUERY_REPEATED_FIELD_LIMIT_EXCEEDED',
      repeatedFields: 499,
      maxRepeatedFields: 50,
      http: { status: 400 },
    });
  });

  it('should let the other rules report a document within the limits, and keep its measure', () => {
    const measures = new WeakMap<object, DocumentMeasure>();
    const document = parse('{ G { A B } }');
    const errors = validate(schema, document, [...specifiedRules, queryLimitsRule(limits, measures)]);
    expect(errors.map((error) => error.message)).toEqual([
      'Cannot query field "B" on type "Row". Did you mean "A"?',
    ]);
    expect(measures.get(document)).toMatchObject({ fields: 3, aliases: 0, repeatedFields: 0 });
  });

  it('should report every limit a document is over', () => {
    const document = parse(`{ ${Array.from({ length: 60 }, (_, i) => `a${i}: G { A }`).join(' ')} }`);
    const errors = validate(schema, document, [queryLimitsRule({ ...limits, maxFields: 100 })]);
    expect(errors.map((error) => error.extensions.code)).toEqual([
      'QUERY_ALIAS_LIMIT_EXCEEDED',
      'QUERY_FIELD_LIMIT_EXCEEDED',
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      'query has 60 aliases, more than the limit of 50 (a fragment counts each time it is spread)',
      'query selects 120 fields, more than the limit of 100 (a fragment counts each time it is spread; split the query or select fewer fields)',
    ]);
  });
});
