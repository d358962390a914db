import { describe, expect, it } from 'vitest';
import { graphqlJs } from './graphql-runtime.js';
import { KnownOperationTypesRule } from './known-operation-types.rule.js';

const { buildSchema, parse, validate } = graphqlJs;

const schema = buildSchema('type Query { a: String }');

describe('KnownOperationTypesRule', () => {
  it('should refuse mutations and subscriptions on a query-only schema', () => {
    const errors = validate(schema, parse('mutation M { __typename } subscription { __typename }'), [
      KnownOperationTypesRule,
    ]);
    expect(errors.map((error) => [error.message, error.locations])).toEqual([
      [
        'The mutation operation is not supported by the schema: kqlgate serves queries only.',
        [{ line: 1, column: 1 }],
      ],
      [
        'The subscription operation is not supported by the schema: kqlgate serves queries only.',
        [{ line: 1, column: 27 }],
      ],
    ]);
  });

  it('should accept queries', () => {
    expect(validate(schema, parse('{ a } query Q { __typename }'), [KnownOperationTypesRule])).toEqual([]);
  });
});
