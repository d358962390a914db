import type { ValueNode } from 'graphql';
import { graphqlJs } from './graphql-runtime.js';
import { parseDatetime, parseTimespanTicks, formatTimespanTicks } from '@kqlgate/kql-language';

const { GraphQLError, GraphQLScalarType, Kind } = graphqlJs;

/**
 * Scalars for the Kusto types GraphQL lacks. Inputs are validated here (a bad literal fails validation before any
 * query runs) and again by the parameter binder, which is the one authority for what reaches the engine.
 */

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A Kusto datetime as an ISO-8601 UTC string, e.g. 2024-05-01T10:00:00.000Z',
  serialize: (value) => value,
  parseValue: (value) => {
    const iso = typeof value === 'string' ? parseDatetime(value) : undefined;
    if (!iso) {
      throw new GraphQLError(`DateTime must be an ISO-8601 string, got ${JSON.stringify(value)}`);
    }
    return iso;
  },
  parseLiteral: (ast) => {
    const iso = ast.kind === Kind.STRING ? parseDatetime(ast.value) : undefined;
    if (!iso) {
      throw new GraphQLError('DateTime must be an ISO-8601 string literal', { nodes: ast });
    }
    return iso;
  },
});

export const TimeSpanScalar = new GraphQLScalarType({
  name: 'TimeSpan',
  description: 'A Kusto timespan: results as [d.]hh:mm:ss[.fffffff]; inputs also as 30m, 1h, 2d or PT1H',
  serialize: (value) => value,
  parseValue: (value) => parseTimespan(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('TimeSpan must be a string literal such as "1h"', { nodes: ast });
    }
    return parseTimespan(ast.value);
  },
});

function parseTimespan(value: unknown): string {
  const ticks = typeof value === 'string' ? parseTimespanTicks(value) : undefined;
  if (ticks === undefined) {
    throw new GraphQLError(
      `TimeSpan must look like 30m, 1h, 1.02:00:00 or PT1H, got ${JSON.stringify(value)}`,
    );
  }
  return formatTimespanTicks(ticks);
}

const LONG_PATTERN = /^[+-]?\d+$/;

export const LongScalar = new GraphQLScalarType({
  name: 'Long',
  description:
    'A Kusto long (64-bit). Serialized as a JSON number when exactly representable (|n| ≤ 2^53), else as a decimal string; accepted as either.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (
      (typeof value === 'number' && Number.isSafeInteger(value)) ||
      (typeof value === 'string' && LONG_PATTERN.test(value))
    ) {
      return String(value);
    }
    throw new GraphQLError(`Long must be an integer or a decimal string, got ${JSON.stringify(value)}`);
  },
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || (ast.kind === Kind.STRING && LONG_PATTERN.test(ast.value))) {
      return ast.value;
    }
    throw new GraphQLError('Long must be an integer literal or a decimal string', { nodes: ast });
  },
});

export const DynamicScalar = new GraphQLScalarType({
  name: 'Dynamic',
  description: 'A Kusto dynamic value: any JSON (object, array, string, number, boolean or null)',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalValue(ast, variables),
});

function literalValue(ast: ValueNode, variables?: { [key: string]: unknown } | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}
