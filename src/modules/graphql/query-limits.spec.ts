import { describe, expect, it } from 'vitest';
import { graphqlJs } from './graphql-runtime.js';
import { COST_EXTENSION, checkLimits, measureOperation, type OperationMeasure } from './query-limits.js';

const { GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString, Kind, parse } = graphqlJs;

const row = new GraphQLObjectType({ name: 'Row', fields: { A: { type: GraphQLString } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      Cheap: { type: new GraphQLList(row), extensions: { [COST_EXTENSION]: 1 } },
      Heavy: { type: new GraphQLList(row), extensions: { [COST_EXTENSION]: 8 } },
    },
  }),
});

function measure(text: string, operationName?: string): OperationMeasure {
  const document = parse(text);
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (operation?.kind !== Kind.OPERATION_DEFINITION) {
    throw new Error(`no operation ${operationName}`);
  }
  return measureOperation(schema, document, operation);
}

describe('measureOperation', () => {
  it('should count every aliased field and every fragment spread', () => {
    expect(measure('{ a: Heavy { A } b: Heavy { A } Cheap { A } }')).toEqual({ depth: 2, cost: 17 });
    expect(measure('{ ...F ... on Query { ...F } } fragment F on Query { Heavy { A } }')).toEqual({
      depth: 2,
      cost: 16,
    });
  });

  it('should measure only the operation that runs', () => {
    const text = 'query Small { Cheap { A } } query Big { a: Heavy { A } b: Heavy { A } }';
    expect(measure(text, 'Small').cost).toBe(1);
    expect(measure(text, 'Big').cost).toBe(16);
  });

  it('should give introspection no cost', () => {
    expect(measure('{ __schema { types { name } } __typename }')).toEqual({ depth: 3, cost: 0 });
  });
});

describe('checkLimits', () => {
  it('should throw a coded error with the measured value and the limit', () => {
    expect(() => checkLimits({ depth: 2, cost: 51 }, { maxDepth: 15, maxCost: 50 })).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(/^query cost 51 exceeds the limit of 50 /) as unknown,
        extensions: { code: 'QUERY_COST_LIMIT_EXCEEDED', cost: 51, maxCost: 50, http: { status: 400 } },
      }),
    );
    expect(() => checkLimits({ depth: 16, cost: 0 }, { maxDepth: 15, maxCost: 50 })).toThrow(
      expect.objectContaining({
        message: 'query depth 16 exceeds the limit of 15',
        extensions: { code: 'QUERY_DEPTH_LIMIT_EXCEEDED', depth: 16, maxDepth: 15, http: { status: 400 } },
      }),
    );
    expect(() => checkLimits({ depth: 15, cost: 50 }, { maxDepth: 15, maxCost: 50 })).not.toThrow();
  });
});
