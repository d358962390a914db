import { describe, expect, it } from 'vitest';
import { graphqlJs } from './graphql-runtime.js';
import { KnownOperationTypesRule, SubscriptionsOnlyRule } from './known-operation-types.rule.js';

const { buildSchema, parse, validate } = graphqlJs;

const queryOnly = buildSchema('type Query { a: String }');
const live = buildSchema('type Query { a: String } type Subscription { a: String }');

describe('KnownOperationTypesRule', () => {
  it('should refuse mutations on a query-only schema and subscriptions over HTTP', () => {
    const errors = validate(live, parse('mutation M { __typename } subscription { a }'), [
      KnownOperationTypesRule,
    ]);
    expect(errors.map((error) => [error.message, error.locations])).toEqual([
      [
        'The mutation operation is not supported by the schema: kqlgate serves queries only.',
        [{ line: 1, column: 1 }],
      ],
      [
        'The subscription operation is served over WebSocket (the graphql-ws protocol) at /graphql, not over HTTP.',
        [{ line: 1, column: 27 }],
      ],
    ]);
  });

  it('should accept queries', () => {
    expect(validate(queryOnly, parse('{ a } query Q { __typename }'), [KnownOperationTypesRule])).toEqual([]);
  });
});

describe('SubscriptionsOnlyRule', () => {
  it('should refuse queries and mutations over WebSocket', () => {
    const errors = validate(live, parse('{ a } mutation M { __typename }'), [SubscriptionsOnlyRule]);
    expect(errors.map((error) => error.message)).toEqual([
      'The query operation is served over HTTP (POST /graphql); this WebSocket carries subscriptions only.',
      'The mutation operation is served over HTTP (POST /graphql); this WebSocket carries subscriptions only.',
    ]);
  });

  it('should refuse a subscription when no function is exposed', () => {
    expect(
      validate(queryOnly, parse('subscription { a }'), [SubscriptionsOnlyRule]).map((error) => error.message),
    ).toEqual(['The subscription operation is not supported by the schema: no function is exposed.']);
  });

  it('should accept subscriptions', () => {
    expect(validate(live, parse('subscription S { a }'), [SubscriptionsOnlyRule])).toEqual([]);
  });
});
