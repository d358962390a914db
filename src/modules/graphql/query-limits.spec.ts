import { describe, expect, it } from 'vitest';
import { graphqlJs } from './graphql-runtime.js';
import { checkOperationLimits, DEFAULT_QUERY_LIMITS, queryLimitsFormatError } from './query-limits.js';
import { EnvConfig } from '../../config/env.dto.js';

const { GraphQLError, parse } = graphqlJs;

describe('checkOperationLimits', () => {
  it('should throw a coded error with the measured value and the limit', () => {
    const limits = { ...DEFAULT_QUERY_LIMITS, maxDepth: 15, maxCost: 50 };
    expect(() => checkOperationLimits({ depth: 2, cost: 51, introspectionFields: 0 }, limits)).toThrow(
      expect.objectContaining({
        message:
          'query cost 51 exceeds the limit of 50 (the sum of the cost of every function field selected, plus 1 per 10 introspection fields; split the query or select fewer fields)',
        extensions: { code: 'QUERY_COST_LIMIT_EXCEEDED', cost: 51, maxCost: 50, http: { status: 400 } },
      }),
    );
    expect(() => checkOperationLimits({ depth: 16, cost: 0, introspectionFields: 0 }, limits)).toThrow(
      expect.objectContaining({
        message: 'query depth 16 exceeds the limit of 15',
        extensions: { code: 'QUERY_DEPTH_LIMIT_EXCEEDED', depth: 16, maxDepth: 15, http: { status: 400 } },
      }),
    );
    expect(() => checkOperationLimits({ depth: 15, cost: 50, introspectionFields: 0 }, limits)).not.toThrow();
  });
});

describe('queryLimitsFormatError', () => {
  const formatError = queryLimitsFormatError({ ...DEFAULT_QUERY_LIMITS, maxTokens: 100 });

  it('should give a limit error wrapped as a validation error its own code back', () => {
    const ours = new GraphQLError('query has 60 aliases…', {
      extensions: { code: 'QUERY_ALIAS_LIMIT_EXCEEDED' },
    });
    const wrapped = new GraphQLError(ours.message, {
      originalError: ours,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(
      formatError(
        { message: ours.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', aliases: 60 } },
        wrapped,
      ),
    ).toEqual({ message: ours.message, extensions: { code: 'QUERY_ALIAS_LIMIT_EXCEEDED', aliases: 60 } });
  });

  it("should turn graphql-js's token-limit syntax error into a limit error", () => {
    let syntaxError: unknown;
    try {
      parse(`{ ${'a '.repeat(200)}}`, { maxTokens: 100 });
    } catch (error) {
      syntaxError = error;
    }
    const wrapped = new GraphQLError('Syntax Error: …', {
      originalError: syntaxError as Error,
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    const locations = [{ line: 1, column: 201 }];
    expect(
      formatError(
        { message: 'Syntax Error: …', locations, extensions: { code: 'GRAPHQL_PARSE_FAILED' } },
        wrapped,
      ),
    ).toEqual({
      message:
        'query is longer than the limit of 100 tokens (names, punctuation and values); parsing stopped at the first token over it',
      locations,
      extensions: { code: 'QUERY_TOKEN_LIMIT_EXCEEDED', maxTokens: 100 },
    });
  });

  it('should leave other errors as they are', () => {
    const formatted = { message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    const other = new GraphQLError('Cannot query field', { originalError: new Error('x') });
    expect(formatError(formatted, other)).toBe(formatted);
    expect(formatError(formatted, new Error('x'))).toBe(formatted);
    const syntax = new GraphQLError('Syntax Error: Expected Name, found <EOF>.', {
      originalError: new GraphQLError('Syntax Error: Expected Name, found <EOF>.'),
    });
    expect(formatError(formatted, syntax)).toBe(formatted);
  });
});

describe('DEFAULT_QUERY_LIMITS', () => {
  it('should match the defaults of the environment settings', () => {
    const env = new EnvConfig();
    expect({
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxFields: env.GRAPHQL_MAX_FIELDS,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxResponseBytes: env.GRAPHQL_MAX_RESPONSE_BYTES,
    }).toEqual({
      maxTokens: DEFAULT_QUERY_LIMITS.maxTokens,
      maxFields: DEFAULT_QUERY_LIMITS.maxFields,
      maxAliases: DEFAULT_QUERY_LIMITS.maxAliases,
      maxResponseBytes: DEFAULT_QUERY_LIMITS.maxResponseBytes,
    });
  });
});
